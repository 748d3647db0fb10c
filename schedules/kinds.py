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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from schedules import peers, phases
from schedules.errors import ConfigError
from schedules.fields import Choice, Field, Flag, Number, NumberList
from schedules.peers import Peer
from schedules.phases import join

Decay = Callable[..., Any]  # decay(e, xp) -> lr, element-wise over e


@dataclass(frozen=True)
class TurnSequence:
    """Where a decay drops, restarts or changes direction: turn k (0-based) lies at e = ``at(k)``
    steps after the decay began, ascending; ``count`` of them lie in (0, D]. Between two turns the
    decay is smooth and monotone, and across them its peaks never rise, nor do its troughs.

    ``at`` takes an integer array, so a schedule with 10⁹ drops answers "the turns near step s"
    without listing them all.
    """

    count: int
    at: Callable[[np.ndarray], np.ndarray]

    def first(self, limit: int) -> np.ndarray:
        """The first ``limit`` turns (fewer if there are fewer)."""
        return self.at(np.arange(min(self.count, limit), dtype=np.int64)).astype(np.float64)

    def index_at_or_after(self, e: np.ndarray) -> np.ndarray:
        """For each e, the index of the first turn at or after it (``count`` if none): a vectorized
        binary search, ⌈log₂ count⌉ evaluations of ``at``."""
        low = np.zeros(np.shape(e), dtype=np.int64)
        high = np.full(np.shape(e), self.count, dtype=np.int64)
        while np.any(low < high):
            middle = (low + high) // 2
            before = (low < high) & (self.at(np.minimum(middle, max(self.count - 1, 0))) < e)
            low = np.where(before, middle + 1, low)
            high = np.where((low < high) & ~before, middle, high)
        return low


# turns(steps, params, decay_steps) -> the decay's TurnSequence; steps holds durations in steps.
Turns = Callable[[Mapping[str, Any], Mapping[str, Any], int], TurnSequence]


def every(period: str) -> Turns:
    """Turns at each whole multiple k · S ≤ D of the duration field ``period``: drops, restarts."""

    def turns(steps, params, decay_steps):
        size = steps[period]
        return TurnSequence(decay_steps // size, lambda k: (k + 1.0) * size)

    return turns


def milestones(steps, params, decay_steps):
    """Turns at each milestone inside the decay."""
    inside = np.array([m for m in steps["milestones_epochs"] if m <= decay_steps], dtype=np.float64)
    return TurnSequence(inside.size, lambda k: inside[k])


def progress(e, decay_steps: int, xp=np):
    """p = clamp(e / D, 0, 1): the fraction of the decay phase done (0 when D = 0).

    Exactly 1 from the decay's end on, even where a compiler (XLA) rewrites e / D as e · (1 / D)
    and would land a hair below it: a polynomial of power 0.01 would end at 0.69 · base.
    """
    span = max(decay_steps, 1)
    return xp.where(e >= span, 1.0, xp.clip(e / span, 0.0, 1.0))


def whole_periods(e, period: int, xp=np):
    """⌊e / S⌋ for whole-number e ≥ 0 and S ≥ 1, computed as ⌊(e + ½) / S⌋.

    The half step keeps the answer exact where a compiler rewrites e / S as e · (1 / S), which
    can land a hair below a whole number (TensorFlow's graph optimizer does, delaying a drop).
    """
    return xp.floor((e + 0.5) / period)


def cosine_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """Half a cosine from ``base_lr`` down to ``epsilon`` over ``decay_steps``.

    lr(e) = ε + (base − ε) · ½ (1 + cos πp),   p = clamp(e / D, 0, 1)

    Matches ``keras.optimizers.schedules.CosineDecay(alpha=ε / base)``, optax's
    ``cosine_decay_schedule``, Hugging Face's ``cosine_with_min_lr`` and ``get_wsd_schedule`` with
    ``decay_type="cosine"``, and DeepSpeed's ``WarmupCosineLR(cos_min_ratio=ε / base)``.

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

    Matches DeepSpeed's ``WarmupLR`` after a log warm-up.

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
    with ``decay_type="linear"``, and DeepSpeed's ``WarmupDecayLR`` after a one-step hold (its
    peak lasts two steps).

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
            # The logarithm, and the starts themselves, can land a hair beside a restart: settle i
            # against the starts, with a margin far above their rounding and far below a step.
            at_least = e + 1e-12 * (e + first)
            i = xp.where(at_least >= cycle_start(i + 1.0, xp), i + 1.0, i)
            i = xp.where(at_least < cycle_start(i, xp), i - 1.0, i)
        fraction = xp.clip((e - cycle_start(i, xp)) / (first * xp.power(cycle_mult, i)), 0.0, 1.0)
        return epsilon + (base_lr - epsilon) * xp.power(peak_mult, i) * 0.5 * (1.0 + xp.cos(math.pi * fraction))

    return decay


def restarts(steps, params, decay_steps):
    """Turns where each cycle of :func:`cosine_restarts_decay` restarts: cycle k + 1 starts at
    first · (mult^(k+1) − 1) / (mult − 1) (at first · (k + 1) when mult = 1)."""
    first, mult = steps["first_cycle_epochs"], params["cycle_mult"]
    if mult == 1:
        return every("first_cycle_epochs")(steps, params, decay_steps)

    def at(k):
        with np.errstate(over="ignore"):
            return first * (np.power(mult, k + 1.0) - 1.0) / (mult - 1.0)

    count = int(math.floor(math.log1p(decay_steps * (mult - 1.0) / first) / math.log(mult)))
    while at(np.array(count)) <= decay_steps:  # settle the logarithm's rounding
        count += 1
    while count > 0 and at(np.array(count - 1)) > decay_steps:
        count -= 1
    return TurnSequence(count, at)


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


def peaks_and_troughs(steps, params, decay_steps):
    """Turns of :func:`cyclic_decay`: each cycle's peak, then its end.

    In exp_range mode the rise s · gamma^e peaks where its derivative vanishes, 1 / ln(1 / gamma)
    steps into the cycle, when that comes before the end of the up part.
    """
    up, period = steps["cycle_up_epochs"], steps["cycle_up_epochs"] + steps["cycle_down_epochs"]
    if params["mode"] == "exp_range" and params["gamma"] < 1:
        up = min(up, -1.0 / math.log(params["gamma"]))
    cycles = decay_steps // period
    count = 2 * cycles + (cycles * period + up <= decay_steps)
    return TurnSequence(int(count), lambda k: (k // 2) * period + np.where(k % 2 == 0, up, period))


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

    lr(e) = base / div → base until pct_start·T − 1, then → base / div / final_div (annealed)

    Phases over T steps (the whole schedule; 1cycle brings its own warm-up), each an
    :func:`~schedules.phases.anneal` piece along ``anneal`` (cos or linear):

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
    last = decay_steps - 1.0
    rise_end = pct_start * decay_steps - 1.0
    if not three_phase:
        return join(
            [
                phases.anneal(start_lr, base_lr, rise_end, anneal),
                phases.anneal(base_lr, end_lr, last - rise_end, anneal),
            ],
            [rise_end],
        )
    fall_end = 2.0 * pct_start * decay_steps - 2.0
    pieces = [
        phases.anneal(start_lr, base_lr, rise_end, anneal),
        phases.anneal(base_lr, start_lr, fall_end - rise_end, anneal),
        phases.anneal(start_lr, end_lr, last - fall_end, anneal),
    ]
    return join(pieces, [rise_end, fall_end])


def one_cycle_turns(steps, params, decay_steps):
    """Where 1cycle's phases meet: its peak, and with three phases the return to the start lr."""
    rise_end = params["pct_start"] * decay_steps - 1.0
    turns = np.array([rise_end, 2.0 * rise_end] if params["three_phase"] else [rise_end])
    return TurnSequence(turns.size, lambda k: turns[k])


def _one_cycle_phases_span_steps(values: Mapping[str, Any], steps: Mapping[str, Any]) -> None:
    total, pct_start = steps["total_epochs"], values["pct_start"]
    if pct_start * total - 1.0 <= 0:
        raise ConfigError(
            "schedule.pct_start",
            f"pct_start × total steps ({pct_start:g} × {total}) must exceed 1, so the rise spans a step",
        )
    if values["three_phase"] and not 2.0 * pct_start * total - 2.0 < total - 1:
        raise ConfigError(
            "schedule.pct_start", f"with three_phase it must leave steps for the last phase, got {pct_start:g}"
        )


def _max_lr_above_base(values: Mapping[str, Any], steps: Mapping[str, Any]) -> None:
    if values["max_lr"] <= values["base_lr"]:
        raise ConfigError("schedule.max_lr", f"must be above base_lr ({values['base_lr']:g}), got {values['max_lr']:g}")


COMMON_FIELDS: tuple[Field, ...] = (
    Field("base_lr", Number(gt=0), help="peak learning rate, reached at the end of the warm-up"),
    Field("total_epochs", Number(gt=0), duration=True, help="length of the whole schedule"),
    Field("warmup_epochs", Number(ge=0), default=0, duration=True, help="warm-up length"),
    Field("warmup_start_lr", Number(ge=0), default=0.0, help="learning rate at step 0 (≤ base_lr)"),
    Field("warmup_shape", Choice(tuple(phases.WARMUP_SHAPES)), default="linear", help="how the warm-up rises"),
    Field("hold_epochs", Number(ge=0), default=0, duration=True, help="plateau at base_lr after warm-up"),
    Field("epsilon", Number(ge=0), default=0.0, help="floor the decay never goes below (≤ base_lr)"),
)
COMMON_NAMES = tuple(field.name for field in COMMON_FIELDS)


@dataclass(frozen=True)
class Kind:
    """A schedule kind: its name in documents, a title for people, its fields and formula.

    Everything about a kind is declared here, and the rest derives from it: the document's rules,
    the studio's controls, the property tests, code export, the reference page and the README.

    Attributes:
      common: the common fields it takes (1cycle brings its own warm-up and takes none of them).
      checks: rules that tie its fields together, ``check(values, steps)`` raising ConfigError
        (``steps`` holds the duration fields in steps).
      peak: the field holding its highest lr (``max_lr`` for cyclical schedules).
      monotone: the decay never rises (restarts and cycles do).
      turns: where the decay drops, restarts or changes direction (see :data:`Turns`); None for a
        decay that is smooth and monotone all the way.
      peers: the frameworks' own classes equal to it, and when (see ``schedules.peers``).
    """

    name: str
    title: str
    decay: Callable[..., Decay]
    fields: tuple[Field, ...] = ()
    common: tuple[str, ...] = COMMON_NAMES
    checks: tuple[Callable[[Mapping[str, Any], Mapping[str, Any]], None], ...] = ()
    peak: str = "base_lr"
    monotone: bool = True
    turns: Turns | None = None
    peers: tuple[Peer, ...] = ()

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in COMMON_FIELDS if field.name in self.common) + self.fields


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "cosine",
            "Cosine decay",
            cosine_decay,
            peers=(
                Peer("keras", "keras.optimizers.schedules.CosineDecay", "no hold, linear warm-up", peers.keras_cosine),
                Peer(
                    "huggingface",
                    "transformers.get_cosine_schedule_with_warmup",
                    "no hold, linear warm-up from 0, ε = 0",
                ),
                Peer(
                    "huggingface",
                    "transformers.get_cosine_with_min_lr_schedule_with_warmup",
                    "no hold, linear warm-up from 0",
                    peers.huggingface_cosine_with_min_lr,
                ),
                Peer(
                    "huggingface",
                    "transformers.get_wsd_schedule",
                    'decay_type="cosine", linear or cosine warm-up from ε',
                    peers.huggingface_wsd,
                ),
                Peer("optax", "optax.cosine_decay_schedule", "linear warm-up", peers.optax_cosine),
                Peer(
                    "deepspeed",
                    "deepspeed.runtime.lr_schedules.WarmupCosineLR",
                    "log warm-up from 0 of 2 steps or more, no hold",
                    peers.deepspeed_warmup_cosine_lr,
                ),
            ),
        ),
        Kind(
            "step",
            "Step decay",
            step_decay,
            fields=(
                Field("drop", Number(gt=0, le=1), help="factor applied at each drop", example=0.5),
                Field("epochs_per_drop", Number(gt=0), duration=True, help="epochs between drops", example=30.0),
            ),
            turns=every("epochs_per_drop"),
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.PiecewiseConstantDecay",
                    "no warm-up or hold",
                    peers.only_if(peers.plain, peers.keras_piecewise),
                ),
                Peer("keras", "keras.optimizers.schedules.ExponentialDecay", "staircase=True, no warm-up, hold or ε"),
                Peer(
                    "pytorch",
                    "torch.optim.lr_scheduler.StepLR",
                    "no warm-up, hold or ε",
                    peers.only_if(
                        peers.unfloored,
                        lambda s: {"step_size": s.steps_of("epochs_per_drop"), "gamma": s.params["drop"]},
                    ),
                ),
                Peer(
                    "optax",
                    "optax.exponential_decay",
                    "staircase, linear warm-up",
                    peers.optax_exponential("epochs_per_drop", staircase=True),
                ),
            ),
        ),
        Kind(
            "constant",
            "Constant",
            constant,
            peers=(
                Peer(
                    "keras",
                    "float",
                    "no warm-up or hold",
                    peers.only_if(peers.plain, lambda s: {"value": s.params["base_lr"]}),
                ),
                Peer("optax", "optax.constant_schedule", "linear warm-up", lambda s: {"value": s.params["base_lr"]}),
                Peer(
                    "deepspeed",
                    "deepspeed.runtime.lr_schedules.WarmupLR",
                    "log warm-up of 2 steps or more",
                    peers.deepspeed_warmup_lr,
                ),
            ),
        ),
        Kind(
            "linear",
            "Linear decay",
            linear_decay,
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.PolynomialDecay",
                    "power 1, no warm-up or hold",
                    peers.only_if(peers.plain, peers.keras_polynomial),
                ),
                Peer(
                    "huggingface",
                    "transformers.get_linear_schedule_with_warmup",
                    "no hold, linear warm-up from 0, ε = 0",
                ),
                Peer(
                    "huggingface",
                    "transformers.get_wsd_schedule",
                    'decay_type="linear", linear or cosine warm-up from ε',
                    peers.huggingface_wsd,
                ),
                Peer("optax", "optax.polynomial_schedule", "power 1, linear warm-up", peers.optax_polynomial),
                Peer(
                    "deepspeed",
                    "deepspeed.runtime.lr_schedules.WarmupDecayLR",
                    "log warm-up of 2 steps or more, a 1-step hold, ε = warmup_start_lr; total_num_steps = T − 1",
                    peers.deepspeed_warmup_decay_lr,
                ),
            ),
        ),
        Kind(
            "polynomial",
            "Polynomial decay",
            polynomial_decay,
            fields=(Field("power", Number(gt=0), help="the polynomial's degree", example=2.0),),
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.PolynomialDecay",
                    "no warm-up or hold",
                    peers.only_if(peers.plain, peers.keras_polynomial),
                ),
                Peer(
                    "huggingface",
                    "transformers.get_polynomial_decay_schedule_with_warmup",
                    "no hold, linear warm-up from 0",
                ),
                Peer("optax", "optax.polynomial_schedule", "linear warm-up", peers.optax_polynomial),
            ),
        ),
        Kind(
            "one_minus_sqrt",
            "1 − sqrt decay (WSD)",
            one_minus_sqrt_decay,
            peers=(
                Peer(
                    "huggingface",
                    "transformers.get_wsd_schedule",
                    'decay_type="1-sqrt", linear or cosine warm-up from ε',
                    peers.huggingface_wsd,
                ),
            ),
        ),
        Kind(
            "exponential",
            "Exponential decay",
            exponential_decay,
            fields=(
                Field("decay_rate", Number(gt=0, le=1), help="factor per decay_epochs", example=0.5),
                Field("decay_epochs", Number(gt=0), duration=True, help="epochs per factor decay_rate", example=10.0),
            ),
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.ExponentialDecay",
                    "no warm-up, hold or ε",
                    peers.only_if(peers.unfloored, peers.keras_rate),
                ),
                Peer(
                    "optax",
                    "optax.exponential_decay",
                    "linear warm-up",
                    peers.optax_exponential("decay_epochs", staircase=False),
                ),
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
            turns=milestones,
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.PiecewiseConstantDecay",
                    "no warm-up or hold",
                    peers.only_if(peers.plain, peers.keras_piecewise),
                ),
                Peer(
                    "pytorch",
                    "torch.optim.lr_scheduler.MultiStepLR",
                    "no warm-up, hold or ε",
                    peers.only_if(
                        peers.unfloored,
                        lambda s: {"milestones": s.steps_of("milestones_epochs"), "gamma": s.params["gamma"]},
                    ),
                ),
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
            peers=(
                Peer(
                    "keras",
                    "keras.optimizers.schedules.InverseTimeDecay",
                    "no warm-up, hold or ε",
                    peers.only_if(peers.unfloored, peers.keras_rate),
                ),
            ),
        ),
        Kind(
            "inverse_sqrt",
            "Inverse square root",
            inverse_sqrt_decay,
            fields=(Field("timescale_epochs", Number(gt=0), duration=True, help="τ, in epochs", example=10.0),),
            peers=(
                Peer(
                    "huggingface",
                    "transformers.get_inverse_sqrt_schedule",
                    "timescale τ, no hold, linear warm-up from 0, ε = 0",
                ),
            ),
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
            monotone=False,
            turns=restarts,
            peers=(
                Peer("keras", "keras.optimizers.schedules.CosineDecayRestarts", "no warm-up or hold"),
                Peer(
                    "pytorch",
                    "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
                    "no warm-up or hold, peak_mult 1, whole cycle_mult",
                    peers.only_if(peers.plain, peers.torch_cosine_restarts),
                ),
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
            monotone=False,
            turns=peaks_and_troughs,
            peers=(
                Peer(
                    "pytorch",
                    "torch.optim.lr_scheduler.CyclicLR",
                    "no warm-up or hold",
                    peers.only_if(peers.plain, peers.torch_cyclic),
                ),
            ),
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
            checks=(_one_cycle_phases_span_steps,),
            turns=one_cycle_turns,
            peers=(
                Peer(
                    "pytorch",
                    "torch.optim.lr_scheduler.OneCycleLR",
                    "per step",
                    peers.only_if(peers.plain, peers.torch_one_cycle),
                ),
            ),
        ),
    )
}
