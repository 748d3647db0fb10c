"""Recover a schedule from a logged lr series alone: every catalog kind fitted, the best proposed.

Each kind is fitted in three moves, in optimizer steps:

1. starting values read off the log — the peak, where it is first reached (the warm-up's end),
   where the plateau after it ends (the decay's start), where the lr stops changing (the end),
   the drops and restarts;
2. its lengths and shape parameters refined by Nelder–Mead on the continuous formula (the kind's
   own decay, with lengths as real numbers), the lrs that enter the formula linearly (base,
   warm-up start, floor; max_lr) solved at each try by weighted linear least squares, each
   point weighted by 1 / its tolerance (relative for most lrs, absolute near zero);
3. lengths rounded to whole steps and each nudged by ±1 step, every candidate scored as a real
   v1 document through :class:`~schedules.Schedule`.

The proposal is the kind with the smallest worst-step error; among kinds matching every step to
float32 precision, the one with the fewest parameters. Pure NumPy: it runs wherever the
verification does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from schedules.diagnose import RELATIVE_FLOOR, RTOL, conventions, listed, plural, tolerance
from schedules.document import from_config, make_document
from schedules.errors import ConfigError
from schedules.fields import Number
from schedules.kinds import KINDS, Fitting, Kind
from schedules.schedule import Schedule

MAX_FIT_POINTS = 20_000  # the shortest decimals are checked on an even subsample; the final score sees every step
COARSE_POINTS = 2_000  # the continuous refinement sees fewer
POLISH_POINTS = 5_000  # whole-step polishing: an even sample, and every step near a boundary
# A refinement stops once every point is within half a percent of its tolerance (mean square of
# error ÷ tolerance over 2,000 points ≤ 1e-8): the polish and the shortest decimals need no more.
EXACT = 1e-8
CLOSE_ENOUGH = 2.0  # where no kind matches, a simpler kind this close to the closest is preferred
# Fewer parameters first: among kinds that match, the simplest story wins (each kind's rank).
SIMPLICITY = tuple(sorted(KINDS, key=lambda name: KINDS[name].fitting.rank))
OWN_WARMUP = tuple(name for name in SIMPLICITY if "warmup_epochs" not in KINDS[name].common)  # 1cycle


def _fitting(spec: Mapping) -> Fitting:
    return KINDS[spec["kind"]].fitting


def _clipped(spec: Mapping) -> bool:
    """The kind's floor is max(ε, …): the log's points on it say nothing of the rest."""
    return _fitting(spec).floor == "clip"


@dataclass(frozen=True)
class Fit:
    """A proposed schedule and how well it explains the log.

    Attributes:
      document: the v1 document.
      max_rel_error: the largest relative difference at any logged step.
      rms_rel_error: the root mean square of the relative differences.
      matches: every logged step within float32 precision of the logged value (see
        ``schedules.diagnose``): noise never matches, however large the design it proposes.
      ranking: (kind, max relative error) of every kind tried, best first.
      convention: the writer's convention the fit read the log with, in words (None for a writer
        of no known convention).
      shift: the steps that convention reads the log on: the design's lr at logged step k is its
        lr(k + shift) (where skipped steps were taken out, at the scheduler's step k).
      undetermined: what the log does not determine, a sentence for one field or a few that trade
        off (or for the writer's convention), e.g.
        "warmup_epochs: not determined by this log (it ends at or before step 10, the first record)".
      findings: what the log itself shows went wrong, with no design to compare with: the lr
        rising again after its decay began (a restart, with the design the part before it
        follows), or a schedule that ends a whole fraction into the run its file states
        (stepped per micro-batch); each ``{"type": …, <its numbers>, "sentence": …}``.
    """

    document: dict
    max_rel_error: float
    rms_rel_error: float
    matches: bool
    ranking: tuple[tuple[str, float], ...]
    convention: str | None = None
    shift: int = 0
    undetermined: tuple[str, ...] = ()
    findings: tuple[dict, ...] = ()

    @property
    def schedule(self) -> Schedule:
        return from_config(self.document)


def fit(
    steps,
    lr,
    steps_per_epoch: int = 1,
    kinds: Sequence[str] | None = None,
    writer: str | None = None,
    info: Mapping[str, float] | None = None,
    unit: str = "step",
    logged_steps=None,
) -> Fit:
    """The schedule that best explains logged (steps, lr), as a v1 document.

    Args:
      steps: the logged optimizer steps (integers, any spacing, sorted or not).
      lr: the lr at each of them.
      steps_per_epoch: how the proposal's durations are written (steps ÷ steps_per_epoch).
      kinds: the kinds to try (default: all).
      writer: what wrote the log (a Series' writer): each of its conventions is tried (the
        Trainer's two, a step apart) and the one that explains the log is said.
      info: what the file states about the run (``max_steps``): the total a log that stops early
        cannot show.
      unit: "epoch" for a log of epochs (with ``steps_per_epoch`` 1), whose writer may write each
        epoch's lr at its end (Keras).
      logged_steps: the steps as the log writes them, where ``steps`` are the scheduler's (the
        steps a loss scaler skipped taken out): the sentences name records by these.

    Raises:
      ValueError: for a log with fewer than two points or a non-positive lr everywhere.

    >>> from schedules import from_config
    >>> truth = from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
    ...     "schedule": {"kind": "cosine", "base_lr": 0.1, "total_epochs": 20, "warmup_epochs": 2}})
    >>> steps = np.arange(200)
    >>> found = fit(steps, truth.lr(steps).astype(np.float32), steps_per_epoch=10)
    >>> found.matches, found.document["schedule"]["kind"], found.document["schedule"]["warmup_epochs"]
    (True, 'cosine', 2.0)
    """
    named = _namer(steps, logged_steps)
    all_steps, all_lr = _sorted(steps, lr)
    if all_steps.size < 2 or not np.isfinite(all_lr).all() or all_lr.max() <= 0:
        raise ValueError("a fit needs at least two logged steps with a positive, finite lr")
    # The search sees a bounded sample (every record of a log up to SEARCH_POINTS, else an even
    # sample with every place the lr jumps); the proposal is then checked on every record.
    picked = _search_sample(all_lr)
    s, y = all_steps[picked].astype(np.float64), all_lr[picked]
    total = _stated_total(info, int(steps_per_epoch))
    readings = []  # (convention, the log as read through it)
    for convention in conventions(writer, unit, int(steps_per_epoch)):
        shifted = s + convention.shift
        keep = shifted >= 0
        if keep.sum() >= 2:
            readings.append((convention, _log_of(shifted[keep], y[keep], int(steps_per_epoch), total)))
    if not readings:
        raise ValueError("a fit needs at least two logged steps with a positive, finite lr")
    # Kinds simplest first, each under every convention the writer may follow: the first kind that
    # matches under any of them ends the search.
    results = []  # (kind, worst ÷ tolerance, document, relative differences, reading)
    # A kind whose decay never rises cannot match a log that rises again after its decay began.
    rising = kinds is None and _rises_after_decay(y)
    for name in kinds or SIMPLICITY:
        if rising and KINDS[name].monotone:
            continue
        results += _fits_of(name, readings)
        if any(result[0] == name and result[1] <= 1.0 for result in results):
            break
    if not results:
        raise ValueError("no schedule kind could be fitted to this log")
    matching = _matches(results)
    # One measure to choose and to report: among matches the simplest kind, then the simplest
    # document, then the roundest numbers (a reading of the log a step off gives 4.99792e-05 where
    # the run said 5e-05), then the writer's default convention; else the simplest kind that comes
    # within CLOSE_ENOUGH of the smallest largest relative difference to the logged lrs.
    guessed = ()
    if matching:
        chosen = min(matching, key=_plainness)
        if kinds is None and _one_record_on_warmup(chosen[2]["schedule"], chosen[4][1]) is not None:
            # A warm-up through one record is a guess: the kinds with a warm-up of their own, too.
            tried = {result[0] for result in results}
            own = [fitted for name in OWN_WARMUP if name not in tried for fitted in _fits_of(name, readings)]
            results, own_matching = results + own, _matches(own)
            matching += own_matching
            chosen, guessed = _unguessed(chosen, own_matching)
    else:
        closest = min(float(np.abs(r[3]).max()) for r in results)
        near = [r for r in results if float(np.abs(r[3]).max()) <= CLOSE_ENOUGH * closest]
        name, worst, document, relative, reading = min(near, key=lambda r: SIMPLICITY.index(r[0]))
        chosen = (name, worst, *_shortest(document, reading[1], relative), reading)
    _, _, document, relative, (convention, log) = chosen
    if picked.size < all_steps.size:  # the sample's verdict, checked on every record
        worst, relative = check_every_record(document, all_steps + convention.shift, all_lr)
        if worst > 1.0:
            matching = []
    ranking: dict[str, float] = {}
    for name, _, _, rel, _ in results:
        ranking[name] = min(ranking.get(name, math.inf), float(np.abs(rel).max()))
    found = Fit(
        document=document,
        max_rel_error=float(np.abs(relative).max()),
        rms_rel_error=float(np.sqrt(np.mean(relative**2))),
        matches=bool(matching),
        ranking=tuple(sorted(ranking.items(), key=lambda pair: pair[1])),
        convention=convention.sentence,
        shift=convention.shift,
        undetermined=_undetermined(document, log, lambda step: named(step - convention.shift), unit)
        + _rival_reading(chosen, matching)
        + guessed,
    )
    shown = _ends_early(found, total) if found.matches else _restart(log, steps_per_epoch, kinds, convention.shift)
    return replace(found, findings=tuple(shown))


def _plainness(result: tuple) -> tuple[int, float, bool, int]:
    """(kind's place in SIMPLICITY, departures from the defaults, a total other than the one its
    file states, significant digits of its numbers) of a proposal: the smaller, the plainer."""
    kind, _, document, _, (_, log) = result
    total = document["schedule"].get("total_epochs", 0) * document["steps_per_epoch"]
    elsewhere = log.total is not None and abs(total - log.total) >= 0.5
    return SIMPLICITY.index(kind), _departures(document), elsewhere, _digits(document["schedule"])


def _digits(schedule: dict) -> int:
    """Significant digits of a schedule's numbers: 2400.0 has 2, 4.99792e-05 has 6.

    >>> _digits({"kind": "linear", "base_lr": 5e-05, "total_epochs": 2400.0})
    3
    """
    numbers = [value for value in schedule.values() if isinstance(value, float | int) and value]
    return sum(len(repr(float(value)).split("e")[0].replace(".", "").lstrip("-0").rstrip("0")) for value in numbers)


def _rival_reading(chosen: tuple, matching: list[tuple]) -> tuple[str, ...]:
    """A sentence where the writer's other convention explains the log as well, as plainly (the
    same kind, as simple a document, as round numbers) but with other numbers: which of them
    wrote it, the log does not say."""
    kind, _, document, _, (convention, _) = chosen
    for rival in matching:
        other = rival[4][0]
        if other.shift == convention.shift or _plainness(rival) != _plainness(chosen):
            continue
        theirs, ours = rival[2]["schedule"], document["schedule"]
        differ = [f"{field} {_shown(value)}" for field, value in theirs.items() if ours.get(field) != value]
        if differ:
            return (
                f"convention: not determined by this log, which fits {kind} as well if {other.sentence}, "
                f"with {listed(differ)}",
            )
    return ()


def _fits_of(name: str, readings: list) -> list[tuple]:
    """(kind, worst ÷ tolerance, document, relative differences, reading) of kind ``name``
    fitted under each reading of the log (each convention its writer may follow) where it fits."""
    return [(name, *best, reading) for reading in readings if (best := _fit_kind(name, reading[1])) is not None]


def _matches(results: list[tuple]) -> list[tuple]:
    """The results that match every record, their numbers as the shortest decimals that keep the
    match (0.1, not 0.10000000015)."""
    return [(name, worst, *_shortest(doc, read[1], rel), read) for name, worst, doc, rel, read in results if worst <= 1]


def _unguessed(chosen: tuple, own: list[tuple]) -> tuple[tuple, tuple[str, ...]]:
    """``chosen`` guesses its warm-up's start and length through its one record on it. A match of
    a kind with a warm-up of its own (``own``: 1cycle) with rounder numbers reads the log with
    nothing guessed: it is taken, and the guessing reading said. Otherwise ``chosen`` stands."""
    if not own or _digits(min(own, key=_plainness)[2]["schedule"]) >= _digits(chosen[2]["schedule"]):
        return chosen, ()
    theirs, plainest = chosen[2]["schedule"], min(own, key=_plainness)
    guesses = [f"{field} {_shown(theirs[field])}" for field in ("warmup_start_lr", "warmup_epochs") if field in theirs]
    return plainest, (
        f"kind: not determined by this log, which {theirs['kind']} explains as well through a warm-up guessed from "
        f"its one record ({listed(guesses)}); {plainest[0]} explains it with nothing guessed",
    )


def _shown(value) -> str:
    return _number(value) if isinstance(value, float) else str(value)


# What the log shows with no design to compare with -------------------------------------------
def _restart(log: _Log, steps_per_epoch: int, kinds, shift: int) -> list[dict]:
    """Where no kind explains the log and its lr rises again after its decay began: the design
    the part before the rise follows, and whether the rest repeats it from its start. Steps are
    said as logged (the log was read ``shift`` steps on, by its writer's convention)."""
    s, y = log.s, log.y
    rises = log.rises()
    if rises.size == 0 or rises[0] < 3:
        return []
    at = int(rises[0])  # the first record after the rise
    try:
        before = fit(s[:at], y[:at], steps_per_epoch, kinds)
    except ValueError:
        return []
    if not before.matches:
        return []
    kind = before.document["schedule"]["kind"]
    schedule = from_config(before.document)
    last, first_after = int(s[at - 1]) - shift, int(s[at]) - shift
    # The counter fell back to 0 at some step r between the two records: from r on, lr(s − r).
    restart = None
    for r in range(first_after, max(last, first_after - 2000), -1):
        designed = schedule.lr(np.maximum(s[at:] - shift - r, 0))
        if (np.abs(y[at:] - designed) <= tolerance(y[at:], log.peak)).all():
            restart = r
            break
    if restart is not None:
        sentence = (
            f"the log fits {kind} up to step {last:,}, then starts it again from the beginning at step "
            f"{restart:,}: a resume that did not restore the scheduler's state?"
        )
    else:
        sentence = (
            f"the log fits {kind} up to step {last:,}, then the lr rises again at step {first_after:,}: "
            "a resume that did not restore the scheduler's state, or a second schedule?"
        )
    return [
        {
            "type": "restart",
            "step": restart if restart is not None else first_after,
            "fits_before": before.document,
            "repeats": restart is not None,
            "sentence": sentence,
        }
    ]


def _ends_early(found: Fit, total: float | None) -> list[dict]:
    """A schedule that reaches its end a whole fraction n into the run its file states (max_steps):
    stepped n times per optimizer step, as a scheduler stepped per micro-batch under gradient
    accumulation n is."""
    schedule = found.document["schedule"]
    if total is None or not _fitting(schedule).shaped_by_total:
        return []
    end = schedule["total_epochs"] * found.document["steps_per_epoch"]
    ratio = total / end
    factor = round(ratio)
    if factor < 2 or abs(ratio - factor) > 0.02 * factor:
        return []
    return [
        {
            "type": "stretch",
            "factor": float(factor),
            "sentence": (
                f"the schedule ends at step {end:,.0f}, {1 / factor:.3g} of the {total:,.0f} steps the file states "
                f"(max_steps): was the scheduler stepped per micro-batch, e.g. gradient accumulation {factor}?"
            ),
        }
    ]


SEARCH_POINTS = 200_000  # records the search sees; the final check sees every one, a chunk at a time
CHECK_CHUNK = 1_000_000


def _rises_after_decay(y: np.ndarray) -> bool:
    """Whether the lr, once below its running peak, rises by more than two tolerances between two
    records: more than float32 logging can add to a curve that never rises there.

    >>> _rises_after_decay(np.array([0.1, 0.2, 0.1, 0.05])), _rises_after_decay(np.array([0.2, 0.1, 0.2]))
    (False, True)
    """
    peak = float(y.max())
    began = np.logical_or.accumulate(y < np.maximum.accumulate(y) * (1 - 1e-3))
    return bool(np.any((np.diff(y) > 2 * tolerance(y[1:], peak)) & began[:-1]))


def _sorted(steps, lr) -> tuple[np.ndarray, np.ndarray]:
    """(steps, lr) sorted by step, without copying a log that is sorted already (most are)."""
    steps, lr = np.asarray(steps), np.asarray(lr, dtype=np.float64)
    if steps.size > 1 and not (steps[1:] >= steps[:-1]).all():
        order = np.argsort(steps, kind="stable")
        steps, lr = steps[order], lr[order]
    return steps, lr


def _namer(steps, logged_steps) -> Callable[[float], int]:
    """The logged step of a record at scheduler step ``step`` (the first such record), or the
    step itself where the log's steps are the scheduler's."""
    if logged_steps is None:
        return int
    order = np.argsort(np.asarray(steps), kind="stable")
    fitted, logged = np.asarray(steps)[order], np.asarray(logged_steps)[order]
    return lambda step: int(logged[min(int(np.searchsorted(fitted, step)), logged.size - 1)])


def _search_sample(lr: np.ndarray) -> np.ndarray:
    """Indices the search fits: all of a short log; of a long one, an even sample plus both sides
    of its largest jumps (drops and restarts must not fall between two samples)."""
    if lr.size <= SEARCH_POINTS:
        return np.arange(lr.size)
    even = np.linspace(0, lr.size - 1, SEARCH_POINTS // 2).astype(np.int64)
    jumps = np.abs(np.diff(lr))
    largest = np.argpartition(jumps, -SEARCH_POINTS // 4)[-SEARCH_POINTS // 4 :]
    return np.unique(np.concatenate([even, largest, largest + 1]))


def check_every_record(doc: dict, steps: np.ndarray, lr: np.ndarray) -> tuple[float, np.ndarray]:
    """(worst error ÷ tolerance, relative differences) of a document's lr at ``steps`` against
    ``lr`` (a worst of 1 or less: it matches every record), computed a chunk at a time so that
    memory stays bounded at any length (the relative differences are kept as float32: for the
    figures and the rms)."""
    schedule = from_config(doc)
    peak = float(lr.max())
    worst, relative = 0.0, np.empty(lr.size, dtype=np.float32)
    for start in range(0, lr.size, CHECK_CHUNK):
        part = slice(start, start + CHECK_CHUNK)
        designed = schedule.lr(np.maximum(steps[part], 0))
        logged = lr[part]
        worst = max(worst, float(np.max(np.abs(logged - designed) / tolerance(logged, peak))))
        relative[part] = (designed - logged) / np.maximum(np.abs(logged), RELATIVE_FLOOR * peak)
    return worst, relative


def _stated_total(info: Mapping[str, float] | None, steps_per_epoch: int) -> float | None:
    """The run's total optimizer steps as its file states it (``max_steps``), None when unstated."""
    value = (info or {}).get("max_steps")
    return float(value) if isinstance(value, (int, float)) and value >= 1 else None


def _log_of(s: np.ndarray, y: np.ndarray, steps_per_epoch: int, total: float | None) -> _Log:
    if _changes_once_per_epoch(s, y, steps_per_epoch):
        # Keras's LearningRateScheduler and per-epoch scheduler steps: fit the epochs' first steps
        # and propose granularity "epoch", which holds each epoch at its first step's lr.
        first = s % steps_per_epoch == 0
        return _Log(s[first], y[first], steps_per_epoch, granularity="epoch", total=total)
    return _Log(s, y, steps_per_epoch, total=total)


def _fit_kind(name: str, log: _Log):
    """(worst ÷ tolerance, document, relative differences) of one kind's best fit, None if none."""
    best = None
    try:
        starts = _initial_specs(name, log)
    except (ValueError, ArithmeticError):  # a shape this kind cannot start from (no drop, a zero lr)
        starts = []
    for spec in starts:
        try:
            scored = _polish(_simpler(_refine(spec, log), log), log)
        except (ConfigError, ValueError, FloatingPointError, OverflowError):
            continue
        if scored is not None and (best is None or _better(scored, best)):
            best = scored
        if best is not None and best[0] <= 1.0 and _departures(best[1]) == 0:
            break  # a match with every common field at its default: no other start can be simpler
    return best


# The log and what can be read off it ----------------------------------------------------------
def _changes_once_per_epoch(s: np.ndarray, y: np.ndarray, steps_per_epoch: int) -> bool:
    """True when the lr holds still within every epoch (each logged from its first step) and moves
    between epochs.

    >>> s = np.arange(6)
    >>> _changes_once_per_epoch(s, np.array([1.0, 1, 1, 2, 2, 2]), 3), _changes_once_per_epoch(s, s * 1.0, 3)
    (True, False)
    """
    if steps_per_epoch < 2:
        return False
    epochs, first = np.unique(s // steps_per_epoch, return_index=True)
    if epochs.size < 2 or not (s[first] % steps_per_epoch == 0).all() or s.size < 2 * epochs.size:
        return False
    start_of = np.searchsorted(epochs, s // steps_per_epoch)
    return bool((y == y[first][start_of]).all() and np.unique(y[first]).size > 1)


def _evenly(size: int, count: int) -> np.ndarray:
    """At most ``count`` indices of ``size`` points, evenly spread, the first and last included."""
    return np.unique(np.linspace(0, size - 1, min(size, count)).astype(np.int64))


class _Log:
    def __init__(
        self, s: np.ndarray, y: np.ndarray, steps_per_epoch: int, granularity: str = "step", total: float | None = None
    ):
        self.s, self.y, self.steps_per_epoch, self.granularity = s, y, steps_per_epoch, granularity
        self.total = total if total is not None and total >= s[-1] else None  # the file's max_steps
        self.peak = float(y.max())
        # Each point weighs as much as its tolerance allows: relative for most lrs, absolute near 0.
        self.weights = 1.0 / tolerance(y, self.peak)
        self.sample = _evenly(s.size, MAX_FIT_POINTS)
        self.coarse = _evenly(s.size, COARSE_POINTS)
        self.polish = _evenly(s.size, POLISH_POINTS)
        near_peak = y >= self.peak * (1 - 4 * RTOL)
        self.first_peak = int(np.argmax(near_peak))
        after = near_peak[self.first_peak :]
        run = int(np.argmin(after)) if not after.all() else after.size
        self.plateau_end = self.first_peak + run - 1
        last = y[-1]
        moving = np.nonzero(np.abs(y - last) > 4 * RTOL * abs(last) + 1e-9 * self.peak)[0]
        self.flat_from = int(moving[-1]) + 1 if moving.size else 0  # index where the lr stops changing

    @property
    def end(self) -> float:
        """Where the document ends: the file's stated total, else one step past the last record."""
        return self.total if self.total is not None else float(self.s[-1] + 1)

    @property
    def end_guess(self) -> float:
        """Where the lr stops changing (a decay's end), else where the document ends."""
        return float(self.s[min(self.flat_from, self.s.size - 1)]) if self.flat_from > 0 else self.end

    @staticmethod
    def steady(lr, reference):
        """Whether ``lr`` equals ``reference`` to float32 logging precision (element-wise)."""
        return np.abs(lr - reference) <= 4 * RTOL * np.abs(reference)

    def warmup_shape(self, end: int, target: float) -> str:
        """ "linear", "log" or "cosine" for a warm-up ending at index ``end``: "linear" when its
        records lie on one line, "log" when they lie on one against log(step) (DeepSpeed's
        WarmupLR), else "cosine" (the peak's own record may come after the warm-up's true end,
        between two records, so a shape read from where the peak is first logged would be off)."""
        if end < 3 or self.s[end] <= 2:
            return "linear"
        s, y = self.s[:end], self.y[:end]
        for shape, x in (("linear", s), ("log", np.log(np.maximum(s, 1.0)))):
            slope, intercept = np.polyfit(x, y, 1)
            if np.abs(y - (slope * x + intercept)).max() <= 1e-3 * target:
                return shape
        return "cosine"

    @property
    def starts_late(self) -> bool:
        """The first record comes after step 0 already at the log's peak: a warm-up (or hold)
        ending at or before it leaves no trace."""
        return self.s[0] > 0 and self.first_peak == 0

    def rises(self) -> np.ndarray:
        """Indices i where the lr rises again between points i − 1 and i after its decay began
        (restarts; however sparse the log, unlike a jump measured against the typical change)."""
        began = np.logical_or.accumulate(self.y < np.maximum.accumulate(self.y) * (1 - 1e-3))
        return np.nonzero((np.diff(self.y) > tolerance(self.y[1:], self.peak)) & began[:-1])[0] + 1

    def drops(self, rising: bool = False) -> np.ndarray:
        """Indices i where the lr jumps (down, or up when ``rising``) between points i − 1 and i."""
        ratio = self.y[1:] / np.maximum(self.y[:-1], 1e-300)
        typical = np.median(np.abs(np.log(np.maximum(ratio, 1e-300))))
        step = np.abs(np.log(np.maximum(ratio, 1e-300)))
        jumps = (ratio > 1) if rising else (ratio < 1)
        return np.nonzero(jumps & (step > max(50 * typical, 1e-4)))[0] + 1


def _common(log: _Log) -> dict:
    """Warm-up and plateau read off the log: W = first step at the peak, W + H = plateau's last step."""
    warmup = float(log.s[log.first_peak])
    start = _lr_at_zero(log) if warmup > 0 else 0.0
    shape = log.warmup_shape(log.first_peak, log.peak)
    return {
        "W": warmup,
        "hold_end": float(log.s[log.plateau_end]),
        "T": log.end,
        "warmup_start_lr": start,
        "warmup_shape": shape,
        "base_lr": log.peak,
        "epsilon": 0.0,
    }


def _lr_at_zero(log: _Log) -> float:
    """The lr at step 0: the first logged one, or, when the log starts later (Trainer logs from
    step 1), its first two points' line carried back to step 0 (never below 0)."""
    if log.s[0] == 0 or log.s.size < 2 or log.s[1] == log.s[0]:
        return float(log.y[0])
    slope = (log.y[1] - log.y[0]) / (log.s[1] - log.s[0])
    return max(0.0, float(log.y[0] - slope * log.s[0]))


def _initial_specs(name: str, log: _Log) -> list[dict]:
    """Starting points for one kind (several where one guess may land in the wrong valley).

    Where the log starts late at its peak, each starts first with no warm-up (the default, which
    the log cannot tell from a warm-up ending before its first record); where the file states the
    total, with that total, kept fixed.
    """
    kind = KINDS[name]
    base = {"kind": name, **_common(log)}
    specs = (kind.fitting.starts or _example_starts(kind))(base, log)
    if log.total is not None:
        specs = [spec | {"T": log.total, "T_stated": True} for spec in specs if "T" in spec] + specs
    if log.starts_late:
        late = [
            spec | {"W": 0.0, "warmup_start_lr": 0.0, "hold_end": 0.0, "start_unseen": True}
            for spec in specs
            if spec.get("W", 0) > 0 or spec.get("hold_end", 0) > 0
        ]
        specs = late + specs
    return specs


def _example_starts(kind: Kind):
    """For a kind that declares no starts: the log's common shape ending where the log does, the
    kind's own fields at their example or default (lengths in steps)."""

    def starts(base: dict, log: _Log) -> list[dict]:
        given: dict = {}  # in the document's units, so that a default may read the fields before it
        for field in kind.fields:
            value = field.example if field.example is not None else field.default
            given[field.name] = value(given) if callable(value) else value
        spec = base | {"T": log.end}
        for field in kind.fields:
            value = given[field.name]
            if field.duration:
                per_epoch = log.steps_per_epoch
                value = [v * per_epoch for v in value] if isinstance(value, list) else value * per_epoch
            spec[field.formula_name] = value
        return [spec]

    return starts


# The continuous curve, its linear lrs, and Nelder–Mead ----------------------------------------
def _duration_names(name: str) -> list[str]:
    return [f.formula_name for f in KINDS[name].fields if f.duration]


def _curve(spec: dict, steps: np.ndarray) -> np.ndarray:
    """The kind's curve (``Kind.curve``, as Schedule builds it) with real-valued lengths in steps."""
    kind = KINDS[spec["kind"]]
    curve = kind.curve(kind.implied | spec, spec.get("W", 0.0), spec.get("hold_end", 0.0), spec["T"])
    return curve(np.clip(steps, 0.0, spec["T"]))


def _linear_names(spec: dict) -> tuple[str, ...]:
    """The lrs that enter the curve linearly: the warm-up's start, the peak (and a cyclical
    schedule's upper bound), an affine floor."""
    kind = KINDS[spec["kind"]]
    names = ("warmup_start_lr", "base_lr") if spec.get("W", 0) > 0 and not spec.get("fixed_start") else ("base_lr",)
    if kind.peak != "base_lr":
        names = (*names, kind.peak)
    if kind.fitting.floor == "affine" and not spec.get("fixed_floor"):
        names = (*names, "epsilon")
    return names


def _solve_linear(spec: dict, log: _Log, index: np.ndarray) -> tuple[dict, np.ndarray | None]:
    """``spec`` with its linear lrs set by weighted least squares over the points ``index``, and
    the weighted residual at those points (None where the solve saw only some of them)."""
    names = _linear_names(spec)
    s, y, w = log.s[index], log.y[index], log.weights[index]
    every_point = True
    if _clipped(spec) and spec.get("epsilon", 0.0) > 0:
        keep = y > spec["epsilon"] * (1 + 1e-5)  # the floor's points say nothing of the rest
        s, y, w, every_point = s[keep], y[keep], w[keep], False
        if s.size == 0:
            return spec, None
    zero = dict.fromkeys(names, 0.0)
    columns = [_curve(spec | zero | {name: 1.0}, s) for name in names]
    matrix = np.stack(columns, axis=1) * w[:, None]
    solution = _least_squares(matrix, y * w)
    # A value within float32 noise of zero is zero (a warm-up from 0, no floor).
    solution[np.abs(solution) < 1e-7 * log.peak] = 0.0
    solved = spec | {name: float(value) for name, value in zip(names, solution, strict=True)}
    return solved, (matrix @ solution - y * w if every_point else None)


def _least_squares(matrix: np.ndarray, target: np.ndarray) -> np.ndarray:
    """x minimizing |matrix·x − target|². One or two well-separated columns (most fits; solved
    tens of thousands of times a fit) by their normal equations in closed form, under half of
    ``lstsq``'s time; else, and for a column of zeros or two nearly parallel, ``lstsq``'s SVD."""
    if matrix.shape[1] == 1:
        a, t = matrix[:, 0], target
        aa = float(a @ a)
        if aa > 0:
            return np.array([float(a @ t) / aa])
    elif matrix.shape[1] == 2:
        a, b = matrix[:, 0], matrix[:, 1]
        aa, ab, bb = float(a @ a), float(a @ b), float(b @ b)
        det = aa * bb - ab * ab
        if aa > 0 and bb > 0 and det > 1e-8 * aa * bb:  # cos² of the columns' angle below 1 − 1e-8
            at, bt = float(a @ target), float(b @ target)
            return np.array([(bb * at - ab * bt) / det, (aa * bt - ab * at) / det])
    return np.linalg.lstsq(matrix, target, rcond=None)[0]


def _free_names(spec: dict) -> list[str]:
    """The real-valued parameters Nelder–Mead moves: lengths and the kind's free fields."""
    fitting = _fitting(spec)
    free = []
    # A warm-up and hold the log cannot see stay at their default 0.
    if not spec.get("start_unseen"):
        if fitting.moves_warmup and spec.get("W", 0) > 0:
            free.append("W")
        if fitting.moves_hold and "hold_end" in spec and not spec.get("fixed_hold"):
            free.append("hold_end")
    if fitting.shaped_by_total and not spec.get("T_stated"):
        free.append("T")
    if fitting.free is None:  # every number the kind takes, within its field rule
        own = [f.formula_name for f in KINDS[spec["kind"]].fields if isinstance(f.rule, Number)]
    else:
        own = fitting.free(spec) if callable(fitting.free) else fitting.free
    return free + list(own)


def _objective(spec: dict, log: _Log, index: np.ndarray) -> tuple[float, dict]:
    solved, residual = _solve_linear(spec, log, index)
    # The same line can be drawn with a negative floor or start: not a schedule. Clamped, such a
    # solution scores worse than the valid one beside it, and the search keeps a slope to follow.
    clamped = {name: max(0.0, solved[name]) for name in _linear_names(solved)}
    if clamped.get("epsilon", 0.0) > clamped["base_lr"]:
        clamped["epsilon"] = clamped["base_lr"]
    if residual is None or any(clamped[name] != solved[name] for name in clamped):
        solved |= clamped
        with np.errstate(all="ignore"):  # the curve is linear in those lrs: unclamped, the solve's residual is it
            residual = (_curve(solved, log.s[index]) - log.y[index]) * log.weights[index]
    value = float(np.mean(residual**2))
    return (value if math.isfinite(value) else math.inf), solved


def _with_floor(spec: dict, log: _Log) -> list[dict]:
    """A clipped kind with no floor, and with the log's flat tail as its floor."""
    if not _clipped(spec) or log.flat_from >= log.s.size - 2:
        return [spec]
    return [spec, spec | {"epsilon": float(np.mean(log.y[log.flat_from :]))}]


def _refine(spec: dict, log: _Log) -> list[dict]:
    """Nelder–Mead over the free parameters from ``spec`` (each floor variant), linear lrs solved."""
    refined = []
    for start in _with_floor(spec, log):
        names = _free_names(start)
        if not names:
            refined.append(_objective(start, log, log.coarse)[1])
            continue

        def loss(vector, start=start, names=names):
            candidate = start | dict(zip(names, (float(v) for v in vector), strict=True))
            if not _plausible(candidate):
                return math.inf
            try:
                return _objective(candidate, log, log.coarse)[0]
            except (ConfigError, ValueError, ZeroDivisionError):
                return math.inf

        vector = np.array([float(start[n]) for n in names])
        lengths = set(_integer_names(start))
        sizes = np.array(
            [
                max(2.0, 0.02 * abs(v)) if n in lengths else 0.05 * abs(v) or 0.05
                for n, v in zip(names, vector, strict=True)
            ]
        )
        best = _nelder_mead(loss, vector, sizes, good_enough=EXACT)
        refined.append(_objective(start | dict(zip(names, best.tolist(), strict=True)), log, log.coarse)[1])
    return refined


NO_FLOOR = {"epsilon": 0.0, "fixed_floor": True}  # the defaults a log may not see, held fixed
FROM_ZERO = {"warmup_start_lr": 0.0, "fixed_start": True}


def _simpler(specs: list[dict], log: _Log) -> list[dict]:
    """Beside each refined spec, the same with its warm-up from 0 and no floor (their defaults),
    refined again: where the log cannot tell them apart (a line that never reaches its end is
    drawn as well with a floor and a shorter total), the simpler document is kept (:func:`_better`)."""
    simpler = []
    for spec in specs:
        # Only where the log cannot see them: a floor it stops before, a start before its first record.
        unseen_floor = spec.get("epsilon", 0.0) > 0 and spec["T"] > log.s[-1]  # the floor starts at T
        unseen_start = spec.get("W", 0) > 0 and spec.get("warmup_start_lr", 0.0) > 0 and log.s[0] > 0
        plainer = []
        if (unseen_floor or unseen_start) and _has_simpler(KINDS[spec["kind"]]):
            defaults = [NO_FLOOR | FROM_ZERO]
            if unseen_floor and unseen_start and _matched(spec, log):  # a match: either default alone may be the run's
                defaults += [FROM_ZERO, NO_FLOOR]
            for default in defaults:
                plain = spec | default
                tried = _refine(plain, log)
                if unseen_start and "fixed_start" in default and log.first_peak > 0:
                    # a warm-up from 0 may end anywhere after the last rising record
                    earliest = float(log.s[log.first_peak - 1]) + 1
                    tried += _refine(plain | {"W": earliest, "hold_end": max(earliest, plain["hold_end"])}, log)
                plainer += tried
                if len(defaults) > 1 and any(_matched(candidate, log) for candidate in tried):
                    break  # these defaults explain the log: the next is no simpler
        for candidate in [spec, *plainer]:  # a corner cut flat between two records: the same corner, unheld
            if _unseen_hold(candidate, log):
                plainer += _refine(candidate | {"hold_end": candidate["W"], "fixed_hold": True}, log)
        simpler += plainer
    return simpler + specs


def _matched(spec: dict, log: _Log) -> bool:
    """Whether a refined spec, its lengths polished to whole steps, matches every record."""
    try:
        polished = _polish([spec], log)
    except (ConfigError, ValueError, FloatingPointError, OverflowError):
        return False
    return polished is not None and polished[0] <= 1.0


def _unseen_hold(spec: dict, log: _Log) -> bool:
    """A hold with no record on it, between a warm-up and a decay the log does record."""
    warmup_end, hold_end = spec.get("W", 0.0), spec.get("hold_end", 0.0)
    if hold_end <= warmup_end or not _fitting(spec).moves_hold:
        return False
    on_hold = (log.s >= warmup_end) & (log.s < hold_end)
    return not on_hold.any() and (log.s < warmup_end).any() and (log.s >= hold_end).any()


def _has_simpler(kind: Kind) -> bool:
    """A warm-up from 0 and no floor, their defaults, are worth trying where the warm-up rises to
    the peak and the floor is not a clip (whose points the fit reads apart)."""
    return kind.peak == "base_lr" and "warmup_epochs" in kind.common and kind.fitting.floor != "clip"


def _plausible(spec: dict) -> bool:
    """Lengths in order, and each free field within its field rule (a length spans a step)."""
    if spec.get("W", 0) < 0 or spec.get("hold_end", 0) < spec.get("W", 0) or spec["T"] <= spec.get("hold_end", 0):
        return False
    kind = KINDS[spec["kind"]]
    free = set(_free_names(spec))
    for field in kind.fields:
        name = field.formula_name
        if name not in free:
            continue
        if isinstance(field.rule, Number) and not field.rule.holds(spec[name]):
            return False
        if field.duration and spec[name] < 1:
            return False
    return kind.fitting.plausible is None or kind.fitting.plausible(spec)


def _nelder_mead(
    loss: Callable, start: np.ndarray, sizes: np.ndarray, iterations: int = 300, good_enough: float = -math.inf
) -> np.ndarray:
    """Minimize ``loss`` from ``start`` with the Nelder–Mead simplex (standard coefficients), its
    first simplex ``sizes`` wide along each axis, stopping early at a loss of ``good_enough``.

    >>> _nelder_mead(lambda v: (v[0] - 3) ** 2 + (v[1] + 1) ** 2, np.zeros(2), np.ones(2)).round(3).tolist()
    [3.0, -1.0]
    """
    n = start.size
    simplex = [start.astype(np.float64)]
    for i in range(n):
        point = start.astype(np.float64).copy()
        point[i] += sizes[i]
        simplex.append(point)
    values = [loss(p) for p in simplex]
    for _ in range(iterations):
        order = np.argsort(values)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        # Converged: the simplex is far smaller than a step (lengths are rounded to whole steps
        # next) or than a shape parameter's own size, and the values agree to a millionth (or the
        # simplex straddles the edge of the plausible region, inf beyond it: they never will), or
        # a point is good enough.
        spread = np.ptp(simplex, axis=0) / (np.abs(simplex[0]) + 1.0)
        agree = abs(values[-1] - values[0]) <= 1e-30 + 1e-6 * abs(values[0]) or math.isinf(values[-1])
        if (agree and spread.max() < 1e-6) or values[0] <= good_enough:
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        r = loss(reflected)
        if values[0] <= r < values[-2]:
            simplex[-1], values[-1] = reflected, r
        elif r < values[0]:
            expanded = centroid + 2 * (centroid - simplex[-1])
            e = loss(expanded)
            simplex[-1], values[-1] = (expanded, e) if e < r else (reflected, r)
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            c = loss(contracted)
            if c < values[-1]:
                simplex[-1], values[-1] = contracted, c
            else:
                simplex = [simplex[0] + 0.5 * (p - simplex[0]) for p in simplex]
                values = [values[0]] + [loss(p) for p in simplex[1:]]
    return simplex[int(np.argmin(values))]


# Whole steps and the real document ----------------------------------------------------------
def _integer_names(spec: dict) -> list[str]:
    names = [n for n in ("W", "hold_end", "T") if n in spec]
    return names + [n for n in _duration_names(spec["kind"]) if n in spec and not isinstance(spec[n], list)]


def _polish(specs: list[dict], log: _Log):
    """(score, document, relative differences) of the best whole-step rounding of any spec.

    Lengths are nudged a step at a time (a few passes) on the polishing points — every step of a
    short log, else an even sample plus every step near the spec's boundaries — and the winner is
    scored on every logged step.
    """
    best = None
    for spec in specs:
        names = _integer_names(spec)
        current = spec | {n: float(round(spec[n])) for n in names}
        for name in _duration_names(spec["kind"]):
            if isinstance(spec.get(name), list):
                current[name] = [float(round(m)) for m in spec[name]]
        index = _polish_points(current, log)
        value = _value(current, log, index)
        moves = [
            n
            for n in names
            if n in _free_names(spec)
            or (n == "W" and spec.get(n, 0) > 0 and not spec.get("start_unseen"))
            or (n == "hold_end" and spec.get(n, 0) > 0 and not spec.get("start_unseen") and _fitting(spec).hold_visible)
        ]
        for _ in range(8):  # a step at a time: the refinement left each length within a few steps
            before = value
            for name, delta in itertools.product(moves, (-1.0, 1.0)):
                candidate = current | {name: current[name] + delta}
                candidate_value = _value(candidate, log, index)
                if candidate_value < value:
                    current, value = candidate, candidate_value
            if value >= before:
                break
        if not math.isfinite(value):
            continue
        try:
            scored = _score(_objective(current, log, np.arange(log.s.size))[1], log)
        except (ConfigError, ValueError, ZeroDivisionError):
            continue
        if best is None or _better(scored, best):
            best = scored
    return best


def _better(scored, best) -> bool:
    """A match with fewer fields away from their defaults beats any other match (the simplest
    document that explains the log); otherwise the smaller worst error wins."""
    if scored[0] <= 1.0 and best[0] <= 1.0:
        return _departures(scored[1]) < _departures(best[1])
    return scored[0] < best[0]


DEPARTURE_WEIGHTS = {"warmup_epochs": 1.0, "warmup_start_lr": 1.0, "hold_epochs": 1.01, "epsilon": 1.0}


def _departures(doc: dict) -> float:
    """How many of a document's common fields differ from their defaults (a warm-up, its start
    lr, a hold, a floor); a hold weighs a little more, so that of a warm-up and a hold the log
    cannot tell apart, the warm-up (by far the more common) is proposed."""
    schedule = doc["schedule"]
    return sum(weight for name, weight in DEPARTURE_WEIGHTS.items() if schedule.get(name))


def _polish_points(spec: dict, log: _Log) -> np.ndarray:
    if log.s.size <= POLISH_POINTS:
        return np.arange(log.s.size)
    marks = [spec[n] for n in ("W", "hold_end", "T") if n in spec]
    near = np.concatenate([np.nonzero(np.abs(log.s - mark) <= 3)[0] for mark in marks] + [log.polish])
    return np.unique(near)


def _value(spec: dict, log: _Log, index: np.ndarray) -> float:
    if not _plausible(spec):
        return math.inf
    try:
        return _objective(spec, log, index)[0]
    except (ConfigError, ValueError, ZeroDivisionError):
        return math.inf


def document(spec: dict, steps_per_epoch: int, granularity: str = "step") -> dict:
    """The v1 document of a spec whose lengths are in steps (written in epochs)."""
    kind = KINDS[spec["kind"]]
    epochs = lambda steps: float(steps) / steps_per_epoch  # noqa: E731
    schedule: dict = {"kind": kind.name, "base_lr": spec["base_lr"], "total_epochs": epochs(spec["T"])}
    if "warmup_epochs" in kind.common:
        schedule["warmup_epochs"] = epochs(spec["W"])
        if spec["W"] > 0:
            schedule["warmup_start_lr"] = min(max(0.0, spec["warmup_start_lr"]), spec["base_lr"])
            schedule["warmup_shape"] = spec["warmup_shape"]
        visible = kind.fitting.hold_visible
        schedule["hold_epochs"] = epochs(spec["hold_end"] - spec["W"]) if visible else 0.0
        schedule["epsilon"] = min(max(0.0, spec.get("epsilon", 0.0)), spec["base_lr"])
    for field in kind.fields:
        value = spec[field.formula_name]
        if field.duration:
            value = [epochs(v) for v in value] if isinstance(value, list) else epochs(value)
        schedule[field.name] = value
    return make_document(schedule, steps_per_epoch, granularity)


def _score(spec: dict, log: _Log):
    """(worst error ÷ tolerance, document, relative differences) of the spec as a real document,
    both measured against the logged lrs (never the proposal's own peak: noise cannot match)."""
    doc = document(spec, log.steps_per_epoch, log.granularity)
    designed = from_config(doc).lr(log.s)
    return _worst(log, designed), doc, _relative(log, designed)


def _worst(log: _Log, designed: np.ndarray) -> float:
    return float(np.max(np.abs(log.y - designed) / tolerance(log.y, log.peak)))


def _relative(log: _Log, designed: np.ndarray) -> np.ndarray:
    """(designed − logged) / logged, against a hundredth of the log's peak where the log is below it."""
    return (designed - log.y) / np.maximum(np.abs(log.y), RELATIVE_FLOOR * log.peak)


# What a person reads: shortest numbers, and what the log does not determine -------------------
DECIMAL_FIELDS = ("base_lr", "warmup_start_lr", "epsilon", "max_lr", "power", "decay_rate", "gamma", "drop")
DECIMAL_FIELDS += ("peak_mult", "pct_start", "div_factor", "final_div_factor", "cycle_mult")


def _shortest(doc: dict, log: _Log, relative: np.ndarray) -> tuple[dict, np.ndarray]:
    """The document with each fitted number as the shortest decimal that keeps its fit (``0.1``,
    not ``0.10000000015``): a match stays a match, a closest fit gets no worse."""
    index = log.sample if log.s.size > MAX_FIT_POINTS else np.arange(log.s.size)
    sub = _Log(log.s[index], log.y[index], log.steps_per_epoch, log.granularity) if index.size < log.s.size else log
    bound = max(1.0, _worst(sub, from_config(doc).lr(sub.s)))
    schedule = dict(doc["schedule"])
    for name in DECIMAL_FIELDS:
        value = schedule.get(name)
        if not isinstance(value, float) or value == 0:
            continue
        for digits in range(1, 17):
            short = float(f"{value:.{digits}g}")
            if short == value:
                break
            try:
                candidate = from_config(doc | {"schedule": schedule | {name: short}})
            except ConfigError:
                continue
            if _worst(sub, candidate.lr(sub.s)) <= bound:
                schedule[name] = short
                break
    shortened = doc | {"schedule": schedule}
    designed = from_config(shortened).lr(log.s)
    if _worst(log, designed) > max(
        1.0, float(np.max(np.abs(log.y - from_config(doc).lr(log.s)) / tolerance(log.y, log.peak)))
    ):
        return doc, relative  # the sample missed a step the full log needs
    return shortened, _relative(log, designed)


def _undetermined(doc: dict, log: _Log, logged: Callable[[float], int] = int, unit: str = "step") -> tuple[str, ...]:
    """A sentence, for the fields the document holds that the log does not determine, naming
    records by ``logged`` (the step the log writes for a record the fit reads at that step: its
    writer's convention, and any skipped steps, taken back), in the log's ``unit``."""
    schedule, spe = doc["schedule"], log.steps_per_epoch
    unseen, first, last = int(log.s[0]), logged(log.s[0]), logged(log.s[-1])
    said = []
    warmup, hold = schedule.get("warmup_epochs", 0.0), schedule.get("hold_epochs", 0.0)
    if log.starts_late and "warmup_epochs" in schedule and warmup * spe <= unseen:
        if hold and (warmup + hold) * spe <= unseen:  # the decay's start is seen, not how the steps before split
            said.append(
                f"warmup_epochs and hold_epochs: not determined by this log, whose first record ({unit} {first:,}) "
                f"is already at its peak: any warm-up of at most {plural(unseen, unit)}, held for the rest of them, "
                f"leaves no trace; taken as {_number(warmup)} and {_number(hold)}"
            )
        else:
            said.append(
                f"warmup_epochs: not determined by this log, whose first record ({unit} {first:,}) is already at "
                f"its peak: a warm-up of at most {plural(unseen, unit)} leaves no trace; taken as {_number(warmup)}"
            )
    elif on_warmup := _one_record_on_warmup(schedule, log):
        fields = ["warmup_start_lr", "warmup_epochs"] + ["warmup_shape"] * ("warmup_shape" in schedule)
        fields += ["hold_epochs"] * bool(hold)
        rest = f", the hold taking the rest up to {unit} {logged((warmup + hold) * spe):,}," if hold else ""
        values = [schedule[field] if field == "warmup_shape" else _number(schedule[field]) for field in fields]
        said.append(
            f"{listed(fields)}: not determined by this log, which has one record on the warm-up ({unit} "
            f"{logged(on_warmup):,}): other starts, lengths and shapes through it{rest} explain its records as "
            f"well; taken as {listed(values)}"
        )
    if not _fitting(schedule).shaped_by_total and log.total is None:
        said.append(
            f"total_epochs: not determined by this log, which ends at {unit} {last:,}; a {schedule['kind']} "
            "schedule's lr up to there does not depend on its total, taken as the log's end"
        )
    if _clipped(schedule) and schedule.get("epsilon", 0.0) == 0.0:
        said.append("epsilon: not determined by this log, which never reaches a floor; taken as 0")
    if corner := _unrecorded_corner(schedule, log):
        said.append(
            f"hold_epochs: not determined by this log, which has no record between {unit} {logged(corner[0]):,} and "
            f"{unit} {logged(corner[1]):,}, where the warm-up ends and the decay begins: a hold there, with a lower "
            "peak, explains its records as well; taken as 0"
        )
    return tuple(said)


def _one_record_on_warmup(schedule: dict, log: _Log) -> int | None:
    """The one record after step 0 on a warm-up from a start of its own, where start and length
    trade off through it; None where the warm-up has more records, or none, or starts at 0."""
    end = schedule.get("warmup_epochs", 0.0) * log.steps_per_epoch
    on = log.s[(log.s >= 0) & (log.s < end)]
    if schedule.get("warmup_start_lr", 0.0) <= 0 or on.size != 1 or on[0] <= 0:
        return None
    return int(on[0])


def _unrecorded_corner(schedule: dict, log: _Log) -> tuple[int, int] | None:
    """(last record before, first record after) a linear warm-up's end that a linear decay follows
    at once, when no record sits on it: cutting that corner flat between the two records (a
    hold, a lower peak) draws the same lines through every record."""
    if schedule["kind"] != "linear" or schedule.get("warmup_shape") != "linear" or schedule.get("hold_epochs"):
        return None
    end = schedule.get("warmup_epochs", 0.0) * log.steps_per_epoch
    before, after = log.s[log.s < end], log.s[log.s > end]
    if end <= 0 or before.size == 0 or after.size == 0 or (log.s == end).any():
        return None
    return int(before[-1]), int(after[0])


def _number(value: float) -> str:
    return f"{value:g}"
