"""A schedule's curve reduced for drawing: exact extremes per bucket, from few evaluations.

Between its phase boundaries and its turns (drops, restarts, cycle peaks and troughs; see
``schedules.kinds.TurnSequence``) a schedule is monotone, and across turns its peaks never rise,
nor do its troughs. So the largest lr over a span of steps lies at the span's first step, at its
last, or beside one of its first two turns; the smallest at its last step or beside one of its last
two turns. Evaluating those candidates alone gives every bucket's exact minimum and maximum in
O(buckets) evaluations, whether the schedule has 10³ steps or 10⁹.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALL_TURNS = 250_000  # with epoch granularity, every turn is a candidate up to this many (see below)


@dataclass(frozen=True)
class Buckets:
    """Equal spans of steps [start_i, stop_i) with the step and value of each one's extremes."""

    start: np.ndarray
    stop: np.ndarray
    low_step: np.ndarray
    low: np.ndarray
    high_step: np.ndarray
    high: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return self.stop - self.start


def buckets(schedule, count: int, start: int = 0, stop: int | None = None) -> Buckets:
    """Split steps [start, stop) (default: the whole schedule, [0, T)) into at most ``count`` equal
    spans and find each one's exact minimum and maximum lr.

    With granularity "epoch" the curve steps once an epoch; its extremes sit beside the turns on
    the grid of epoch starts, but nearby peaks sampled at different phases can swap order, so every
    turn is a candidate while there are at most ``ALL_TURNS`` of them (beyond that, in schedules of
    more than 250,000 cycles counted per epoch, a bucket's extreme may be one epoch's change off).

    >>> import schedules
    >>> s = schedules.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
    ...     "schedule": {"kind": "step", "base_lr": 1.0, "total_epochs": 10, "drop": 0.5, "epochs_per_drop": 3}})
    >>> b = buckets(s, 2)
    >>> b.start.tolist(), b.high.tolist(), b.low.tolist()
    ([0, 50], [1.0, 0.5], [0.5, 0.125])
    """
    stop = schedule.total_steps if stop is None else stop
    size = max(1, -(-(stop - start) // max(count, 1)))
    first = np.arange(start, stop, size, dtype=np.int64)
    last = np.minimum(first + size, stop) - 1
    candidates = np.unique(np.clip(_candidates(schedule, first, last), start, stop - 1))
    values = schedule.lr(candidates)
    owner = (candidates - start) // size
    low_at = _first_of_each(owner, values)
    high_at = _first_of_each(owner, -values)
    return Buckets(first, last + 1, candidates[low_at], values[low_at], candidates[high_at], values[high_at])


def extremes_exact(schedule) -> bool:
    """Whether :func:`buckets` finds every bucket's extremes exactly (all but the case its
    docstring names: more than ``ALL_TURNS`` turns counted per epoch)."""
    turns = schedule.turns()
    return schedule.granularity != "epoch" or turns is None or turns.count <= ALL_TURNS


def envelope(
    schedule, count: int, start: int = 0, stop: int | None = None, spans: Buckets | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(steps, lr) to draw: each bucket's minimum and maximum, the phase boundaries and both ends,
    in step order; every step when there are few. At most 2 · ``count`` + 6 points. ``spans``
    reuses buckets already found (the statistics need them too)."""
    stop = schedule.total_steps if stop is None else stop
    if stop - start <= 2 * count:
        steps = np.arange(start, stop, dtype=np.int64)
    else:
        spans = spans or buckets(schedule, count, start, stop)
        warmup_end, hold_end = schedule.boundaries
        edges = np.array([start, stop - 1, warmup_end - 1, warmup_end, hold_end - 1, hold_end], dtype=np.int64)
        edges = edges[(edges >= start) & (edges < stop)]
        steps = np.unique(np.concatenate([spans.low_step, spans.high_step, edges]))
    return steps, schedule.lr(steps)


def _candidates(schedule, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Steps among which each bucket [first, last] has its extremes (some outside it: clipped later)."""
    warmup_end, hold_end = schedule.boundaries
    phases = np.array([warmup_end - 1, warmup_end, hold_end - 1, hold_end, schedule.total_steps - 1])
    parts = [first, last, phases]
    turns = schedule.turns()
    if turns is not None and turns.count:
        if schedule.granularity == "epoch" and turns.count <= ALL_TURNS:
            picked = np.arange(turns.count, dtype=np.int64)
        else:  # the first two turns of each bucket and its last two
            # turns within half a step of the bucket: one farther out only touches its first or
            # last step, which are candidates already
            opening = turns.index_at_or_after(first - hold_end - 0.5)
            closing = turns.index_at_or_after(last - hold_end + 0.5) - 1
            picked = np.concatenate([opening, opening + 1, closing - 1, closing])
            picked = np.unique(np.clip(picked, 0, turns.count - 1))
        at = hold_end + turns.at(picked)
        parts += [np.floor(at) - 1, np.floor(at), np.ceil(at)]
    steps = np.concatenate(parts).astype(np.int64)
    if schedule.granularity == "epoch":  # the curve changes only at epoch starts: the grid beside each
        spe = schedule.steps_per_epoch
        grid = steps // spe * spe
        steps = np.concatenate([steps, grid - 1, grid, grid + spe])
    return steps


def _first_of_each(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of the smallest key in each group (the earliest on ties); groups ascending."""
    order = np.lexsort((keys, groups))
    _, first = np.unique(groups[order], return_index=True)
    return order[first]
