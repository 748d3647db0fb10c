"""The Designer's controls, generated from the engine's field rules: one function picks a control
for any field, common or of a kind, and the page only draws what it is given.

A control is a plain :class:`Control` (widget name, key, label, keyword arguments), so the choice is
tested without Streamlit. Keys are the document's field names (the baseline's carry ``baseline_``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schedules import COMMON_FIELDS, KINDS
from schedules.fields import Choice, Field, Flag, Number, NumberList
from schedules.schedule import GRANULARITIES, MAX_TOTAL_STEPS
from studio import design

# The document's own settings, read by the same rules as the schedule's fields.
DOCUMENT_FIELDS = (
    Field("steps_per_epoch", Number(ge=1, integer=True), default=100, help="Optimizer steps in one epoch."),
    Field(
        "granularity",
        Choice(GRANULARITIES),
        default="step",
        help="'epoch' holds the lr constant within each epoch, as Keras's LearningRateScheduler does.",
    ),
)
# Where the controls of these fields sit: under "Warm-up start and granularity", out of the way.
# Not the steps per epoch: every step count on the page follows from it, so it sits by the total.
ADVANCED = ("warmup_start_lr", "warmup_shape", "granularity")
ADVANCED_TITLE = "Warm-up start and granularity"
# lrs span orders of magnitude: a slider over round log-spaced values (decades low, high), and
# whether 0 is among them.
LOG_SLIDERS = {"base_lr": (-7, 1, False), "epsilon": (-9, 0, True)}
# Phase lengths that cannot exceed the total: sliders from 0 to total_epochs.
WITHIN_TOTAL = ("warmup_epochs", "hold_epochs")
LABELS = {
    "base_lr": "Base learning rate",
    "total_epochs": "Total epochs",
    "warmup_epochs": "Warm-up epochs",
    "hold_epochs": "Hold epochs",
    "epsilon": "Epsilon (minimum lr)",
    "warmup_start_lr": "Warm-up start lr",
    "warmup_shape": "Warm-up shape",
    "steps_per_epoch": "Steps per epoch",
    "granularity": "Granularity",
    "baseline_scaled": "Scale to the schedule",
    "baseline_drop": "Drop factor",
    "baseline_epochs_per_drop": "Epochs per drop",
}
HELP = {
    "base_lr": "Peak lr, reached at the end of the warm-up (log-spaced steps).",
    "warmup_epochs": "Ramp from the warm-up start lr to the base lr.",
    "hold_epochs": "Plateau at the base lr before the decay begins.",
    "epsilon": "The floor the decay ends on; at most the base lr.",
    "warmup_start_lr": "The lr at step 0, from which the warm-up rises; at most the base lr.",
    "warmup_shape": "'cosine' rises along half a cosine, gentle at both ends; 'log' along a logarithm, steep "
    "at first (DeepSpeed's log warm-up).",
    "baseline_scaled": "The classic ×0.1 at epochs 30 and 60 of 90, scaled: ×0.1 at one third and two thirds of "
    "the decay, whatever its length. Off: your own drop factor and epochs per drop.",
}
BASELINE_PREFIX = "baseline_"


@dataclass(frozen=True)
class Control:
    """One widget to draw: ``st.<widget>(label, key=key, **options)``."""

    widget: str
    key: str
    label: str
    options: dict[str, Any] = field(default_factory=dict)
    advanced: bool = False


def label(name: str) -> str:
    """A field's label: its own words where it has them, else its name as a phrase.

    >>> label("hold_epochs"), label("first_cycle_epochs")
    ('Hold epochs', 'First cycle epochs')
    """
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def control(rule_field: Field, state: Mapping[str, Any], key: str | None = None, disabled: bool = False) -> Control:
    """The control for ``rule_field``, chosen by its rule: a choice of up to three is a row of
    radio buttons (more: a select box), a flag a checkbox, a list a text box, an lr a log-spaced
    slider, a phase length a slider bounded by the total epochs, any other number a number box."""
    key = key or rule_field.name
    name, rule = rule_field.name, rule_field.rule
    options: dict[str, Any] = {"help": HELP.get(name) or rule_field.help or None}
    if disabled:
        options["disabled"] = True
    if isinstance(rule, Choice):
        widget = "radio" if len(rule.options) <= 3 else "selectbox"
        options["options"] = tuple(rule.options)
        if widget == "radio":
            options["horizontal"] = True
    elif isinstance(rule, Flag):
        widget = "checkbox"
    elif isinstance(rule, NumberList):
        widget = "text_input"
        options["placeholder"] = "30, 60, 80"
    elif name in LOG_SLIDERS:
        low, high, with_zero = LOG_SLIDERS[name]
        grid = ([0.0] if with_zero else []) + design.log_grid(low, high)
        widget = "select_slider"
        options["options"] = design.options_with(grid, state[key])
    elif name in WITHIN_TOTAL:
        widget = "slider"
        top = max(float(state["total_epochs"]), float(state[key]), 1.0)
        options |= {"min_value": 0.0, "max_value": top, "step": 0.5, "format": "%g"}
    elif isinstance(rule, Number) and rule.integer:
        widget = "number_input"
        low = rule.ge if rule.ge is not None else None
        # up to what the format allows: a widget silently resets a value beyond its maximum
        options |= {"min_value": low, "max_value": rule.le if rule.le is not None else MAX_TOTAL_STEPS, "step": 1}
    else:
        widget = "number_input"
        low = rule.ge if rule.ge is not None else (0.0 if rule.gt is not None else None)
        options |= {
            "min_value": None if low is None else float(low),
            "max_value": float(rule.le) if rule.le is not None else None,
            "step": 1.0 if rule_field.duration else (1e-4 if name.endswith("_lr") else 0.05),
            "format": "%g",
        }
    return Control(widget, key, label(key), options, advanced=name in ADVANCED)


def common_controls(kind_name: str, state: Mapping[str, Any]) -> list[Control]:
    """The controls of every common field and of the document's settings; a common field the kind
    does not take (1cycle brings its own warm-up) is shown disabled."""
    kind = KINDS[kind_name]
    return [control(rule_field, state, disabled=rule_field.name not in kind.common) for rule_field in COMMON_FIELDS] + [
        control(rule_field, state) for rule_field in DOCUMENT_FIELDS
    ]


def split(all_controls: list[Control]) -> tuple[list[Control], list[Control]]:
    """(the controls shown at once, the steps per epoch right after the total epochs; those under
    ADVANCED_TITLE in ADVANCED's order)."""
    main = [item for item in all_controls if not item.advanced and item.key != "steps_per_epoch"]
    after_total = next((index + 1 for index, item in enumerate(main) if item.key == "total_epochs"), len(main))
    main[after_total:after_total] = [item for item in all_controls if item.key == "steps_per_epoch"]
    advanced = sorted((item for item in all_controls if item.advanced), key=lambda item: ADVANCED.index(item.key))
    return main, advanced


def kind_controls(kind_name: str, state: Mapping[str, Any]) -> list[Control]:
    """The controls of the kind's own fields."""
    return [control(rule_field, state) for rule_field in KINDS[kind_name].fields]


def baseline_controls(state: Mapping[str, Any]) -> list[Control]:
    """The step-decay baseline's controls: whether it is scaled to the schedule and, when it is not,
    its own drop factor and epochs per drop (the step kind's own fields)."""
    scaled = Control("toggle", "baseline_scaled", label("baseline_scaled"), {"help": HELP["baseline_scaled"]})
    if state["baseline_scaled"]:
        return [scaled]
    own = [control(rule_field, state, key=BASELINE_PREFIX + rule_field.name) for rule_field in KINDS["step"].fields]
    return [scaled, *own]


def starting_values(kind_name: str) -> dict[str, Any]:
    """Where each of the kind's own fields starts when a user picks the kind: its example, else
    its own default — never a value another kind's field of the same name left behind.

    >>> starting_values("cyclic")["gamma"], starting_values("multistep")["gamma"]
    (1.0, 0.1)
    >>> starting_values("multistep")["milestones_epochs"]
    '30, 60, 80'
    """
    values: dict[str, Any] = {}
    for rule_field in KINDS[kind_name].fields:
        value = rule_field.example if rule_field.example is not None else rule_field.default
        if callable(value):
            value = value(values)
        if isinstance(value, list):
            value = design.list_text(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        values[rule_field.name] = value
    return values
