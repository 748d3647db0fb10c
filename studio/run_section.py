"""The Designer's Run section and the units it opens: budgets in the units runs are planned in.

With the section on, the dataset, micro-batch, accumulation and devices (``schedules.budget.Run``)
set the steps per epoch; the x-axis can then count samples or tokens seen, warm-up and hold can be
given in steps, samples or tokens, the total as a token budget, and the base lr scaled with the
global batch. The document stays in epochs: every amount in another unit is converted here, once,
before the controls are drawn (:func:`derive`), and the page shows what it became.

One epoch holds S steps (the steps per epoch), S · B samples and S · B · L tokens, B the global
batch and L the sequence length: the data the optimizer actually consumes, so a dropped partial
batch is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from schedules import ConfigError
from schedules.budget import RUN_FIELDS, SCALING_RULES, Run, read_run, scaled_lr
from schedules.schedule import epochs_to_steps
from studio import controls, design
from studio.controls import Control
from studio.figures import X_UNITS

UNITS = X_UNITS  # epochs, steps, samples, tokens: the order every unit choice lists them in
RUN_LABELS = {
    "dataset_size": "Dataset size",
    "unit": "Dataset counted in",
    "sequence_length": "Sequence length (tokens per sample)",
    "micro_batch": "Micro-batch per device",
    "gradient_accumulation": "Gradient-accumulation steps",
    "devices": "Devices",
    "drop_last": "Drop the last partial batch",
}
RULE_WORDS = {"linear": "linear rule", "sqrt": "square-root rule"}
# An amount in another unit mirrors one epoch field of the document: (epoch key, amount key, the
# key of the unit it is given in). Warm-up and hold share one unit; the total takes tokens only.
MIRRORS = (
    ("warmup_epochs", "warmup_amount", "phase_unit"),
    ("hold_epochs", "hold_amount", "phase_unit"),
    ("total_epochs", "run_token_budget", "run_total_unit"),
)
SEEN = "mirror_seen_"  # per mirror: (unit, epochs) as last converted, to tell who changed what
# Set with a loaded document (a preset, an import): its epochs lead, even where they equal the
# ones before, since its steps per epoch may differ.
LOADED = {SEEN + epochs_key: None for epochs_key, _, _ in MIRRORS}

# The section's own control values, beside design.DEFAULTS (which holds the run's fields).
DEFAULTS: dict[str, Any] = {
    "x_unit": "epochs",
    "phase_unit": "epochs",
    "warmup_amount": 0,
    "hold_amount": 0,
    "run_total_unit": "epochs",
    "run_token_budget": 0,
    "scale_reference_lr": 0.1,  # Goyal et al. 2017: 0.1 for a batch of 256 (ResNet-50, ImageNet)
    "scale_reference_batch": 256,
    "scale_rule": "linear",
}


@dataclass(frozen=True)
class Derived:
    """What the run section makes of the controls, before they are drawn.

    updates: control values to set first (steps per epoch, epochs from other units, units no
      longer offered); run: the run when the section is on and valid; problem: its one sentence
      when it is on and invalid; units: the units the x-axis and the phases may use; locked: the
      controls now derived, each with the reason; notes: a line to show under a control.
    """

    updates: dict[str, Any]
    run: Run | None = None
    problem: ConfigError | None = None
    units: tuple[str, ...] = ("epochs", "steps")
    locked: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def run_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """The document's run object from the controls, as ``design.document`` builds it."""
    run = {name: values[design.RUN_PREFIX + name] for name in design.RUN_START}
    if run["unit"] == "samples":
        run.pop("sequence_length")  # the format takes it only for tokens
    return run


def checked_run(values: Mapping[str, Any]) -> Run:
    """The run the controls describe, validated by the engine's own rules; ConfigError with its
    one sentence (a dataset smaller than one global batch, say) otherwise."""
    try:
        # Every valid run implies at least one step per epoch, so checking against 0 fails last,
        # after every field and the dataset's size have passed.
        read_run(run_config(values), 0)
    except ConfigError as error:
        if error.field != "steps_per_epoch":
            raise
    return design.run_of(values)


def units_offered(values: Mapping[str, Any]) -> tuple[str, ...]:
    """Epochs and steps always; samples with the run section on; tokens when its dataset counts
    tokens (the format carries a sequence length only then).

    >>> units_offered(design.DEFAULTS), units_offered(design.DEFAULTS | {"run_enabled": True})
    (('epochs', 'steps'), ('epochs', 'steps', 'samples'))
    """
    if not values.get("run_enabled"):
        return UNITS[:2]
    return UNITS if values["run_unit"] == "tokens" else UNITS[:3]


def per_epoch(unit: str, steps_per_epoch: int, run: Run | None = None) -> int:
    """How many of ``unit`` one epoch holds: 1, S steps, S · B samples or S · B · L tokens.

    >>> run = Run(dataset_size=1_281_167, micro_batch=64, gradient_accumulation=4, devices=8)
    >>> per_epoch("steps", 625), per_epoch("samples", 625, run)
    (625, 1280000)
    """
    if unit == "epochs":
        return 1
    if unit == "steps":
        return steps_per_epoch
    if run is None:
        raise ValueError(f"unit: {unit} needs a run (its dataset and batch)")
    return steps_per_epoch * run.global_batch * (run.sequence_length if unit == "tokens" else 1)


def to_epochs(amount: float, unit: str, steps_per_epoch: int, run: Run | None = None) -> float:
    """``amount`` of ``unit`` in epochs: amount ÷ per_epoch, one correctly rounded division of
    whole numbers (Python divides integers exactly, then rounds once); for tokens the same number
    as ``Run.epochs_for_tokens``.

    >>> to_epochs(2_000, "steps", 625), to_epochs(640_000, "samples", 625, Run(1_281_167, 64, devices=32))
    (3.2, 0.5)
    """
    return amount / per_epoch(unit, steps_per_epoch, run)


def from_epochs(epochs: float, unit: str, steps_per_epoch: int, run: Run | None = None) -> float | int:
    """``epochs`` in ``unit``: a whole number of them, halves up (as the engine rounds steps).

    >>> from_epochs(3.2, "steps", 625), from_epochs(2.5, "epochs", 625)
    (2000, 2.5)
    """
    if unit == "epochs":
        return epochs
    return epochs_to_steps(epochs, per_epoch(unit, steps_per_epoch, run))


def derive(values: Mapping[str, Any]) -> Derived:
    """The run, the steps per epoch it implies and every amount given in another unit, converted
    to the document's epochs; ``values`` are the controls as the user left them."""
    updates: dict[str, Any] = {}
    locked: dict[str, str] = {}
    run, problem = None, None
    units = units_offered(values)
    for key in ("x_unit", "phase_unit"):
        if values[key] not in units:  # the run section was turned off, or its dataset is in samples
            updates[key] = "epochs"
    if "tokens" not in units and values["run_total_unit"] != "epochs":
        updates["run_total_unit"] = "epochs"
    if values.get("run_enabled"):
        try:
            run = checked_run(values)
        except ConfigError as error:
            problem = error
    if run is not None:
        updates["steps_per_epoch"] = run.steps_per_epoch
        locked["steps_per_epoch"] = "Derived from the run section: " + run.arithmetic() + "."
    current = {**values, **updates}
    steps_per_epoch = current["steps_per_epoch"]
    notes = {}
    for epochs_key, amount_key, unit_key in MIRRORS:
        unit = current[unit_key]
        if unit == "epochs":
            updates[SEEN + epochs_key] = None  # the epochs lead: another unit starts from them
            continue
        if unit in ("samples", "tokens") and run is None:
            continue  # nothing to convert with until the run reads; the amount waits
        seen, epochs = values.get(SEEN + epochs_key), current[epochs_key]
        if seen != (unit, epochs):  # a new unit, or the epochs set from elsewhere (a preset, a link)
            updates[amount_key] = amount = from_epochs(epochs, unit, steps_per_epoch, run)
        else:
            amount = current[amount_key]
        epochs = to_epochs(amount, unit, steps_per_epoch, run)
        updates[epochs_key] = epochs
        updates[SEEN + epochs_key] = (unit, epochs)
        notes[amount_key] = amount_note(epochs_key, amount, unit, epochs, steps_per_epoch)
    if current["run_total_unit"] == "tokens":
        locked["total_epochs"] = "Set by the token budget in the run section."
    return Derived(updates, run, problem, units, locked, notes)


def amount_note(epochs_key: str, amount: float, unit: str, epochs: float, steps_per_epoch: int) -> str:
    """What an amount in another unit became: its epochs (as the document holds them) and steps.

    >>> amount_note("warmup_epochs", 2_000, "steps", 3.2, 625)
    '2,000 steps = 3.2 epochs.'
    >>> amount_note("total_epochs", 10**10, "tokens", 1.5, 1000)
    '10,000,000,000 tokens = 1.5 epochs (1,500 steps): the total epochs follow the budget.'
    """
    steps = epochs_to_steps(epochs, steps_per_epoch)
    where = "" if unit == "steps" else f" ({steps:,} steps)"
    tail = ": the total epochs follow the budget." if epochs_key == "total_epochs" else "."
    return f"{amount:,} {unit} = {epochs:.6g} epochs{where}{tail}"


def run_controls(values: Mapping[str, Any]) -> list[Control]:
    """The run section's controls, generated from the run's field rules (keys ``run_<field>``);
    the sequence length only when the dataset counts tokens."""
    made = []
    for rule_field in RUN_FIELDS:
        if rule_field.name == "sequence_length" and values["run_unit"] != "tokens":
            continue
        item = controls.control(rule_field, values, key=design.RUN_PREFIX + rule_field.name)
        label = RUN_LABELS[rule_field.name]
        if rule_field.name == "dataset_size":
            label += f" ({values['run_unit']})"
        made.append(replace(item, label=label))
    return made


def run_columns(values: Mapping[str, Any]) -> tuple[list[Control], list[Control]]:
    """The run's controls in two groups: the data (size, unit, sequence length, drop last) and
    the batch (micro-batch, accumulation, devices)."""
    made = run_controls(values)
    batch_keys = {design.RUN_PREFIX + name for name in ("micro_batch", "gradient_accumulation", "devices")}
    return [item for item in made if item.key not in batch_keys], [item for item in made if item.key in batch_keys]


def total_controls(values: Mapping[str, Any], derived: Derived) -> list[Control]:
    """With a dataset in tokens: the total in epochs or as a token budget, and the budget."""
    if "tokens" not in derived.units:
        return []
    made = [
        Control(
            "radio",
            "run_total_unit",
            "Total given in",
            {"options": ("epochs", "tokens"), "horizontal": True, "help": "A token budget sets the total epochs."},
        )
    ]
    if values["run_total_unit"] == "tokens":
        made.append(Control("number_input", "run_token_budget", "Token budget", {"min_value": 0, "step": 1}))
    return made


def arrange(items: list[Control], values: Mapping[str, Any], derived: Derived) -> list[Control]:
    """The schedule's controls as the run section leaves them: derived ones disabled with the
    reason, and warm-up and hold behind their unit's choice, as amounts when not in epochs."""
    unit = values["phase_unit"]
    arranged = []
    for item in items:
        if item.key in derived.locked:
            item = replace(item, options=item.options | {"disabled": True, "help": derived.locked[item.key]})
        if item.key == "warmup_epochs":
            arranged.append(
                Control(
                    "radio",
                    "phase_unit",
                    "Warm-up and hold in",
                    {
                        "options": derived.units,
                        "horizontal": True,
                        "disabled": bool(item.options.get("disabled")),
                        "help": "The document keeps epochs; other units are converted exactly.",
                    },
                )
            )
        if item.key in ("warmup_epochs", "hold_epochs") and unit != "epochs":
            amount_key = item.key.replace("_epochs", "_amount")
            name = "Warm-up" if item.key == "warmup_epochs" else "Hold"
            options = {"min_value": 0, "step": 1, "help": item.options.get("help")}
            if item.options.get("disabled"):
                options["disabled"] = True
            item = Control("number_input", amount_key, f"{name} {unit}", options)
        arranged.append(item)
    return arranged


def scaling(reference_lr: float, reference_batch: int, batch: int, rule: str) -> tuple[float, str]:
    """The base lr for ``batch`` by the rule, and the sentence that shows the numbers.

    >>> scaling(0.1, 256, 2048, "linear")
    (0.8, 'linear rule: 0.1 × 2048 / 256 = 0.8')
    >>> scaling(0.1, 256, 1024, "sqrt")[1]
    'square-root rule: 0.1 × √(1024 / 256) = 0.2'
    """
    lr = scaled_lr(reference_lr, reference_batch, batch, rule)
    ratio = f"{batch} / {reference_batch}" if rule == "linear" else f"√({batch} / {reference_batch})"
    return lr, f"{RULE_WORDS[rule]}: {reference_lr:g} × {ratio} = {lr:.6g}"


def scaling_drift(base_lr: float, rule_lr: float) -> str | None:
    """Once the rule has set the base lr: the warning when the rule now gives another one (the
    batch or the reference changed since), else None.

    >>> scaling_drift(0.282843, 0.4)
    'The base lr (0.282843) no longer follows the rule, which now gives 0.4: *Set base lr* again to apply it.'
    """
    if base_lr == rule_lr:
        return None
    return (
        f"The base lr ({base_lr:.6g}) no longer follows the rule, which now gives {rule_lr:.6g}: "
        "*Set base lr* again to apply it."
    )


def scaling_controls() -> list[Control]:
    """The batch-size scaling helper's inputs: a reference lr and batch, and the rule."""
    return [
        Control(
            "number_input",
            "scale_reference_lr",
            "Reference base lr",
            {
                "min_value": 1e-12,
                "step": 1e-3,
                "format": "%g",
                "help": "A base lr known to work at the reference batch.",
            },
        ),
        Control("number_input", "scale_reference_batch", "Reference batch", {"min_value": 1, "step": 1}),
        Control(
            "radio",
            "scale_rule",
            "Scaling rule",
            {
                "options": SCALING_RULES,
                "horizontal": True,
                "format_func": lambda rule: RULE_WORDS[rule].removesuffix(" rule"),
                "help": "Linear (Goyal et al. 2017) for SGD; the square root is often suggested for Adam.",
            },
        ),
    ]


def chart_unit(x_unit: str, run: Run | None) -> str:
    """The x-axis unit the chart can draw for the schedule it shows (the last valid one): samples
    and tokens need its run, tokens a dataset counted in tokens; otherwise epochs."""
    if x_unit in ("epochs", "steps"):
        return x_unit
    if run is None or (x_unit == "tokens" and run.unit != "tokens"):
        return "epochs"
    return x_unit
