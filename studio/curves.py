"""Curves small enough to draw and faithful to every step."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from schedules import Schedule
from schedules.stats import STAT_LABELS, summarize

MAX_POINTS = 4000


def envelope_indices(values: np.ndarray, max_points: int = MAX_POINTS, keep=()) -> np.ndarray:
    """Sorted indices of at most ``max_points`` points that keep the curve's whole envelope.

    The steps are cut into equal buckets; each bucket keeps its minimum and its maximum, so an lr
    that oscillates every few steps still shows its full range. The first and last points and
    every index in ``keep`` (phase boundaries) are always included, exactly.

    >>> envelope_indices(np.array([0.0, 3.0, 1.0, 2.0, 5.0, 4.0]), max_points=5, keep=[2]).tolist()
    [0, 2, 4, 5]
    """
    values = np.asarray(values)
    count = values.size
    keep = np.asarray([index for index in keep if 0 <= index < count] + [0, count - 1], dtype=np.int64)
    if count <= max_points:
        return np.arange(count)
    buckets = max(1, (max_points - keep.size) // 2)
    size = -(-count // buckets)  # ceil: every step lands in a bucket
    padded = np.pad(values, (0, buckets * size - count), mode="edge").reshape(buckets, size)
    offsets = np.arange(buckets) * size
    lows = np.minimum(offsets + padded.argmin(axis=1), count - 1)
    highs = np.minimum(offsets + padded.argmax(axis=1), count - 1)
    return np.unique(np.concatenate([lows, highs, keep]))


@dataclass(frozen=True)
class Curve:
    """A schedule's curve reduced for drawing, with the numbers that summarize the full curve."""

    name: str
    steps: np.ndarray  # the kept steps, ascending
    lr: np.ndarray  # the exact lr at those steps
    steps_per_epoch: int
    boundaries: tuple[int, int]  # end of warm-up, end of hold, in steps
    total_steps: int
    stats: dict

    @property
    def epochs(self) -> np.ndarray:
        return self.steps / self.steps_per_epoch


def sample(schedule: Schedule, name: str, max_points: int = MAX_POINTS) -> Curve:
    """Evaluate ``schedule`` at each of its steps, summarize, and keep an envelope to draw."""
    steps = np.arange(schedule.total_steps)
    lr = schedule.lr(steps)
    warmup_end, hold_end = schedule.boundaries
    kept = envelope_indices(lr, max_points, keep=[warmup_end - 1, warmup_end, hold_end - 1, hold_end])
    return Curve(
        name=name,
        steps=kept,
        lr=lr[kept],
        steps_per_epoch=schedule.steps_per_epoch,
        boundaries=schedule.boundaries,
        total_steps=schedule.total_steps,
        stats=summarize(lr),
    )


def sample_many(named: Sequence[tuple[Schedule, str]]) -> list[Curve]:
    """:func:`sample` for several schedules at once, one thread each: NumPy releases the GIL, so
    a designed curve and its baseline compute side by side on two cores."""
    with ThreadPoolExecutor(max_workers=max(1, len(named))) as pool:
        return list(pool.map(lambda pair: sample(*pair), named))


def format_stats(stats: dict) -> dict[str, str]:
    """The stats as a person reads them, keyed by their labels: lrs to four digits, shares in %."""

    def text(name: str, value) -> str:
        if value is None:
            return "never"
        if name.startswith("share"):
            return f"{value:.1%}"
        return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"

    return {STAT_LABELS[name]: text(name, value) for name, value in stats.items()}


def curve_csv(schedule: Schedule) -> str:
    """Every step of the schedule as CSV: step, epoch, lr (full precision)."""
    import pandas as pd  # noqa: PLC0415 - only when a user asks for the file

    steps = np.arange(schedule.total_steps)
    table = pd.DataFrame({"step": steps, "epoch": steps / schedule.steps_per_epoch, "lr": schedule.lr(steps)})
    return table.to_csv(index=False, float_format="%.17g")
