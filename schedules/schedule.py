"""A validated schedule: warm-up, hold, then its kind's decay, over optimizer steps."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from schedules import phases
from schedules.budget import read_run
from schedules.errors import ConfigError
from schedules.fields import Choice, Number, key_path, read_fields, show
from schedules.kinds import KINDS, Kind, whole_periods

FORMAT = "lr-schedule"
VERSION = 1
HEADER = {"format": FORMAT, "version": VERSION}  # what every v1 document starts with
DOCUMENT_KEYS = ("format", "version", "steps_per_epoch", "granularity", "schedule", "run")
MAX_TOTAL_STEPS = 10**9
# Steps lr() evaluates at a time: a formula's temporaries then stay in the CPU's cache instead of
# each taking fresh pages from the system, which costs as much as the arithmetic over 10⁶ steps.
LR_CHUNK = 1 << 16
GRANULARITIES = ("step", "epoch")
STEPS_PER_EPOCH = Number(ge=1, integer=True)
GRANULARITY = Choice(GRANULARITIES)


# The framework adapters sit above the engine and import it. The engine names them and loads one
# only when its method is called, so `import schedules` needs NumPy alone and no import runs upward.
ADAPTERS = {
    "keras": "frameworks.keras",
    "torch": "frameworks.torch",
    "optax": "frameworks.optax",
    "code": "frameworks.code",
}


def adapter(name: str):
    """The framework adapter module ``name`` (see :data:`ADAPTERS`), imported on first use."""
    return importlib.import_module(ADAPTERS[name])


def epochs_to_steps(epochs: float, steps_per_epoch: int) -> int:
    """round(epochs × steps_per_epoch), halves rounding up: the whole number of steps a length spans."""
    return math.floor(epochs * steps_per_epoch + 0.5)


class Schedule:
    """A learning-rate schedule over optimizer steps, built from a validated v1 document.

    With W, H, T the warm-up, hold and total lengths in steps:

        t < W:          warmup_start_lr + (base_lr − warmup_start_lr) · t / W
        W ≤ t < W + H:  base_lr
        W + H ≤ t:      decay(min(t, T) − W − H), the kind's formula (see ``schedules.kinds``)

    The warm-up above is the "linear" ``warmup_shape``; "cosine" and "log" rise along the pieces
    of ``schedules.phases.WARMUP_SHAPES``, all from warmup_start_lr at t = 0 to base_lr at t = W.

    With granularity "epoch", t is first floored to its epoch's first step. Steps below 0 read as
    step 0, steps past T as step T.

    Args:
      schedule: the document's ``schedule`` object: ``kind`` plus the common and kind fields.
      steps_per_epoch: optimizer steps in one epoch (integer ≥ 1).
      granularity: "step" or "epoch".
      run: optionally, the run's data and batch (``schedules.budget``); steps_per_epoch must be
        the one it implies.

    Attributes:
      params: the document's fields as written (lengths in epochs), defaults filled in.
      values: what the curve is built from, each value read there and only there: the lrs and
        shapes, the lengths in whole steps under their steps names (``warmup_steps``,
        ``steps_per_drop``, …), and what the kind implies for a common field it does not take
        (1cycle: no warm-up, no hold, floor 0).

    Raises:
      ConfigError: for any invalid argument, naming the field and the rule.

    >>> s = Schedule({"kind": "cosine", "base_lr": 1.0, "total_epochs": 10, "warmup_epochs": 2},
    ...              steps_per_epoch=1)
    >>> [round(float(x), 3) for x in s.lr([0, 1, 2, 6, 10, 99])]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """

    def __init__(self, schedule: Mapping[str, Any], steps_per_epoch: int, granularity: str = "step", run: Any = None):
        self.steps_per_epoch = STEPS_PER_EPOCH("steps_per_epoch", steps_per_epoch)
        self.granularity = GRANULARITY("granularity", granularity)
        self.run = None if run is None else read_run(run, self.steps_per_epoch)
        self.kind, self.params = _check_schedule(schedule)
        self.values = self.kind.implied | _values(self.kind, self.params, self.steps_per_epoch)
        for check in self.kind.checks:  # rules that tie fields together
            check(self.values)
        self._curve = self.kind.curve(self.values, *self.boundaries, self.total_steps)

    # Lengths in steps -------------------------------------------------------------------------
    @property
    def peak_lr(self) -> float:
        """The highest lr the decay reaches: base_lr, or max_lr for cyclical schedules."""
        return self.values[self.kind.peak]

    @property
    def total_steps(self) -> int:
        """T: optimizer steps in the whole schedule; lr(t) = lr(T) for every t ≥ T."""
        return self.values["total_steps"]

    @property
    def warmup_steps(self) -> int:
        return self.values["warmup_steps"]

    @property
    def hold_steps(self) -> int:
        return self.values["hold_steps"]

    @property
    def boundaries(self) -> tuple[int, int]:
        """(end of warm-up, end of hold), in steps: where the curve changes phase."""
        return self.warmup_steps, self.warmup_steps + self.hold_steps

    @property
    def decay_steps(self) -> int:
        """D = T − W − H: the length of the decay phase in steps."""
        return self.total_steps - self.boundaries[1]

    def turns(self):
        """The decay's :class:`~schedules.kinds.TurnSequence` (None for a smooth monotone decay)."""
        return None if self.kind.turns is None else self.kind.turns(self.values, self.decay_steps)

    def turning_steps(self, limit: int = 10_000) -> np.ndarray:
        """The first ``limit`` steps up to T where the decay drops, restarts or turns: between two
        of them, and between the phase boundaries, the curve is smooth and monotone.

        >>> s = Schedule({"kind": "step", "base_lr": 1.0, "total_epochs": 10, "warmup_epochs": 1,
        ...               "drop": 0.5, "epochs_per_drop": 3}, steps_per_epoch=1)
        >>> s.turning_steps().tolist()
        [4.0, 7.0, 10.0]
        """
        turns = self.turns()
        return np.empty(0) if turns is None else self.boundaries[1] + turns.first(limit)

    # The curve ---------------------------------------------------------------------------------
    def formula(self, steps, xp=np, out=None):
        """The learning rate at float ``steps`` (any shape) in the array namespace ``xp``.

        This is the single definition of the curve; :meth:`lr` calls it with NumPy (``out``, an
        array the answers are written into) and the Keras adapter with ``keras.ops``.
        """
        t = steps
        if self.granularity == "epoch":  # before the clip: an epoch past the end reads lr(T)
            t = whole_periods(xp.maximum(t, 0.0), self.steps_per_epoch, xp) * self.steps_per_epoch
        # ε + (base − ε) · 1 can round one ulp above base: no step is ever above the peak named.
        curve = self._curve(xp.clip(t, 0.0, float(self.total_steps)), xp)
        return xp.minimum(curve, self.peak_lr) if out is None else xp.minimum(curve, self.peak_lr, out=out)

    def lr(self, steps) -> np.ndarray:
        """The learning rate at each 0-based optimizer step (float64, the shape of ``steps``)."""
        steps = np.asarray(steps)
        if steps.ndim != 1 or steps.size <= LR_CHUNK:
            return np.asarray(self.formula(np.asarray(steps, dtype=np.float64)), dtype=np.float64)
        lr = np.empty(steps.shape, dtype=np.float64)
        for start in range(0, steps.size, LR_CHUNK):  # element-wise: the same answers as in one pass
            chunk = slice(start, start + LR_CHUNK)
            self.formula(np.asarray(steps[chunk], dtype=np.float64), out=lr[chunk])
        return lr

    def total_lr(self) -> float | None:
        """Σ lr over every step 0 … T − 1 in closed form, where each piece of the curve has one
        (see :func:`schedules.phases.summed`) and lr changes every step; else None.

        Equal to the sum of :meth:`lr` up to rounding, as two float sums of one series are.

        >>> s = Schedule({"kind": "linear", "base_lr": 1.0, "total_epochs": 1}, steps_per_epoch=4)
        >>> s.total_lr(), float(s.lr(range(4)).sum())
        (2.5, 2.5)
        """
        total = phases.total_of(self._curve)
        return None if total is None or self.granularity != "step" else float(total(0, self.total_steps))

    def with_steps_per_epoch(self, steps_per_epoch: int) -> Schedule:
        """The same schedule in epochs on another number of steps per epoch (a real run's): its
        lengths are in epochs, so only their rounding to steps changes. A ``run`` that implied the old
        number no longer applies and is dropped.

        Raises:
          ConfigError: when a length no longer spans a whole step, or the steps exceed 10⁹.
        """
        if steps_per_epoch == self.steps_per_epoch:
            return self
        config = self.to_config()
        config.pop("run", None)
        return Schedule.from_config(config | {"steps_per_epoch": steps_per_epoch})

    def to_keras(self):
        """This schedule as a ``keras.optimizers.schedules.LearningRateSchedule`` (see ``frameworks.keras``).

        It computes :meth:`formula` with ``keras.ops``, matches :meth:`lr` to float32 precision,
        runs inside ``model.fit`` and under ``tf.distribute`` strategies, and saves with the model.
        """
        return adapter("keras").to_keras(self)

    def to_torch(self, optimizer, lr_multipliers=None):
        """A ``torch.optim.lr_scheduler.LRScheduler`` that sets ``optimizer``'s lr to :meth:`lr` at each
        step (see ``frameworks.torch``)."""
        return adapter("torch").to_torch(self, optimizer, lr_multipliers)

    def to_optax(self):
        """A jit-compatible optax ``schedule(count)``: :meth:`formula` in ``jax.numpy`` (see ``frameworks.optax``)."""
        return adapter("optax").to_optax(self)

    def to_code(self, framework: str) -> str:
        """Copy-ready code building this schedule in "keras", "pytorch" or "optax" (see ``frameworks.code``)."""
        return adapter("code").to_code(self, framework)

    # Serialization: a v1 document in, the same document out (Keras's from_config / get_config) -----
    @classmethod
    def from_config(cls, doc: Any) -> Schedule:
        """The schedule a v1 document describes.

        Raises:
          ConfigError: naming the first invalid field; no other exception escapes.

        >>> s = Schedule.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
        ...                           "schedule": {"kind": "constant", "base_lr": 0.1, "total_epochs": 1}})
        >>> s.lr([0, 9]).tolist()
        [0.1, 0.1]
        """
        if not isinstance(doc, Mapping):
            raise ConfigError("document", f"must be a JSON object, got {show(doc)}")
        for key in doc:
            if key not in DOCUMENT_KEYS:
                raise ConfigError(key_path(None, key), f"{show(key)} is not a document field")
        if doc.get("format") != FORMAT or isinstance(doc.get("format"), bool):
            raise ConfigError("format", f'must be "{FORMAT}", got {show(doc.get("format"))}')
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version != VERSION:
            raise ConfigError("version", f"must be {VERSION}, got {show(version)}")
        for required in ("steps_per_epoch", "schedule"):
            if required not in doc:
                raise ConfigError(required, "is required")
        try:
            return cls(doc["schedule"], doc["steps_per_epoch"], doc.get("granularity", "step"), doc.get("run"))
        except (ArithmeticError, RecursionError) as error:  # belt and braces: a number no rule foresaw
            raise ConfigError("schedule", f"cannot be evaluated ({type(error).__name__})") from None

    def to_config(self) -> dict[str, Any]:
        """The v1 document this schedule was built from, defaults filled in: ``from_config`` of it
        gives an equal schedule."""
        return {
            **HEADER,
            "steps_per_epoch": self.steps_per_epoch,
            "granularity": self.granularity,
            "schedule": {"kind": self.kind.name, **self.params},
        } | ({} if self.run is None else {"run": self.run.to_config()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self.to_config() == other.to_config()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"Schedule({self.kind.name}: {args}; steps_per_epoch={self.steps_per_epoch}, {self.granularity!r})"


def _check_schedule(schedule: Any) -> tuple[Kind, dict[str, Any]]:
    """The kind and every field's value (defaults filled in), or the first ConfigError."""
    if not isinstance(schedule, Mapping):
        raise ConfigError("schedule", f"must be an object, got {show(schedule)}")
    kind_name = schedule.get("kind")
    if not isinstance(kind_name, str) or kind_name not in KINDS:
        known = ", ".join(f'"{name}"' for name in KINDS)
        rule = "is required" if "kind" not in schedule else f"must be one of {known}, got {show(kind_name)}"
        raise ConfigError("schedule.kind", rule)
    kind = KINDS[kind_name]
    values = read_fields("schedule", schedule, kind.all_fields, f'kind "{kind_name}"', also=("kind",))
    _check_phases(values)
    return kind, values


def _check_phases(values: Mapping[str, Any]) -> None:
    """The rules that tie common fields together."""
    warmup, hold_, total = values.get("warmup_epochs", 0), values.get("hold_epochs", 0), values["total_epochs"]
    if warmup + hold_ > total:
        raise ConfigError(
            "schedule.hold_epochs" if hold_ else "schedule.warmup_epochs",
            f"warmup_epochs + hold_epochs ({warmup + hold_:g}) must not exceed total_epochs ({total:g})",
        )
    if values.get("warmup_start_lr", 0.0) > values["base_lr"]:  # base_lr is the peak the warm-up rises to
        raise ConfigError(
            "schedule.warmup_start_lr",
            f"must not exceed base_lr ({values['base_lr']:g}), got {show(values['warmup_start_lr'])}",
        )
    if values.get("epsilon", 0.0) > values["base_lr"]:
        raise ConfigError(
            "schedule.epsilon", f"must not exceed base_lr ({values['base_lr']:g}), got {show(values['epsilon'])}"
        )


def _values(kind: Kind, params: Mapping[str, Any], steps_per_epoch: int) -> dict[str, Any]:
    """The fields' values as the formulas read them: every duration converted to whole steps (lists
    item by item) under its steps name — the one place epochs become steps; a positive length must
    span a step.

    Warm-up and hold are rounded where they end, not one by one, so that rounding keeps
    W ≤ W + H ≤ T whenever warmup_epochs + hold_epochs ≤ total_epochs.
    """
    to_steps = lambda epochs: epochs_to_steps(epochs, steps_per_epoch)  # noqa: E731
    values: dict[str, Any] = {}
    for field in kind.all_fields:
        if not field.duration:
            values[field.name] = params[field.name]
            continue
        name, epochs = field.name, params[field.name]
        for item in epochs if isinstance(epochs, list) else [epochs]:
            if item * steps_per_epoch > MAX_TOTAL_STEPS:
                raise ConfigError(
                    f"schedule.{name}",
                    f"{name} × steps_per_epoch ({item:g} × {steps_per_epoch}) "
                    f"must be at most {MAX_TOTAL_STEPS:,} steps",
                )
            if item > 0 and to_steps(item) == 0:
                raise ConfigError(
                    f"schedule.{name}", f"{item:g} epochs is shorter than one step at {steps_per_epoch} steps per epoch"
                )
        steps = [to_steps(item) for item in epochs] if isinstance(epochs, list) else to_steps(epochs)
        values[field.formula_name] = steps
    if "hold_steps" in values:
        hold_end = to_steps(params["warmup_epochs"] + params["hold_epochs"])
        values["hold_steps"] = hold_end - values["warmup_steps"]
        if params["hold_epochs"] > 0 and values["hold_steps"] == 0:
            raise ConfigError(
                "schedule.hold_epochs",
                f"{params['hold_epochs']:g} epochs is shorter than one step at {steps_per_epoch} steps per epoch",
            )
    return values
