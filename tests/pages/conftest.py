"""AppTest helpers: run pages from their files and read what their charts really plot."""

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests import ROOT

PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("[!_]*.py"))


def decode(values) -> np.ndarray:
    """A Plotly array from a chart spec: plain list, or typed base64 (``{"dtype", "bdata"}``, with
    ``"shape"`` for a table such as (step, epoch) rows)."""
    if isinstance(values, dict):
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return array.reshape([int(n) for n in values["shape"].split(",")]) if "shape" in values else array
    return np.asarray(values)


def traces(at: AppTest) -> list[list[dict]]:
    """Each chart's traces, with x, y and customdata decoded to arrays."""
    charts = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        charts.append(
            [
                {**trace, **{k: decode(trace[k]) for k in ("x", "y", "customdata") if k in trace}}
                for trace in spec["data"]
            ]
        )
    return charts


def plain(markdown: str) -> str:
    """What a user reads in a Markdown body the page escaped with ``studio.text.markdown``."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # escapes and link-breaking joiners


@pytest.fixture
def app():
    """A fresh designer session, already run once."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
