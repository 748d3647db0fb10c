"""The studio's pages, run by app.py's navigation."""

import secrets
from pathlib import Path

import streamlit as st

from studio.training_queue import TrainingQueue, runs_root


@st.cache_resource
def _queue(root: str) -> TrainingQueue:
    return TrainingQueue(Path(root))


def training_queue() -> TrainingQueue:
    """One queue per server process and runs folder, shared by every page and session: the
    worker trains (or runs a range test) one job at a time."""
    return _queue(str(runs_root()))


def session_label() -> str:
    """This session's short label, shown to other sessions while its training runs."""
    return st.session_state.setdefault("session_label", f"session {secrets.token_hex(2)}")


def run_through_app() -> None:
    """Serve this page through app.py's navigation, even on a deep link opened first.

    Until app.py has called ``st.navigation`` once in a server's life, Streamlit takes a
    ``pages/`` folder for its older convention and runs a deep-linked page (``/train``) on its
    own: without the app's page config and menu. Such a run turns the convention off and reruns,
    so app.py routes the same URL. (Streamlit keeps that switch on a private class.)
    """
    from streamlit.runtime.pages_manager import PagesManager  # noqa: PLC0415

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
