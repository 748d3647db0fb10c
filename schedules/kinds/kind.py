"""What a schedule kind is: the fields every kind shares, the :class:`Kind` declaration, and the
helpers its formula and its turns are written with.

A decay formula is a builder: it receives the kind's values (lengths in steps, under their steps
names) and returns ``decay(e, xp)``, the learning rate ``e`` steps after the decay began. ``xp`` is
an array namespace — NumPy here, ``keras.ops`` in the Keras adapter — so each formula is written
once and serves every backend. Formulas are branch-free (``clip``, ``where``, ``maximum``) and must
stay finite for every ``e`` in ``[0, decay_steps]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from schedules import phases
from schedules.fields import Choice, Field, Number
from schedules.peers import Peer

Decay = Callable[..., Any]  # decay(e, xp) -> lr, element-wise over e
Values = Mapping[str, Any]  # a kind's values as the formulas read them: lrs, shapes, lengths in steps

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


def progress(e, decay_steps: int, xp=np):
    """p = clamp(e / D, 0, 1): the fraction of the decay phase done (0 when D = 0).

    Exactly 1 from the decay's end on, even where a compiler (XLA) rewrites e / D as e · (1 / D)
    and would land a hair below it: a polynomial of power 0.01 would end at 0.69 · base. NumPy
    divides exactly (e ≥ D gives e / D ≥ 1), so there the clip alone lands on 1.
    """
    span = max(decay_steps, 1)
    p = xp.clip(e / span, 0.0, 1.0)
    return p if xp is np else xp.where(e >= span, 1.0, p)


def whole_periods(e, period: int, xp=np):
    """⌊e / S⌋ for whole-number e ≥ 0 and S ≥ 1, computed as ⌊(e + ½) / S⌋.

    The half step keeps the answer exact where a compiler rewrites e / S as e · (1 / S), which
    can land a hair below a whole number (TensorFlow's graph optimizer does, delaying a drop).
    """
    return xp.floor((e + 0.5) / period)


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


Turns = Callable[[Values, int], TurnSequence]  # turns(values, decay_steps) -> the decay's turns


def periodic_turns(period: str) -> Turns:
    """Turns at each whole multiple k · S ≤ D of the length ``period`` (a steps name): drops, restarts."""

    def turns(values, decay_steps):
        size = values[period]
        return TurnSequence(decay_steps // size, lambda k: (k + 1.0) * size)

    return turns


@dataclass(frozen=True)
class Fitting:
    """What the fit (``schedules.fit``) needs to know of a kind to recover it from a logged lr.

    The fit reads a spec off the log — ``W``, ``hold_end`` and ``T`` (the warm-up's end, the
    hold's end and the total, in real-valued steps), the common lrs, and the kind's own fields
    under the names the formulas read — refines the free ones, then writes the document.

    Attributes:
      rank: the order kinds are tried in, simplest first (fewest parameters, most common); among
        kinds that match a log, the lowest rank is proposed.
      starts: ``starts(base, log)``, the starting specs (several where one guess may land in the
        wrong valley; none where the log shows no trace of the kind). ``base`` holds the common
        spec read off the log; ``log`` is the fit's view of it (``s``, ``y``, ``peak``, ``end``,
        ``end_guess``, ``steps_per_epoch``, ``drops()``, ``rises()``). By default, ``base`` with
        the kind's fields at their example or default.
      free: the kind's own fields the refinement moves (their field rules bound it), or a function
        of the spec giving them (a field that only one mode uses); by default every number field.
      floor: how ``epsilon`` enters the decay: "affine" (ε + (base − ε) · f, solved with the other
        linear lrs), "clip" (max(ε, …)), or "none".
      shaped_by_total: the curve before the end depends on the total (a cosine is stretched by it;
        a step decay is not), so the fit moves it and a log that ends early can tell it.
      moves_warmup, moves_hold: the refinement moves the warm-up's end and the hold's end (False
        where the starts read them exactly off the log, or where they change nothing).
      hold_visible: a hold differs from the decay after it (a constant lr's does not: none is
        proposed).
      plausible: a rule of the spec beyond the field rules (1cycle's rise must span a step).
    """

    rank: int = 100
    starts: Callable[[dict, Any], list[dict]] | None = None
    free: tuple[str, ...] | Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None
    floor: str = "affine"
    shaped_by_total: bool = False
    moves_warmup: bool = True
    moves_hold: bool = True
    hold_visible: bool = True
    plausible: Callable[[Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class Kind:
    """A schedule kind: its name in documents, a title for people, its fields and formula.

    Everything about a kind is declared here, and the rest derives from it: the document's rules,
    the studio's controls, the property tests, code export, the fit, the reference page and the
    README.

    Attributes:
      build_decay: the formula's builder: ``build_decay(base_lr, epsilon, decay_steps, **fields)``
        with each duration field in steps under its steps name, returning ``decay(e, xp)``.
      common: the common fields it takes (1cycle brings its own warm-up and takes none of them).
      checks: rules that tie its fields together, ``check(values)`` raising ConfigError.
      peak: the field holding its highest lr (``max_lr`` for cyclical schedules).
      monotone: the decay never rises (restarts and cycles do).
      turns: where the decay drops, restarts or changes direction (see :data:`Turns`); None for a
        decay that is smooth and monotone all the way.
      peers: the frameworks' own classes equal to it, and when (see ``schedules.peers``).
      fitting: what the fit needs to know of it (see :class:`Fitting`).
      decay_from_start: the decay's clock starts at step 0, not at the warm-up's end: its length
        counts the warm-up's steps, and the warm-up replaces its first ones (timm's
        ``warmup_prefix=False``). A hold holds that clock: the decay resumes where the warm-up left it.
        Turns are placed on the decay's own clock from its start, so a kind with turns has none.
    """

    name: str
    title: str
    build_decay: Callable[..., Decay]
    fields: tuple[Field, ...] = ()
    common: tuple[str, ...] = COMMON_NAMES
    checks: tuple[Callable[[Values], None], ...] = ()
    peak: str = "base_lr"
    monotone: bool = True
    turns: Turns | None = None
    peers: tuple[Peer, ...] = ()
    fitting: Fitting = Fitting()
    decay_from_start: bool = False

    def __post_init__(self):
        if self.decay_from_start and self.turns is not None:
            raise ValueError(f"{self.name}: a decay entered past its start cannot place its turns")

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in COMMON_FIELDS if field.name in self.common) + self.fields

    @property
    def implied(self) -> dict[str, Any]:
        """What it behaves as for each common field it does not take: that field's default, lengths
        in steps (1cycle: no warm-up, no hold, no floor)."""
        return {field.formula_name: field.default for field in COMMON_FIELDS if field.name not in self.common}

    def curve(self, values: Values, warmup_end: float, hold_end: float, total_steps: float) -> phases.Piece:
        """The whole curve over steps 0 … T: the warm-up, the hold at base_lr, then the decay, joined.

        The one place a kind's formula is assembled: :class:`~schedules.Schedule` calls it with
        whole steps, the fit with real-valued lengths while it searches.
        """
        base_lr = values["base_lr"]
        own = {field.formula_name: values[field.formula_name] for field in self.fields}
        entered = warmup_end if self.decay_from_start else 0  # the steps of its clock the warm-up used
        decay_steps = total_steps - hold_end + entered
        decay = self.build_decay(base_lr=base_lr, epsilon=values["epsilon"], decay_steps=decay_steps, **own)
        if entered:
            decay = phases.shifted(decay, entered)
        warmup = phases.WARMUP_SHAPES[values["warmup_shape"]](values["warmup_start_lr"], base_lr, warmup_end)
        return phases.join([warmup, phases.hold(base_lr), decay], [warmup_end, hold_end])


# Starting specs several kinds share ------------------------------------------------------------
def end_starts(base: dict, log: Any) -> list[dict]:
    """A decay shaped by its total, ending where the lr stops changing, or where the log ends."""
    return [base | {"T": max(log.end_guess, base["hold_end"] + 1)}, base | {"T": log.end}]


def rate_starts(base: dict, log: Any, rate_of: Callable[[np.ndarray, np.ndarray], float]) -> list[dict]:
    """A rate per epoch: 0.5, and ``rate_of(e, lr)`` read off the decaying records (e steps into it)."""
    decaying = (log.s > base["hold_end"]) & (log.y > 0)
    rates = [0.5]
    if decaying.sum() >= 2:
        rates.append(rate_of(log.s[decaying] - base["hold_end"], log.y[decaying]))
    return [base | {"rate_steps": log.steps_per_epoch, "decay_rate": min(1.0, max(r, 1e-12))} for r in rates]
