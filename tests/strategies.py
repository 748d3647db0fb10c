"""Schedule documents for the suites: each kind's example design, and hypothesis strategies for
documents valid and not. The engine's own: NumPy, hypothesis and ``schedules`` alone."""

from __future__ import annotations

import json
import math

from hypothesis import assume
from hypothesis import strategies as st

import schedules
from schedules import COMMON_FIELDS, KINDS, ConfigError
from schedules.fields import LARGEST, SMALLEST, Choice, Flag, Number, NumberList

lrs = st.floats(1e-6, 10.0, allow_nan=False)
COMMON = {field.name: field for field in COMMON_FIELDS}
# Where a new design starts: a warm-up, a hold and a floor around each kind's own examples.
EXAMPLE_COMMON = {"base_lr": 0.01, "total_epochs": 100.0, "warmup_epochs": 5.0, "hold_epochs": 10.0, "epsilon": 1e-6}


def example_document(kind: str, steps_per_epoch: int) -> dict:
    """A v1 document of ``kind``: its fields' examples and ``EXAMPLE_COMMON`` where it takes them."""
    schedule = {"kind": kind} | {name: value for name, value in EXAMPLE_COMMON.items() if name in KINDS[kind].common}
    schedule |= {field.name: field.example for field in KINDS[kind].fields if field.example is not None}
    return schedules.make_document(schedule, steps_per_epoch)


def field_value(field, epoch_unit: float = 1.0):
    """A valid value for one kind-specific field, from its own rule; durations in ``epoch_unit``s."""
    rule = field.rule
    if isinstance(rule, Choice):
        return st.sampled_from(rule.options)
    if isinstance(rule, Flag):
        return st.booleans()
    if isinstance(rule, NumberList):
        units = st.lists(st.integers(1, 200), min_size=1, max_size=5, unique=True).map(sorted)
        return units.map(lambda items: [item * epoch_unit for item in items])
    if field.duration:
        return st.integers(1, 200).map(lambda units: units * epoch_unit)
    assert isinstance(rule, Number)
    high = rule.le if rule.le is not None else 10.0
    low = max(rule.ge if rule.ge is not None else rule.gt, SMALLEST)  # the format's smallest size
    positive = st.floats(low, high, exclude_min=rule.gt is not None and rule.gt >= SMALLEST, allow_nan=False)
    return st.one_of(st.just(0.0), positive) if rule.ge == 0 else positive


@st.composite
def documents(draw, kinds=tuple(KINDS), max_steps: int = 20_000) -> dict:
    """A valid v1 document of one of ``kinds``, at most ``max_steps`` steps long."""
    kind = KINDS[draw(st.sampled_from(kinds))]
    steps_per_epoch = draw(st.integers(1, 200))
    # Durations come in half epochs where that is a whole number of steps: exact in binary, so
    # warmup + hold ≤ total holds exactly and every positive length spans at least one step.
    unit = 0.5 if steps_per_epoch % 2 == 0 else 1.0
    # 1cycle's rise must span a step (pct_start × T > 1): it gets 40 steps or more.
    fewest = math.ceil(40 / (unit * steps_per_epoch)) if kind.name == "one_cycle" else 1
    total_units = draw(st.integers(fewest, max(fewest, int(max_steps / (unit * steps_per_epoch)))))
    warmup_units = draw(st.integers(0, total_units))
    hold_units = draw(st.integers(0, total_units - warmup_units))
    base_lr = draw(lrs)
    common = {
        "base_lr": base_lr,
        "total_epochs": total_units * unit,
        "warmup_epochs": warmup_units * unit,
        "hold_epochs": hold_units * unit,
        "warmup_start_lr": draw(st.sampled_from([0.0, 1e-3, 0.1, 1.0])) * base_lr,
        "warmup_shape": draw(field_value(COMMON["warmup_shape"])),
        "epsilon": draw(st.sampled_from([0.0, 1e-3, 0.1, 1.0])) * base_lr,
    }
    schedule = {"kind": kind.name} | {name: value for name, value in common.items() if name in kind.common}
    for field in kind.fields:
        schedule[field.name] = draw(field_value(field, unit))
    if kind.name == "one_cycle":
        schedule["pct_start"] = draw(st.floats(0.05, 0.45))
    if kind.peak != "base_lr":
        schedule[kind.peak] = base_lr * (1 + draw(st.floats(0.01, 10)))
    doc = {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": steps_per_epoch,
        "granularity": draw(st.sampled_from(["step", "epoch"])),
        "schedule": schedule,
    }
    try:
        schedules.from_config(doc)
    except ConfigError as error:  # 1cycle's rise must span a step: too short a schedule for it
        assume(error.field != "schedule.pct_start")
        raise
    return doc


def extreme_number(rule: Number):
    """Valid values of a number rule at and near its edges and the format's: 1e-30, 1e30, bounds."""
    low = max(rule.ge if rule.ge is not None else rule.gt if rule.gt is not None else SMALLEST, SMALLEST)
    high = min(rule.le if rule.le is not None else LARGEST, LARGEST)
    edges = [value for value in (low, high, SMALLEST, LARGEST, 1.0, 1e-12, 1e12) if low <= value <= high]
    return st.one_of(st.sampled_from(edges), st.floats(low, high, allow_nan=False))


@st.composite
def extreme_documents(draw) -> dict:
    """A valid document with some numbers pushed to the extremes the format allows: the lrs and
    factors anywhere in [1e-30, 1e30] within their rules, up to 10⁹ steps."""
    doc = draw(documents())
    schedule = doc["schedule"]
    kind = KINDS[schedule["kind"]]
    for field in kind.all_fields:
        if isinstance(field.rule, Number) and not field.duration and draw(st.booleans()):
            schedule[field.name] = draw(extreme_number(field.rule))
    if draw(st.booleans()):  # long: up to 10⁹ steps
        doc["steps_per_epoch"] = draw(st.integers(1, 10**9 // max(1, math.ceil(schedule["total_epochs"]))))
    if draw(st.booleans()):  # planned in samples: the run that gives these steps per epoch
        batch = draw(st.integers(1, 1000))
        rest = draw(st.integers(0, batch - 1))
        doc["run"] = {"dataset_size": doc["steps_per_epoch"] * batch + rest, "micro_batch": batch}
    try:
        schedules.from_config(doc)
    except ConfigError:
        assume(False)
    return doc


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**400), 10**400),
    st.floats(),  # NaN and ±inf included
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
document_keys = ["format", "version", "steps_per_epoch", "granularity", "schedule"]
schedule_keys = ["kind", *(field.name for field in COMMON_FIELDS), *{f.name for k in KINDS.values() for f in k.fields}]


@st.composite
def broken_documents(draw) -> object:
    """A valid document with one thing changed: a value replaced, a key dropped or added."""
    doc = draw(documents())
    target = draw(st.sampled_from(["document", "schedule"]))
    holder = doc if target == "document" else doc["schedule"]
    keys = document_keys if target == "document" else schedule_keys
    action = draw(st.sampled_from(["replace", "drop", "add", "whole"]))
    if action == "replace":
        holder[draw(st.sampled_from(keys))] = draw(json_values)
    elif action == "drop":
        holder.pop(draw(st.sampled_from(keys)), None)
    elif action == "add":
        holder[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    else:
        return draw(json_values)
    return doc


def deeply_nested(depth: int) -> str:
    return (
        json.dumps({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1, "schedule": None})[:-5]
        + "[" * depth
        + "]" * depth
        + "}"
    )
