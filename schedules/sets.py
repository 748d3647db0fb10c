"""A set of named schedules: the file the Compare page exports and a bake-off trains.

[{"name": "cosine", "document": {<v1 document>}}, {"name": "1cycle", "document": {...}}]
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from schedules.document import from_config, read_json
from schedules.errors import ConfigError
from schedules.schedule import Schedule

MIN_SCHEDULES, MAX_SCHEDULES = 2, 6
MAX_NAME = 60


@dataclass(frozen=True)
class Named:
    name: str
    schedule: Schedule


def dump_set(items: list[Named]) -> str:
    """The set as indented JSON: a list of {"name", "document"} objects."""
    return json.dumps([{"name": item.name, "document": item.schedule.to_config()} for item in items], indent=2) + "\n"


def load_set(text: str | bytes) -> list[Named]:
    """The named schedules in a set file; ConfigError naming the item and field for anything wrong."""
    data = read_json(text, "set")  # the same strict reading as a schedule document
    if not isinstance(data, list) or not MIN_SCHEDULES <= len(data) <= MAX_SCHEDULES:
        raise ConfigError("set", f"must be a list of {MIN_SCHEDULES} to {MAX_SCHEDULES} named schedules")
    items, names = [], set()
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or set(entry) != {"name", "document"}:
            raise ConfigError(f"[{index}]", 'must be an object with exactly "name" and "document"')
        name = entry["name"]
        if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME:
            raise ConfigError(f"[{index}].name", f"must be a text of 1 to {MAX_NAME} characters")
        if name in names:
            raise ConfigError(f"[{index}].name", f"{name!r} is already the name of another schedule")
        names.add(name)
        try:
            schedule = from_config(entry["document"])
        except ConfigError as error:
            raise ConfigError(f"[{index}].document.{error.field}", error.rule) from None
        items.append(Named(name, schedule))
    return items
