"""The v1 format's field tables, generated from the catalog so the docs never drift from the rules."""

from __future__ import annotations

import inspect

from schedules import COMMON_FIELDS, KINDS
from schedules.fields import Field


def field_rows(fields: tuple[Field, ...]) -> list[dict[str, str]]:
    """One row per field: name, rule, default, unit and meaning."""
    return [
        {
            "field": field.name,
            "rule": field.rule.describe,
            "default": "required" if field.required else str(field.default),
            "unit": "epochs" if field.duration else "",
            "meaning": field.help,
        }
        for field in fields
    ]


def kind_sections() -> list[tuple[str, str, list[dict[str, str]]]]:
    """(kind name, title, rows of its own fields) for every kind, and its formula's docstring summary."""
    return [(kind.name, kind.title, field_rows(kind.fields)) for kind in KINDS.values()]


def formula(kind_name: str) -> str:
    """The formula of a kind, from its docstring: the text after the summary, up to the peers it
    matches (or its example)."""
    lines = inspect.cleandoc(KINDS[kind_name].decay.__doc__ or "").splitlines()
    body = []
    for line in lines[2:]:
        if line.startswith(("Matches", ">>>")):
            break
        body.append(line)
    return "\n".join(body).strip()


COMMON_ROWS = field_rows(COMMON_FIELDS)
