"""The v1 JSON document: reading it from untrusted text, writing it back.

    {"format": "lr-schedule", "version": 1, "steps_per_epoch": 100, "granularity": "step",
     "schedule": {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100, ...}}

Everything that can go wrong with a document or its text surfaces as one :class:`ConfigError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schedules.errors import ConfigError
from schedules.fields import key_path, show
from schedules.files import UnreadableFile, read_regular_file
from schedules.kinds import COMMON_NAMES
from schedules.schedule import HEADER, Schedule, epochs_to_steps

MAX_TEXT_BYTES = 1_000_000
from_config = Schedule.from_config  # the module-level spelling of the classmethod


def make_document(schedule: Mapping[str, Any], steps_per_epoch: Any, granularity: Any = "step") -> dict[str, Any]:
    """A v1 document around a ``schedule`` object, not yet validated (``from_config`` does that).

    >>> make_document({"kind": "constant", "base_lr": 0.1, "total_epochs": 1}, 10)["format"]
    'lr-schedule'
    """
    return {**HEADER, "steps_per_epoch": steps_per_epoch, "granularity": granularity, "schedule": dict(schedule)}


# The step-decay baseline every page and the demo compare against: the classic ImageNet recipe
# (ResNet: ×0.1 at epochs 30 and 60 of 90) scaled to the schedule, ×0.1 at one third and two thirds
# of its decay, so that it drops twice whatever the length. A user's own drop factor and epochs per
# drop replace it; BASELINE_EPOCHS_PER_DROP is where their own period starts.
BASELINE_DROP, BASELINE_EPOCHS_PER_DROP = 0.1, 30.0


def step_baseline(doc: Mapping[str, Any], drop: float | None = None, epochs_per_drop: float | None = None) -> dict:
    """The step-decay baseline of a v1 document: the same peak, length, warm-up, hold and floor.

    By default the classic recipe scaled to the schedule: a multi-step decay by ``BASELINE_DROP``
    at one third and two thirds of the decay, each on a whole step. Given ``drop`` or
    ``epochs_per_drop``, a step decay by ``drop`` every ``epochs_per_drop`` (the one not given is
    the classic 0.1 or 30).

    Only the common fields are carried over; the result is a document, validated when read.

    Raises:
      ConfigError: for the scaled baseline of an invalid document (its decay's length is read).

    >>> doc = make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 90}, 100)
    >>> step_baseline(doc)["schedule"]["milestones_epochs"]
    [30.0, 60.0]
    >>> step_baseline(doc | {"steps_per_epoch": 1}, drop=0.5)["schedule"]["epochs_per_drop"]
    30.0
    """
    schedule = doc["schedule"]
    common = {name: schedule[name] for name in COMMON_NAMES if name in schedule}
    if drop is None and epochs_per_drop is None:
        decay = {"kind": "multistep", "milestones_epochs": scaled_milestones(from_config(doc)), "gamma": BASELINE_DROP}
    else:
        drop = BASELINE_DROP if drop is None else drop
        period = BASELINE_EPOCHS_PER_DROP if epochs_per_drop is None else epochs_per_drop
        decay = {"kind": "step", "drop": drop, "epochs_per_drop": period}
    return {**doc, "schedule": {"kind": decay.pop("kind"), **common, **decay}}


def scaled_milestones(schedule: Schedule) -> list[float]:
    """One third and two thirds of ``schedule``'s decay, in epochs after it starts, each rounded to
    a whole step (so the epochs read as short decimals: 2,833 steps at 100 per epoch are 28.33) and
    at least a step apart.

    >>> s = from_config(make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 100,
    ...                                "warmup_epochs": 5, "hold_epochs": 10}, 100))
    >>> scaled_milestones(s)
    [28.33, 56.67]
    """
    decay, per_epoch = schedule.decay_steps, schedule.steps_per_epoch
    first = max(1, epochs_to_steps(decay / 3, 1))
    second = max(first + 1, epochs_to_steps(2 * decay / 3, 1))
    return [first / per_epoch, second / per_epoch]


def over_steps(document: Mapping[str, Any], steps: int) -> dict[str, Any]:
    """The document's shape squeezed or stretched to about ``steps`` optimizer steps in all: its
    epochs unchanged, its steps per epoch ``round(steps / total_epochs)`` (at least 1).

    >>> over_steps({"steps_per_epoch": 100, "schedule": {"total_epochs": 50}}, 200)["steps_per_epoch"]
    4
    """
    per_epoch = max(1, round(steps / float(document["schedule"]["total_epochs"])))
    fitted = {**document, "steps_per_epoch": per_epoch}
    fitted.pop("run", None)  # a run's data implied the old steps per epoch
    return fitted


def read_json(text: str | bytes, what: str = "document") -> Any:
    """The JSON value in an untrusted text (str or UTF-8 bytes, at most 1 MB), read strictly.

    Every text a user brings goes through here (a document, a Compare set): JSON extensions Python
    accepts but JSON forbids (NaN, Infinity), duplicate keys, lone surrogates (text no page can
    show), numbers too long to read and deep nesting are each one ConfigError naming ``what``.
    """
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_TEXT_BYTES:
            raise ConfigError(what, f"must be at most {MAX_TEXT_BYTES:,} bytes, got {len(text):,}")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError(what, "must be UTF-8 text") from None
    elif not isinstance(text, str):
        raise ConfigError(what, f"must be text, got {show(text)}")
    elif len(text) > MAX_TEXT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise ConfigError(what, f"must be at most {MAX_TEXT_BYTES:,} bytes")
    try:
        value = json.loads(text, parse_constant=_reject_constant(what), object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise ConfigError(
            what, f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ConfigError(what, "is nested too deeply") from None
    except ValueError as error:  # our hooks' ConfigError, or an integer too long to convert
        if isinstance(error, ConfigError):
            raise
        raise ConfigError(what, "holds a number too long to read") from None
    if _has_lone_surrogate(value):
        raise ConfigError(what, "holds text that is not valid Unicode (a lone surrogate escape such as \\ud800)")
    return value


def read_file(path: str | Path, what: str | None = None) -> bytes:
    """The bytes of a document file a user named, through the same bound as every document:
    a regular file (never a device or FIFO) of at most 1 MB; ConfigError naming ``what`` (the
    file's name by default) otherwise."""
    try:
        return read_regular_file(path, MAX_TEXT_BYTES)
    except UnreadableFile as error:
        raise ConfigError(what or Path(path).name or str(path), str(error)) from None


def load(path: str | Path) -> Schedule:
    """The schedule in the v1 document file at ``path``; ConfigError whose field starts with the
    file's name."""
    name = Path(path).name or str(path)
    data = read_file(path, name)
    try:
        return loads(data)
    except ConfigError as error:
        raise ConfigError(f"{name}: {error.field}", error.rule) from None


def loads(text: str | bytes) -> Schedule:
    """The schedule in a v1 JSON text (str or UTF-8 bytes, at most 1 MB), read by :func:`read_json`."""
    return from_config(read_json(text))


def dumps(schedule: Schedule) -> str:
    """The schedule's v1 document as indented JSON text; ``loads(dumps(s)) == s``."""
    return json.dumps(schedule.to_config(), indent=2, allow_nan=False) + "\n"


def _reject_constant(what: str):
    def reject(name: str):
        raise ConfigError(what, f"{name} is not a JSON number")

    return reject


def _has_lone_surrogate(value: Any) -> bool:
    """True if any key or text inside ``value`` holds a lone surrogate (iteratively: no recursion limit)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ConfigError(key_path(None, duplicate), f"{show(duplicate)} appears twice in one object")
    return doc
