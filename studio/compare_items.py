"""The Compare page's schedules: entries that follow the Designer, edits kept beside their error,
and imports of a whole set or of one exported schedule. Nothing here imports Streamlit.

An entry is a plain dict: ``{"id", "name", "document", "follows"}``; ``follows`` is "designer" or
"baseline" for an entry that shows the Designer's current schedule (or its step-decay baseline)
until the user edits its document, and None for an entry of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from schedules import ConfigError, loads
from studio import compare, design

DESIGNER_NAME, BASELINE_NAME = "Designer", "Step-decay baseline"


def designer_documents(state: Mapping[str, Any]) -> dict[str, dict]:
    """The Designer's current schedule and baseline documents, from its session state — or, in a
    session that has not opened the Designer, from the same defaults the Designer starts with."""
    return {
        "designer": design.designer_document(state),
        "baseline": design.designer_baseline(state),
    }


def current_document(item: Mapping[str, Any], followed: Mapping[str, dict]) -> dict:
    """The document an entry shows now: the Designer's, for an entry that follows it."""
    return followed.get(item.get("follows") or "", item["document"])


def is_set(data: bytes | str) -> bool:
    """True when an imported text is a set (a JSON list); anything else is read as one document."""
    text = data.removeprefix(b"\xef\xbb\xbf") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    return text.lstrip()[:1] in (b"[", "[")


def read_import(data: bytes | str, file_name: str) -> list[compare.Named]:
    """The schedules in an imported file: a set (a list of {"name", "document"}) or one exported
    v1 document, named after its file. ConfigError names what is wrong."""
    if is_set(data):
        return compare.load_set(data)
    stem = PurePath(str(file_name)).stem.strip() or "Imported"
    return [compare.Named(stem[: compare.MAX_NAME], loads(data))]


def check_room(current: int, adding: int) -> None:
    """ConfigError when ``adding`` more schedules would pass the most the page compares."""
    if current + adding > compare.MAX_SCHEDULES:
        raise ConfigError(
            "set", f"holds {current} schedules; adding {adding} would pass the most, {compare.MAX_SCHEDULES}"
        )


def edit_error(name: str, error: ConfigError) -> str:
    """The sentence shown beside a document that does not read; its text stays as typed."""
    return f"{error} — the chart keeps {name}'s last valid document."


def document_text(document: dict) -> str:
    """A document as the editor shows it: indented JSON."""
    return json.dumps(document, indent=2) + "\n"


def taken_names(items: Sequence[Mapping[str, Any]], except_id: int | None = None) -> set[str]:
    return {item["name"] for item in items if item["id"] != except_id}
