"""The catalog: every schedule kind with its fields and its decay formula.

A decay formula is a builder: it receives the kind's arguments (durations already converted to
steps) and returns ``decay(e, xp)``, the learning rate ``e`` steps after the decay began. ``xp`` is
an array namespace — NumPy here, ``keras.ops`` in the Keras adapter — so each formula is written
once and serves every backend. Formulas are branch-free (``clip``, ``where``, ``maximum``) and must
stay finite for every ``e`` in ``[0, decay_steps]``.

Adding a kind is local: write its builder and add one :class:`Kind` to :data:`KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from schedules.errors import ConfigError
from schedules.fields import Choice, Field, Flag, Number, NumberList

Decay = Callable[..., Any]  # decay(e, xp) -> lr, element-wise over e


def progress(e, decay_steps: int, xp=np):
    """p = clamp(e / D, 0, 1): the fraction of the decay phase done (0 when D = 0)."""
    return xp.clip(e / max(decay_steps, 1), 0.0, 1.0)


def whole_periods(e, period: int, xp=np):
    """⌊e / S⌋ for whole-number e ≥ 0 and S ≥ 1, computed as ⌊(e + ½) / S⌋.

    The half step keeps the answer exact where a compiler rewrites e / S as e · (1 / S), which
    can land a hair below a whole number (TensorFlow's graph optimizer does, delaying a drop).
    """
    return xp.floor((e + 0.5) / period)


def cosine_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """Half a cosine from ``base_lr`` down to ``epsilon`` over ``decay_steps``.

    lr(e) = ε + (base − ε) · ½ (1 + cos πp),   p = clamp(e / D, 0, 1)

    Matches ``keras.optimizers.schedules.CosineDecay(alpha=ε / base)`` and optax's
    ``cosine_decay_schedule``.

    >>> decay = cosine_decay(base_lr=1.0, epsilon=0.0, decay_steps=10)
    >>> [round(float(decay(e)), 4) for e in (0, 5, 10)]
    [1.0, 0.5, 0.0]
    """

    half_range = 0.5 * (base_lr - epsilon)  # constants folded: fewer passes over a long array

    def decay(e, xp=np):
        return (epsilon + half_range) + half_range * xp.cos(math.pi * progress(e, decay_steps, xp))

    return decay


def step_decay(base_lr: float, epsilon: float, decay_steps: int, drop: float, epochs_per_drop: int) -> Decay:
    """Multiply by ``drop`` every ``epochs_per_drop`` (in steps here, S), never below ``epsilon``.

    lr(e) = max(ε, base · drop^⌊e / S⌋)

    Matches ``torch.optim.lr_scheduler.StepLR`` and Keras's ``ExponentialDecay(staircase=True)``.

    >>> decay = step_decay(base_lr=1.0, epsilon=0.0, decay_steps=100, drop=0.5, epochs_per_drop=10)
    >>> [float(decay(e)) for e in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.power(drop, whole_periods(e, epochs_per_drop, xp)))

    return decay


def constant(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """No decay: the warm-up and hold still apply, then the lr stays at the peak.

    lr(e) = base

    >>> float(constant(base_lr=0.1, epsilon=0.0, decay_steps=10)(7))
    0.1
    """

    def decay(e, xp=np):
        return xp.zeros_like(e) + base_lr  # float whatever e's dtype

    return decay


def linear_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """A straight line from ``base_lr`` down to ``epsilon``.

    lr(e) = ε + (base − ε) · (1 − p)

    Matches Hugging Face's ``get_linear_schedule_with_warmup`` (ε = 0) and ``get_wsd_schedule``
    with ``decay_type="linear"``.

    >>> [float(linear_decay(1.0, 0.0, 4)(e)) for e in (0, 1, 4)]
    [1.0, 0.75, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * (1.0 - progress(e, decay_steps, xp))

    return decay


def polynomial_decay(base_lr: float, epsilon: float, decay_steps: int, power: float) -> Decay:
    """A polynomial of degree ``power`` from ``base_lr`` down to ``epsilon``.

    lr(e) = ε + (base − ε) · (1 − p)^power

    Matches Keras's ``PolynomialDecay(end_learning_rate=ε)`` and Hugging Face's
    ``get_polynomial_decay_schedule_with_warmup``.

    >>> [float(polynomial_decay(1.0, 0.0, 2, power=2.0)(e)) for e in (0, 1, 2)]
    [1.0, 0.25, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * xp.power(1.0 - progress(e, decay_steps, xp), power)

    return decay


def one_minus_sqrt_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """The "1 − sqrt" cool-down of warm-up–stable–decay schedules.

    lr(e) = ε + (base − ε) · (1 − √p)

    Matches Hugging Face's ``get_wsd_schedule(decay_type="1-sqrt")``.

    >>> [float(one_minus_sqrt_decay(1.0, 0.0, 4)(e)) for e in (0, 1, 4)]
    [1.0, 0.5, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * (1.0 - xp.sqrt(progress(e, decay_steps, xp)))

    return decay


def exponential_decay(base_lr: float, epsilon: float, decay_steps: int, decay_rate: float, decay_epochs: int) -> Decay:
    """Multiply by ``decay_rate`` every ``decay_epochs`` (in steps here, S), smoothly.

    lr(e) = max(ε, base · rate^(e / S))

    Matches Keras's ``ExponentialDecay(staircase=False)``.

    >>> [float(exponential_decay(1.0, 0.0, 100, decay_rate=0.5, decay_epochs=10)(e)) for e in (0, 10, 20)]
    [1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.power(decay_rate, e / decay_epochs))

    return decay


def multistep_decay(base_lr: float, epsilon: float, decay_steps: int, milestones_epochs: list, gamma: float) -> Decay:
    """Multiply by ``gamma`` at each milestone (steps since the decay began, here).

    lr(e) = max(ε, base · gamma^(number of milestones m ≤ e))

    Matches ``torch.optim.lr_scheduler.MultiStepLR``.

    >>> [round(float(multistep_decay(1.0, 0.0, 100, milestones_epochs=[3, 6], gamma=0.1)(e)), 6) for e in (2, 3, 6)]
    [1.0, 0.1, 0.01]
    """

    def decay(e, xp=np):
        passed = xp.zeros_like(e)
        for milestone in milestones_epochs:
            passed = xp.where(e >= milestone, passed + 1.0, passed)  # stays in e's dtype
        return xp.maximum(epsilon, base_lr * xp.power(gamma, passed))

    return decay


def inverse_time_decay(base_lr: float, epsilon: float, decay_steps: int, decay_rate: float, decay_epochs: int) -> Decay:
    """Inverse time decay, S = decay_epochs in steps.

    lr(e) = max(ε, base / (1 + rate · e / S))

    Matches Keras's ``InverseTimeDecay(staircase=False)``.

    >>> [float(inverse_time_decay(1.0, 0.0, 100, decay_rate=1.0, decay_epochs=10)(e)) for e in (0, 10, 30)]
    [1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr / (1.0 + decay_rate * e / decay_epochs))

    return decay


def inverse_sqrt_decay(base_lr: float, epsilon: float, decay_steps: int, timescale_epochs: int) -> Decay:
    """The Transformer's inverse square root, τ = timescale_epochs in steps.

    lr(e) = max(ε, base · √(τ / (τ + e)))

    Matches Hugging Face's ``get_inverse_sqrt_schedule(timescale=τ)``.

    >>> [float(inverse_sqrt_decay(1.0, 0.0, 100, timescale_epochs=10)(e)) for e in (0, 30)]
    [1.0, 0.5]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.sqrt(timescale_epochs / (timescale_epochs + e)))

    return decay


def cosine_restarts_decay(
    base_lr: float, epsilon: float, decay_steps: int, first_cycle_epochs: int, cycle_mult: float, peak_mult: float
) -> Decay:
    """Cosine cycles that restart at a (possibly lower) peak and grow longer (SGDR).

    lr(e) = ε + (base − ε) · peak_mult^i · ½ (1 + cos πf)

    with cycle i lasting first × cycle_mult^i steps and f the fraction of it done. Matches Keras's
    ``CosineDecayRestarts(alpha=ε / base)`` and ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``
    (peak_mult = 1, integer cycle_mult).

    >>> [round(float(cosine_restarts_decay(1.0, 0.0, 100, 4, 2.0, 0.5)(e)), 3) for e in (0, 2, 4, 8)]
    [1.0, 0.5, 0.5, 0.25]
    """
    first = first_cycle_epochs

    def cycle_start(i, xp):
        if cycle_mult == 1:
            return first * i
        return first * (xp.power(cycle_mult, i) - 1.0) / (cycle_mult - 1.0)

    def decay(e, xp=np):
        if cycle_mult == 1:
            i = whole_periods(e, first, xp)
        else:
            i = xp.floor(xp.log(1.0 + e * (cycle_mult - 1.0) / first) / math.log(cycle_mult))
            # The logarithm can land a hair beside a restart: settle i against the cycle starts.
            i = xp.where(e >= cycle_start(i + 1.0, xp), i + 1.0, i)
            i = xp.where(e < cycle_start(i, xp), i - 1.0, i)
        fraction = (e - cycle_start(i, xp)) / (first * xp.power(cycle_mult, i))
        return epsilon + (base_lr - epsilon) * xp.power(peak_mult, i) * 0.5 * (1.0 + xp.cos(math.pi * fraction))

    return decay


def cyclic_decay(
    base_lr: float,
    epsilon: float,
    decay_steps: int,
    max_lr: float,
    cycle_up_epochs: int,
    cycle_down_epochs: int,
    mode: str,
    gamma: float,
) -> Decay:
    """Triangles between ``base_lr`` (the lower bound) and ``max_lr`` (Smith's cyclical lr).

    lr(e) = base + (max_lr − base) · s(x) · scale,  x = e / (up + down) − ⌊e / (up + down)⌋

    with s rising linearly to 1 over the up part of the cycle and back to 0 over the down part;
    scale is 1 (triangular), 2^−cycle (triangular2) or gamma^e (exp_range). Matches
    ``torch.optim.lr_scheduler.CyclicLR``.

    >>> decay = cyclic_decay(1.0, 0.0, 100, 3.0, 2, 2, "triangular2", 1.0)
    >>> [float(decay(e)) for e in (0, 1, 2, 4, 6)]
    [1.0, 2.0, 3.0, 1.0, 2.0]
    """
    period = cycle_up_epochs + cycle_down_epochs
    up_share = cycle_up_epochs / period

    def decay(e, xp=np):
        cycle = whole_periods(e, period, xp)
        x = e / period - cycle
        rise = xp.where(x <= up_share, x / up_share, (x - 1.0) / (up_share - 1.0))
        height = (max_lr - base_lr) * rise
        if mode == "triangular2":
            height = height * xp.power(0.5, cycle)
        elif mode == "exp_range":
            height = height * xp.power(gamma, e)
        return base_lr + height

    return decay


def one_cycle_decay(
    base_lr: float,
    epsilon: float,
    decay_steps: int,
    pct_start: float,
    div_factor: float,
    final_div_factor: float,
    anneal: str,
    three_phase: bool,
) -> Decay:
    """The 1cycle policy: up from base / div to the peak ``base_lr``, then down far below the start.

    Phases over T steps (the whole schedule; 1cycle brings its own warm-up), each annealing
    from a to b along ``anneal`` with q its fraction done: cos, b + (a − b) · ½(1 + cos πq), or
    linear, a + (b − a) · q:

        0 … pct_start·T − 1:     base / div → base
        … T − 1:                 base → base / div / final_div
        (three_phase: base → base / div until 2·pct_start·T − 2, then → base / div / final_div)

    Matches ``torch.optim.lr_scheduler.OneCycleLR(max_lr=base, total_steps=T)``.

    >>> decay = one_cycle_decay(1.0, 0.0, 10, 0.3, 10.0, 10.0, "linear", False)
    >>> [round(float(decay(e)), 3) for e in (0, 2, 9)]
    [0.1, 1.0, 0.01]
    """
    start_lr = base_lr / div_factor
    end_lr = start_lr / final_div_factor
    rise_end = pct_start * decay_steps - 1.0
    if rise_end <= 0:
        raise ConfigError(
            "schedule.pct_start",
            f"pct_start × total steps ({pct_start:g} × {decay_steps}) must exceed 1, so the rise spans a step",
        )
    if three_phase:
        fall_end = 2.0 * pct_start * decay_steps - 2.0
        if not fall_end < decay_steps - 1:
            raise ConfigError(
                "schedule.pct_start", f"with three_phase it must leave steps for the last phase, got {pct_start:g}"
            )
        phases = [
            (0.0, rise_end, start_lr, base_lr),
            (rise_end, fall_end, base_lr, start_lr),
            (fall_end, decay_steps - 1.0, start_lr, end_lr),
        ]
    else:
        phases = [(0.0, rise_end, start_lr, base_lr), (rise_end, decay_steps - 1.0, base_lr, end_lr)]

    def annealed(e, phase, xp):
        first, last, a, b = phase
        q = xp.clip((e - first) / max(last - first, 1e-12), 0.0, 1.0)
        if anneal == "cos":
            return b + (a - b) * 0.5 * (xp.cos(math.pi * q) + 1.0)
        return a + (b - a) * q

    def decay(e, xp=np):
        lr = annealed(e, phases[-1], xp)
        for phase in reversed(phases[:-1]):
            lr = xp.where(e <= phase[1], annealed(e, phase, xp), lr)
        return lr

    return decay


def _max_lr_above_base(values) -> None:
    if values["max_lr"] <= values["base_lr"]:
        raise ConfigError("schedule.max_lr", f"must be above base_lr ({values['base_lr']:g}), got {values['max_lr']:g}")


COMMON_FIELDS: tuple[Field, ...] = (
    Field("base_lr", Number(gt=0), help="peak learning rate, reached at the end of the warm-up"),
    Field("total_epochs", Number(gt=0), duration=True, help="length of the whole schedule"),
    Field("warmup_epochs", Number(ge=0), default=0, duration=True, help="warm-up length"),
    Field("warmup_start_lr", Number(ge=0), default=0.0, help="learning rate at step 0"),
    Field("warmup_shape", Choice(("linear", "cosine")), default="linear", help="how the warm-up rises"),
    Field("hold_epochs", Number(ge=0), default=0, duration=True, help="plateau at base_lr after warm-up"),
    Field("epsilon", Number(ge=0), default=0.0, help="floor the decay never goes below (≤ base_lr)"),
)
COMMON_NAMES = tuple(field.name for field in COMMON_FIELDS)


@dataclass(frozen=True)
class Kind:
    """A schedule kind: its name in documents, a title for people, its fields and formula.

    Attributes:
      common: the common fields it takes (1cycle brings its own warm-up and takes none of them).
      checks: rules that tie its fields together, each raising ConfigError.
      peak: the field holding its highest lr (``max_lr`` for cyclical schedules).
    """

    name: str
    title: str
    decay: Callable[..., Decay]
    fields: tuple[Field, ...] = ()
    common: tuple[str, ...] = COMMON_NAMES
    checks: tuple[Callable[[dict], None], ...] = ()
    peak: str = "base_lr"

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in COMMON_FIELDS if field.name in self.common) + self.fields


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("cosine", "Cosine decay", cosine_decay),
        Kind(
            "step",
            "Step decay",
            step_decay,
            fields=(
                Field("drop", Number(gt=0, le=1), help="factor applied at each drop", example=0.5),
                Field("epochs_per_drop", Number(gt=0), duration=True, help="epochs between drops", example=30.0),
            ),
        ),
        Kind("constant", "Constant", constant),
        Kind("linear", "Linear decay", linear_decay),
        Kind(
            "polynomial",
            "Polynomial decay",
            polynomial_decay,
            fields=(Field("power", Number(gt=0), help="the polynomial's degree", example=2.0),),
        ),
        Kind("one_minus_sqrt", "1 − sqrt decay (WSD)", one_minus_sqrt_decay),
        Kind(
            "exponential",
            "Exponential decay",
            exponential_decay,
            fields=(
                Field("decay_rate", Number(gt=0, le=1), help="factor per decay_epochs", example=0.5),
                Field("decay_epochs", Number(gt=0), duration=True, help="epochs per factor decay_rate", example=10.0),
            ),
        ),
        Kind(
            "multistep",
            "Multi-step decay",
            multistep_decay,
            fields=(
                Field(
                    "milestones_epochs",
                    NumberList(),
                    duration=True,
                    help="epochs after the decay starts",
                    example=[30.0, 60.0, 80.0],
                ),
                Field("gamma", Number(gt=0, le=1), help="factor at each milestone", example=0.1),
            ),
        ),
        Kind(
            "inverse_time",
            "Inverse time decay",
            inverse_time_decay,
            fields=(
                Field("decay_rate", Number(ge=0), help="how fast 1 / (1 + rate · e / S) falls", example=1.0),
                Field("decay_epochs", Number(gt=0), duration=True, help="S, in epochs", example=10.0),
            ),
        ),
        Kind(
            "inverse_sqrt",
            "Inverse square root",
            inverse_sqrt_decay,
            fields=(Field("timescale_epochs", Number(gt=0), duration=True, help="τ, in epochs", example=10.0),),
        ),
        Kind(
            "cosine_restarts",
            "Cosine with warm restarts (SGDR)",
            cosine_restarts_decay,
            fields=(
                Field(
                    "first_cycle_epochs", Number(gt=0), duration=True, help="length of the first cycle", example=10.0
                ),
                Field("cycle_mult", Number(ge=1), default=1.0, help="each cycle is this much longer"),
                Field("peak_mult", Number(gt=0, le=1), default=1.0, help="each restart's peak is this much lower"),
            ),
        ),
        Kind(
            "cyclic",
            "Cyclical (Smith)",
            cyclic_decay,
            fields=(
                Field("max_lr", Number(gt=0), help="the upper bound (base_lr is the lower)", example=0.1),
                Field("cycle_up_epochs", Number(gt=0), duration=True, help="epochs from base to max", example=5.0),
                Field(
                    "cycle_down_epochs",
                    Number(gt=0),
                    default=lambda values: values["cycle_up_epochs"],
                    duration=True,
                    help="epochs from max back to base (default: as up)",
                    example=5.0,
                ),
                Field(
                    "mode",
                    Choice(("triangular", "triangular2", "exp_range")),
                    default="triangular",
                    help="how peaks shrink",
                ),
                Field("gamma", Number(gt=0, le=1), default=1.0, help="exp_range: factor per step"),
            ),
            checks=(_max_lr_above_base,),
            peak="max_lr",
        ),
        Kind(
            "one_cycle",
            "1cycle",
            one_cycle_decay,
            fields=(
                Field("pct_start", Number(gt=0, lt=1), default=0.3, help="share of steps spent rising"),
                Field("div_factor", Number(ge=1), default=25.0, help="start lr = base_lr / div_factor"),
                Field("final_div_factor", Number(ge=1), default=1e4, help="end lr = start lr / final_div_factor"),
                Field("anneal", Choice(("cos", "linear")), default="cos", help="shape of each phase"),
                Field("three_phase", Flag(), default=False, help="fall back to the start lr before the end"),
            ),
            common=("base_lr", "total_epochs"),
        ),
    )
}
