"""The learning-rate range test, as plain NumPy: the sweep, the smoothing, the stop rule, the
suggestions and their spread over seeds, and the small versioned JSON that carries a result.

A range test trains from fixed weights while the lr grows exponentially from ``start_lr`` to
``end_lr`` over ``steps`` optimizer steps, and records the loss at every step (Smith 2015, fastai's
``lr_find``). Where the loss falls fastest, and where it turns up, say which lrs train.

    lr(i) = start_lr · (end_lr / start_lr)^(i / (steps − 1)),  i = 0 … steps − 1

The loops that train live in the adapters (``frameworks.torch.lr_range_test``,
``frameworks.keras.lr_range_test``) and the demo's worker; they all feed :class:`LossTracker` and
hand the curve to :func:`result`, so a test run anywhere reads, suggests and stops the same way.

Robust by construction, against what goes wrong in other range tests:

- non-finite losses are dropped before anything is suggested (one NaN never wrecks the answer);
- the first ``burn_in`` steps are never suggested (an early spike or dip does not decide);
- every suggestion is given over several seeds with its spread, and :func:`combine` says when the
  seeds disagree by more than :data:`AGREEMENT` instead of pretending there is one answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from schedules.document import read_json
from schedules.errors import ConfigError
from schedules.fields import Number, as_finite_float, show

FORMAT, VERSION = "lr-range-test", 1
# Smoothing 0.9 averages about the last ten steps. fastai's 0.98 averages fifty: two decades of a
# 200-step sweep, so its smoothed curve, its stop and every suggestion lag far behind the loss.
DEFAULTS = {"start_lr": 1e-7, "end_lr": 10.0, "steps": 200, "smoothing": 0.9, "stop_factor": 4.0}
MIN_STEPS, MAX_STEPS = 10, 10_000
MAX_CURVES = 20
AGREEMENT = 3.0  # seeds whose suggestions differ by more than this factor disagree
SUGGESTIONS = ("steepest", "valley", "minimum")
TITLES = {"steepest": "steepest descent", "valley": "valley", "minimum": "minimum ÷ 10"}

LR = Number(gt=0)
STEPS = Number(ge=MIN_STEPS, le=MAX_STEPS, integer=True)
SMOOTHING = Number(ge=0, lt=1)
STOP_FACTOR = Number(gt=1)
SEED = Number(ge=0, le=2**63 - 1, integer=True)
ACCUMULATION = Number(ge=1, le=10_000, integer=True)


def sweep(start_lr: float, end_lr: float, steps: int) -> np.ndarray:
    """The lrs of a range test: ``steps`` values spaced evenly on a log scale, both ends included.

    >>> sweep(1e-9, 1.0, 10)[[0, 3, 9]].round(12).tolist()
    [1e-09, 1e-06, 1.0]
    """
    start_lr, end_lr, steps = LR("start_lr", start_lr), LR("end_lr", end_lr), STEPS("steps", steps)
    if end_lr <= start_lr:
        raise ConfigError("end_lr", f"must be above start_lr ({start_lr:g}), got {end_lr:g}")
    return np.geomspace(start_lr, end_lr, steps)


def smooth(losses: Sequence[float], smoothing: float = DEFAULTS["smoothing"]) -> np.ndarray:
    """The debiased exponential moving average of ``losses`` (Adam's bias correction), skipping
    non-finite losses: their places read NaN and the average goes on from the last finite one.

        m(i) = β · m(i − 1) + (1 − β) · loss(i),   smoothed(i) = m(i) / (1 − β^k)

    with k the finite losses seen so far, so the first value is the first loss, not (1 − β) of it.

    >>> smooth([1.0, float("nan"), 3.0], 0.5).round(4).tolist()
    [1.0, nan, 2.3333]
    """
    average, count, out = 0.0, 0, np.full(len(losses), np.nan)
    for index, loss in enumerate(np.asarray(losses, dtype=np.float64)):
        if math.isfinite(loss):
            average, count = smoothing * average + (1 - smoothing) * loss, count + 1
            out[index] = average / (1 - smoothing**count)
    return out


class LossTracker:
    """The stop rule, fed one loss per optimizer step by every loop that trains a range test.

    Stops when the loss is not finite, or when the smoothed loss exceeds ``stop_factor`` × the
    lowest smoothed loss so far (fastai's rule; 4 by default): past there the loss only explodes.

    >>> tracker = LossTracker(smoothing=0.0, stop_factor=4.0)
    >>> [tracker.add(loss) for loss in (2.0, 1.0, 3.0)], tracker.add(5.0)
    ([None, None, None], 'the smoothed loss (5) passed 4 × its lowest (1)')
    >>> LossTracker().add(float("nan"))
    'the loss was not a finite number'
    """

    def __init__(self, smoothing: float = DEFAULTS["smoothing"], stop_factor: float = DEFAULTS["stop_factor"]):
        self.smoothing = SMOOTHING("smoothing", smoothing)
        self.stop_factor = STOP_FACTOR("stop_factor", stop_factor)
        self._average, self._count, self.best = 0.0, 0, math.inf

    def add(self, loss: float) -> str | None:
        """Record one step's loss; the reason to stop now, or None to go on."""
        loss = float(loss)
        if not math.isfinite(loss):
            return "the loss was not a finite number"
        self._average = self.smoothing * self._average + (1 - self.smoothing) * loss
        self._count += 1
        smoothed = self._average / (1 - self.smoothing**self._count)
        self.best = min(self.best, smoothed)
        if smoothed > self.stop_factor * self.best and self.best > 0:
            return f"the smoothed loss ({smoothed:.3g}) passed {self.stop_factor:g} × its lowest ({self.best:.3g})"
        return None


@dataclass(frozen=True)
class Suggestion:
    """A suggested lr, the smoothed loss there and one sentence of why (None: nothing to suggest)."""

    name: str
    lr: float | None
    loss: float | None
    why: str


@dataclass(frozen=True)
class Curve:
    """One range test: the lrs reached, the loss at each (NaN where it was not finite), why it
    stopped, and the seed it started from (None when unknown)."""

    lrs: np.ndarray
    losses: np.ndarray
    stopped: str = ""
    seed: int | None = None


@dataclass(frozen=True)
class Settings:
    """How a range test ran: the sweep, the smoothing, the stop rule, the burn-in in steps and the
    micro-batches per optimizer step."""

    start_lr: float = DEFAULTS["start_lr"]
    end_lr: float = DEFAULTS["end_lr"]
    steps: int = DEFAULTS["steps"]
    smoothing: float = DEFAULTS["smoothing"]
    stop_factor: float = DEFAULTS["stop_factor"]
    burn_in: int | None = None  # None: a tenth of the steps, at least 5
    accumulation_steps: int = 1

    def __post_init__(self):
        sweep(self.start_lr, self.end_lr, self.steps)  # checks the three
        SMOOTHING("smoothing", self.smoothing)
        STOP_FACTOR("stop_factor", self.stop_factor)
        ACCUMULATION("accumulation_steps", self.accumulation_steps)
        if self.burn_in is None:
            object.__setattr__(self, "burn_in", max(5, self.steps // 10))
        Number(ge=0, lt=self.steps, integer=True)("burn_in", self.burn_in)

    @property
    def lrs(self) -> np.ndarray:
        return sweep(self.start_lr, self.end_lr, self.steps)


def steepest(lrs: np.ndarray, smoothed: np.ndarray, burn_in: int) -> Suggestion:
    """Where the smoothed loss falls fastest per decade of lr, between the burn-in and its minimum."""
    keep = np.flatnonzero(np.isfinite(smoothed))
    keep = keep[keep >= burn_in]
    if keep.size < 3:
        return Suggestion("steepest", None, None, "too few steps after the burn-in to find a slope")
    lowest = int(np.argmin(smoothed[keep]))
    window = keep[: lowest + 1]
    if window.size < 3:
        return Suggestion("steepest", None, None, "the loss never fell after the burn-in")
    # The slope across a span of steps on either side, not between neighbours: step-to-step noise
    # divided by a small step in log lr would be steeper than any real descent.
    span = max(1, min(window.size // 3, len(lrs) // 30))
    x, y = np.log10(lrs[window]), smoothed[window]
    slope = (y[2 * span :] - y[: -2 * span]) / (x[2 * span :] - x[: -2 * span])
    at = int(window[span + np.argmin(slope)])
    if slope.min() >= 0:
        return Suggestion("steepest", None, None, "the loss never fell after the burn-in")
    why = f"the smoothed loss falls fastest here ({slope.min():.3g} per tenfold lr), after a burn-in of {burn_in} steps"
    return Suggestion("steepest", float(lrs[at]), float(smoothed[at]), why)


def valley(lrs: np.ndarray, smoothed: np.ndarray, burn_in: int) -> Suggestion:
    """Halfway down the longest run of ever-lower smoothed losses (fastai's ``valley``: its
    longest decreasing subsequence), which a single spike cannot break."""
    keep = np.flatnonzero(np.isfinite(smoothed))
    keep = keep[keep >= burn_in]
    if keep.size < 3:
        return Suggestion("valley", None, None, "too few steps after the burn-in to find a valley")
    values = smoothed[keep]
    longest = np.ones(values.size, dtype=np.int64)  # longest decreasing run ending at each point
    start = np.arange(values.size)
    for index in range(1, values.size):
        higher = np.flatnonzero(values[:index] > values[index])
        if higher.size:
            best = higher[np.argmax(longest[higher])]
            longest[index], start[index] = longest[best] + 1, start[best]
    end = int(np.argmax(longest))
    first, last = int(keep[start[end]]), int(keep[end])
    if last == first:
        return Suggestion("valley", None, None, "the loss never fell after the burn-in")
    third = (end - start[end]) / 3  # fastai's point: a third and a sixth of the way down
    at = int(keep[start[end] + int(third) + int(third / 2)])
    why = (
        f"halfway down the longest descent of the smoothed loss "
        f"(lr {lrs[first]:.3g} to {lrs[last]:.3g}, {int(longest[end])} ever-lower steps)"
    )
    return Suggestion("valley", float(lrs[at]), float(smoothed[at]), why)


def minimum(lrs: np.ndarray, smoothed: np.ndarray, burn_in: int) -> Suggestion:
    """A tenth of the lr where the smoothed loss is lowest: the loss is still falling there."""
    keep = np.flatnonzero(np.isfinite(smoothed))
    keep = keep[keep >= burn_in]
    if keep.size == 0:
        return Suggestion("minimum", None, None, "no finite loss after the burn-in")
    at = int(keep[np.argmin(smoothed[keep])])
    why = f"a tenth of the lr where the smoothed loss is lowest ({smoothed[at]:.3g} at lr {lrs[at]:.3g})"
    lr = float(lrs[at]) / 10
    return Suggestion("minimum", lr, float(np.interp(np.log(lr), np.log(lrs), _filled(smoothed))), why)


def _filled(values: np.ndarray) -> np.ndarray:
    """NaNs replaced by the last finite value before them (for reading a loss off at any lr)."""
    finite = np.isfinite(values)
    if not finite.any():
        return values
    index = np.where(finite, np.arange(values.size), 0)
    np.maximum.accumulate(index, out=index)
    filled = values[index]
    filled[: np.argmax(finite)] = values[np.argmax(finite)]
    return filled


def smoothed_after(losses: np.ndarray, smoothing: float, burn_in: int) -> np.ndarray:
    """The smoothed loss the suggestions read: NaN through the burn-in, then :func:`smooth` started
    afresh, so an early spike (which a debiased average would carry for a hundred steps) leaves
    no trace.

    >>> smoothed_after(np.array([100.0, 1.0, 1.0]), 0.9, 1).tolist()
    [nan, 1.0, 1.0]
    """
    out = np.full(len(losses), np.nan)
    out[burn_in:] = smooth(losses[burn_in:], smoothing)
    return out


def suggest(curve: Curve, settings: Settings) -> dict[str, Suggestion]:
    """The three suggestions of one curve, by name (see :data:`SUGGESTIONS`)."""
    smoothed = smoothed_after(curve.losses, settings.smoothing, settings.burn_in)
    return {
        name: rule(curve.lrs, smoothed, settings.burn_in)
        for name, rule in (("steepest", steepest), ("valley", valley), ("minimum", minimum))
    }


@dataclass(frozen=True)
class Spread:
    """One suggestion over seeds: each seed's lr, their geometric mean, and whether they agree."""

    name: str
    lrs: tuple[float, ...]
    missing: int  # seeds that had nothing to suggest

    @property
    def lr(self) -> float | None:
        return float(np.exp(np.mean(np.log(self.lrs)))) if self.lrs else None

    @property
    def low(self) -> float | None:
        return min(self.lrs) if self.lrs else None

    @property
    def high(self) -> float | None:
        return max(self.lrs) if self.lrs else None

    @property
    def factor(self) -> float:
        """How far apart the seeds are: highest ÷ lowest (1 for one seed)."""
        return self.high / self.low if self.lrs else math.inf

    @property
    def agrees(self) -> bool:
        return bool(self.lrs) and self.factor <= AGREEMENT and self.missing == 0

    def sentence(self) -> str:
        """What the seeds say, in one sentence, disagreement included."""
        title = TITLES[self.name]
        if not self.lrs:
            return f"{title}: no seed found one."
        seeds = len(self.lrs) + self.missing
        if seeds == 1:
            return f"{title}: {self.lr:.3g} (one seed: no spread to show)."
        if self.missing:
            return f"{title}: only {len(self.lrs)} of {seeds} seeds found one; do not trust it."
        if not self.agrees:
            return (
                f"{title}: the seeds disagree by {self.factor:.3g}× ({self.low:.3g} to {self.high:.3g}), "
                f"more than {AGREEMENT:g}×: this curve has no single answer here."
            )
        within = f"{self.factor:.3g}× ({self.low:.3g} to {self.high:.3g})"
        return f"{title}: {self.lr:.3g}, the {seeds} seeds within {within}."


def combine(per_seed: Sequence[Mapping[str, Suggestion]]) -> dict[str, Spread]:
    """Each suggestion's spread over the seeds' suggestions."""
    return {
        name: Spread(
            name,
            tuple(s[name].lr for s in per_seed if s[name].lr is not None),
            sum(s[name].lr is None for s in per_seed),
        )
        for name in SUGGESTIONS
    }


@dataclass(frozen=True)
class RangeTest:
    """A range test over one or more seeds: how it ran, each curve, and the suggestions."""

    settings: Settings
    curves: tuple[Curve, ...]
    source: str = ""
    per_seed: tuple[dict[str, Suggestion], ...] = field(init=False)
    spreads: dict[str, Spread] = field(init=False)

    def __post_init__(self):
        if not self.curves:
            raise ConfigError("curves", "must hold at least one curve")
        per_seed = tuple(suggest(curve, self.settings) for curve in self.curves)
        object.__setattr__(self, "per_seed", per_seed)
        object.__setattr__(self, "spreads", combine(per_seed))

    @property
    def lrs(self) -> np.ndarray:
        return self.curves[0].lrs

    @property
    def losses(self) -> np.ndarray:
        return self.curves[0].losses

    def smoothed(self, curve: Curve) -> np.ndarray:
        """The smoothed loss of ``curve`` as the suggestions read it (NaN through the burn-in)."""
        return smoothed_after(curve.losses, self.settings.smoothing, self.settings.burn_in)

    @property
    def suggestions(self) -> dict[str, float | None]:
        """Each suggestion's lr, the geometric mean over seeds."""
        return {name: spread.lr for name, spread in self.spreads.items()}

    def to_json(self) -> dict[str, Any]:
        """The versioned document: settings and curves (non-finite losses as null), with the
        suggestions for a human reader; reading recomputes them."""
        settings = {key: getattr(self.settings, key) for key in Settings.__dataclass_fields__}
        return {
            "format": FORMAT,
            "version": VERSION,
            "source": self.source,
            "settings": settings,
            "curves": [
                {
                    "seed": curve.seed,
                    "stopped": curve.stopped,
                    "lrs": [float(lr) for lr in curve.lrs],
                    "losses": [float(x) if math.isfinite(x) else None for x in curve.losses],
                }
                for curve in self.curves
            ],
            "suggestions": {name: spread.lr for name, spread in self.spreads.items()},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), allow_nan=False) + "\n"


def result(
    settings: Settings, curves: Sequence[tuple[Sequence[float], Sequence[float], str, int | None]], source: str = ""
) -> RangeTest:
    """A :class:`RangeTest` from what the loops recorded: (lrs, losses, why it stopped, seed) each."""
    return RangeTest(
        settings,
        tuple(
            Curve(np.asarray(lrs, dtype=np.float64), np.asarray(losses, dtype=np.float64), stopped, seed)
            for lrs, losses, stopped, seed in curves
        ),
        source,
    )


DOCUMENT_KEYS = {"format", "version", "source", "settings", "curves", "suggestions"}
CURVE_KEYS = {"seed", "stopped", "lrs", "losses"}


def loads(text: str | bytes) -> RangeTest:
    """A range test from its JSON text, read by the strict reader (at most 1 MB, no NaN, no
    duplicate keys); ConfigError with one sentence naming the field otherwise.

    >>> test = loads('{"format": "lr-range-test", "version": 1, "settings": {"smoothing": 0, "burn_in": 1},'
    ...     ' "curves": [{"lrs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "losses": [5, 4, 3, 2, 1, 0.5, 0.4, 1, 2, null]}]}')
    >>> round(test.suggestions["minimum"], 3), test.settings.steps
    (0.7, 10)
    """
    data = read_json(text, "range test")
    if not isinstance(data, dict):
        raise ConfigError("range test", f"must be a JSON object, got {show(data)}")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ConfigError("format", f'must be "{FORMAT}" version {VERSION}: this is not a range-test file')
    if extra := sorted(set(data) - DOCUMENT_KEYS):
        raise ConfigError(str(extra[0])[:40], "is not a field of a range-test file")
    source = data.get("source", "")
    if not isinstance(source, str) or len(source) > 200:
        raise ConfigError("source", "must be a text of at most 200 characters")
    raw = data.get("settings", {})
    if not isinstance(raw, dict) or (extra := sorted(set(raw) - set(Settings.__dataclass_fields__))):
        raise ConfigError("settings", f"must be an object of {', '.join(Settings.__dataclass_fields__)}")
    curves = data.get("curves")
    if not isinstance(curves, list) or not 1 <= len(curves) <= MAX_CURVES:
        raise ConfigError("curves", f"must be a list of 1 to {MAX_CURVES} curves")
    read = [_read_curve(f"curves[{index}]", curve) for index, curve in enumerate(curves)]
    implied = {  # what a file without settings ran: its curves say
        "start_lr": min(float(c.lrs[0]) for c in read),
        "end_lr": max(float(c.lrs[-1]) for c in read),
        "steps": max(MIN_STEPS, *(len(c.lrs) for c in read)),
    }
    try:
        settings = Settings(**(implied | raw))
    except ConfigError as error:
        raise ConfigError(f"settings.{error.field}", error.rule) from None
    except TypeError:
        raise ConfigError("settings", "must hold numbers only") from None
    return RangeTest(settings, tuple(read), source)


def _loss(path: str, value: Any) -> float:
    number = as_finite_float(value)
    if number is None:
        raise ConfigError(path, f"must be a finite number, or null where the loss was not finite, got {show(value)}")
    return number


def _read_curve(path: str, curve: Any) -> Curve:
    if not isinstance(curve, dict) or not {"lrs", "losses"} <= set(curve) <= CURVE_KEYS:
        raise ConfigError(path, 'must be an object with "lrs" and "losses" (and "seed", "stopped")')
    lrs, losses = curve["lrs"], curve["losses"]
    if not isinstance(lrs, list) or not 2 <= len(lrs) <= MAX_STEPS:
        raise ConfigError(f"{path}.lrs", f"must be a list of 2 to {MAX_STEPS:,} numbers")
    values = np.array([LR(f"{path}.lrs[{i}]", lr) for i, lr in enumerate(lrs)], dtype=np.float64)
    if np.any(np.diff(values) <= 0):
        raise ConfigError(f"{path}.lrs", "must increase at every step")
    if not isinstance(losses, list) or len(losses) != len(lrs):
        raise ConfigError(f"{path}.losses", f"must be a list as long as lrs ({len(lrs)}), null where not finite")
    read_losses = np.array(
        [np.nan if loss is None else _loss(f"{path}.losses[{i}]", loss) for i, loss in enumerate(losses)],
        dtype=np.float64,
    )
    seed = curve.get("seed")
    if seed is not None:
        seed = SEED(f"{path}.seed", seed)
    stopped = curve.get("stopped", "")
    if not isinstance(stopped, str) or len(stopped) > 300:
        raise ConfigError(f"{path}.stopped", "must be a text of at most 300 characters")
    return Curve(values, read_losses, stopped, seed)


def write(test: RangeTest, path) -> None:
    """Write ``test`` as its versioned JSON file (what the *Find the lr* page imports)."""
    from pathlib import Path  # noqa: PLC0415 - the one place the engine writes a file

    Path(path).write_text(test.dumps(), encoding="utf-8")


# Smith's cyclical lr runs between max_lr and a lower bound a third or a quarter of it.
CYCLIC_DIVISOR = 4.0


def at_peak(document: Mapping[str, Any], lr: float) -> dict[str, Any]:
    """A v1 document with its peak lr set to ``lr``: ``base_lr`` for most kinds (1cycle then starts
    at lr ÷ its ``div_factor``), ``max_lr`` for the cyclical schedule with ``base_lr`` = lr ÷
    :data:`CYCLIC_DIVISOR`; a warm-up start and a floor above the new peak come down to it.
    Not validated here (``from_config`` does that).

    >>> doc = {"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
    ...        "schedule": {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "total_epochs": 10,
    ...                     "cycle_up_epochs": 2}}
    >>> at_peak(doc, 0.4)["schedule"] | {}
    {'kind': 'cyclic', 'base_lr': 0.1, 'max_lr': 0.4, 'total_epochs': 10, 'cycle_up_epochs': 2}
    """
    LR("lr", lr)
    fields = dict(document["schedule"])
    if fields["kind"] == "cyclic":
        fields |= {"max_lr": lr, "base_lr": lr / CYCLIC_DIVISOR}
    else:
        fields["base_lr"] = lr
    for name in ("warmup_start_lr", "epsilon"):
        if name in fields and isinstance(fields[name], (int, float)) and fields[name] > lr:
            fields[name] = lr
    return {**document, "schedule": fields}
