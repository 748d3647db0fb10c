"""The designer's control values, as a plain dict, and the documents they stand for.

Control keys are the document's own field names, so a v1 document and the controls map onto each
other one to one; the step-decay baseline's own fields carry a ``baseline_`` prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import schedules
from schedules import KINDS, Schedule
from schedules.budget import Run
from schedules.document import BASELINE_DROP, BASELINE_EPOCHS_PER_DROP, MAX_TEXT_BYTES

RUN_PREFIX = "run_"  # the run section's controls, as the share link names the run's fields
UPLOAD_MB = max(1, -(-MAX_TEXT_BYTES // 2**20))  # the uploaders' own limit, in their unit (MiB)
RUN_START = {  # CIFAR-10 at batch 128 on one device: 390 steps per epoch
    "dataset_size": 50_000,
    "unit": "samples",
    "sequence_length": 1,
    "micro_batch": 128,
    "gradient_accumulation": 1,
    "devices": 1,
    "drop_last": True,
}


def number_text(number: float) -> str:
    """The shortest text that reads back as exactly ``number``: 30.0 → "30", 1234567.0 → "1234567"."""
    text = repr(float(number))
    return text.removesuffix(".0")


def list_text(numbers: list) -> str:
    """[30.0, 60.0] → "30, 60": how a list field reads in its text box, every digit kept."""
    return ", ".join(number_text(number) for number in numbers)


DEFAULTS: dict[str, Any] = {
    "kind": "cosine",
    "base_lr": 0.01,
    "total_epochs": 100.0,
    "warmup_epochs": 5.0,
    "hold_epochs": 10.0,
    "epsilon": 1e-6,
    "warmup_start_lr": 0.0,
    "warmup_shape": "linear",
    "steps_per_epoch": 100,
    "granularity": "step",
    "baseline_scaled": True,  # the classic drops scaled to the schedule, until the user sets their own
    "baseline_drop": BASELINE_DROP,
    "baseline_epochs_per_drop": BASELINE_EPOCHS_PER_DROP,
    "log_scale": False,
    "overlay": False,
    # The optional run section: steps per epoch from the data and the batch (schedules.budget).
    "run_enabled": False,
    **{RUN_PREFIX + name: value for name, value in RUN_START.items()},
}
for _kind in KINDS.values():  # where a new design of each kind starts; a shared name keeps its first
    for _field in _kind.fields:
        DEFAULTS.setdefault(_field.name, _field.example if _field.example is not None else _field.default)

# Lists (multi-step milestones) are edited as text, "30, 60, 80".
LIST_NAMES = {name for name, value in DEFAULTS.items() if isinstance(value, list)}
DEFAULTS |= {name: list_text(DEFAULTS[name]) for name in LIST_NAMES}

# Durations and lrs are floats in the controls: Streamlit's number inputs refuse mixed int/float.
FLOAT_NAMES = {name for name, value in DEFAULTS.items() if isinstance(value, float)}


def log_grid(lowest_exponent: int = -8, highest_exponent: int = 0) -> list[float]:
    """Round values spread evenly on a log scale: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 × 10^k.

    >>> log_grid(-1, 0)
    [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]
    """
    mantissas = ("1", "1.5", "2", "2.5", "3", "4", "5", "6", "7", "8")
    grid = [float(f"{m}e{k}") for k in range(lowest_exponent, highest_exponent) for m in mantissas]
    return grid + [float(f"1e{highest_exponent}")]


def options_with(grid: list[float], value: float) -> list[float]:
    """The grid with ``value`` added where it belongs: an imported 0.0123 stays exact."""
    return sorted(set(grid) | {value})


def parse_list(text: Any) -> Any:
    """ "30, 60" → [30.0, 60.0]; text that is not a list of numbers passes through unchanged, for
    the engine to reject with its one-sentence rule."""
    if not isinstance(text, str):
        return text
    try:
        return [float(item) for item in text.replace(";", ",").split(",") if item.strip()]
    except ValueError:
        return text


def document(values: Mapping[str, Any]) -> dict[str, Any]:
    """The v1 document of the designed schedule: the fields its kind takes, nothing else; with the
    run section on, its run and the steps per epoch it implies."""
    kind = KINDS[values["kind"]]
    fields = {
        field.name: parse_list(values[field.name]) if field.name in LIST_NAMES else values[field.name]
        for field in kind.all_fields
    }
    if not values.get("run_enabled"):
        return schedules.make_document({"kind": kind.name} | fields, values["steps_per_epoch"], values["granularity"])
    run = {name: values[RUN_PREFIX + name] for name in RUN_START}
    if run["unit"] == "samples":
        run.pop("sequence_length")  # the format takes it only for tokens
    steps_per_epoch = run_of(values).steps_per_epoch
    doc = schedules.make_document({"kind": kind.name} | fields, steps_per_epoch, values["granularity"])
    return doc | {"run": run}


def run_of(values: Mapping[str, Any]) -> Run:
    """The run the controls describe (not yet validated: the document's rules do that)."""
    run = {name: values[RUN_PREFIX + name] for name in RUN_START}
    return Run(**run)


def baseline_document(values: Mapping[str, Any]) -> dict[str, Any]:
    """The step-decay baseline: the design's warm-up, hold and floor; scaled to the schedule, or
    the user's own drop and period."""
    if values["baseline_scaled"]:
        return schedules.step_baseline(document(values))
    return schedules.step_baseline(document(values), values["baseline_drop"], values["baseline_epochs_per_drop"])


def baseline_drops(baseline: Mapping[str, Any]) -> str:
    """Where the scaled baseline drops, in epochs from the start, and why there.

    >>> doc = schedules.make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 90}, 100)
    >>> baseline_drops(schedules.step_baseline(doc))
    "×0.1 at epochs 30 and 60: one third and two thirds of the decay, as in ResNet's 90 epochs."
    """
    schedule = schedules.from_config(baseline)
    epochs = [number_text(step / schedule.steps_per_epoch) for step in schedule.turning_steps()]
    factor = f"×{number_text(schedule.params['gamma'])}"
    if not epochs:
        return f"{factor} at one third and two thirds of the decay: no decay, so no drop."
    where = f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {' and '.join(epochs)}"
    return f"{factor} at {where}: one third and two thirds of the decay, as in ResNet's 90 epochs."


def designer_document(state: Mapping[str, Any]) -> dict[str, Any]:
    """The Designer's current document from a session's state (the page keeps it under
    ``schedule_document``), or its defaults' when the session never opened the Designer."""
    return state.get("schedule_document") or document(DEFAULTS)


def designer_baseline(state: Mapping[str, Any]) -> dict[str, Any]:
    """The Designer's current step-decay baseline (kept under ``baseline_document``), or its
    defaults' when the session never opened the Designer."""
    return state.get("baseline_document") or baseline_document(DEFAULTS)


def own_baseline(baseline: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(drop, epochs per drop) of a user's own baseline; (None, None) for the scaled one, which
    ``schedules.step_baseline`` rebuilds from the schedule alone (the demo's default)."""
    fields = baseline["schedule"]
    return (fields["drop"], fields["epochs_per_drop"]) if fields["kind"] == "step" else (None, None)


def controls(schedule: Schedule) -> dict[str, Any]:
    """The control values that reproduce ``schedule`` (numbers typed as the controls need)."""
    config = schedule.to_config()
    values = {"steps_per_epoch": config["steps_per_epoch"], "granularity": config["granularity"]}
    values |= config["schedule"]
    values["run_enabled"] = "run" in config
    values |= {RUN_PREFIX + name: value for name, value in config.get("run", {}).items()}
    return {
        name: list_text(value) if name in LIST_NAMES else float(value) if name in FLOAT_NAMES else value
        for name, value in values.items()
    }


def import_into(state: MutableMapping[str, Any], data: bytes | str) -> None:
    """Set the controls in ``state`` from a v1 JSON text, or raise ConfigError touching nothing."""
    state.update(controls(schedules.loads(data)))
