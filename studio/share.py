"""Share links: a schedule as URL query parameters, one per field, and back.

    ?kind=cosine&base_lr=0.01&total_epochs=100&warmup_epochs=5&...&steps_per_epoch=100

A link is untrusted input: reading one goes through the same rules as a JSON document, so a
tampered value raises :class:`ConfigError` naming the field, and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schedules import KINDS, ConfigError, Schedule, from_config, make_document
from schedules.budget import RUN_FIELDS
from schedules.fields import Flag, Number, NumberList, key_path, show
from studio.design import RUN_PREFIX

# Long enough for the longest value a valid document holds (100 milestones in their shortest
# repr), short enough that a tampered link cannot make the server parse megabytes.
MAX_PARAM_LENGTH = 3_000


def to_query(schedule: Schedule) -> dict[str, str]:
    """Query parameters that reproduce ``schedule`` exactly (numbers in their shortest repr)."""
    config = schedule.to_config()
    params = {"kind": schedule.kind.name}
    for name, value in config["schedule"].items():
        if name != "kind":
            params[name] = _text(value)
    params["steps_per_epoch"] = str(config["steps_per_epoch"])
    params["granularity"] = config["granularity"]
    for name, value in config.get("run", {}).items():
        params[RUN_PREFIX + name] = _text(value)
    return params


def query_values(params: Mapping[str, Any]) -> dict[str, str]:
    """A link's parameters as one text each (the last of a repeated one), none overlong."""
    values = {key: (value[-1] if isinstance(value, list) else value) for key, value in params.items()}
    for key, value in values.items():
        if not isinstance(value, str) or len(value) > MAX_PARAM_LENGTH:
            raise ConfigError(
                field_path(key), f"must be at most {MAX_PARAM_LENGTH:,} characters in a link, got {len(str(value)):,}"
            )
    return values


def field_path(key: object) -> str:
    """The document path a link's key stands for, as the engine's messages name it.

    >>> field_path("base_lr"), field_path("steps_per_epoch"), field_path("run_devices"), field_path("<b>")
    ('schedule.base_lr', 'steps_per_epoch', 'run.devices', 'schedule')
    """
    if key in ("steps_per_epoch", "granularity"):
        return str(key)
    if isinstance(key, str) and key.startswith(RUN_PREFIX):
        return key_path("run", key.removeprefix(RUN_PREFIX))
    return key_path("schedule", key)


def from_query(params: Mapping[str, Any]) -> Schedule:
    """The schedule in a link's query parameters; ConfigError for anything missing or tampered."""
    values = query_values(params)
    kind = KINDS.get(values.get("kind", ""))
    if kind is None:
        known = ", ".join(KINDS)
        rule = f"must be one of {known}, got {show(values['kind'])}" if "kind" in values else "is required"
        raise ConfigError("schedule.kind", rule)
    rules = {field.name: field.rule for field in kind.all_fields}
    schedule = {"kind": kind.name}
    run_rules = {field.name: field.rule for field in RUN_FIELDS}
    run = {}
    for key, text in values.items():
        if key in ("kind", "steps_per_epoch", "granularity"):
            continue
        if key.startswith(RUN_PREFIX):
            name = key.removeprefix(RUN_PREFIX)
            run[name] = parse_value(f"run.{name}", text, run_rules.get(name))
        else:
            schedule[key] = parse_value(f"schedule.{key}", text, rules.get(key))
    if "steps_per_epoch" not in values:
        raise ConfigError("steps_per_epoch", "is required")
    steps_per_epoch = parse_value("steps_per_epoch", values["steps_per_epoch"], Number(ge=1, integer=True))
    doc = make_document(schedule, steps_per_epoch, values.get("granularity", "step"))
    return from_config(doc | {"run": run} if run else doc)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(repr(item) for item in value)
    return repr(value) if isinstance(value, float) else str(value)


def parse_value(path: str, text: str, rule) -> Any:
    """A query value as the JSON value its field's rule expects (unknown fields stay text)."""
    try:
        if isinstance(rule, Flag):
            return {"true": True, "false": False}.get(text, text)
        if isinstance(rule, NumberList):
            return [float(item) for item in text.split(",")]
        if isinstance(rule, Number):
            return int(text) if rule.integer else float(text)
    except ValueError:
        raise ConfigError(path, f"must be {rule.describe}, got {show(text)}") from None
    return text
