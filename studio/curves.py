"""Curves small enough to draw and faithful to every step, at any schedule length.

Work is bounded by what is shown: a curve holds at most ~2 · MAX_POINTS / 2 points from the engine's
exact envelope (``schedules.envelope``), its statistics are exact or marked approximate with a
bound (``schedules.stats``), and the CSV export holds at most ``MAX_CSV_ROWS`` rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from schedules import Schedule
from schedules.envelope import buckets, envelope
from schedules.stats import STAT_LABELS, summarize_schedule

MAX_POINTS = 4000
MAX_CSV_ROWS = 1_000_000  # about 40 MB of text


def envelope_indices(values: np.ndarray, max_points: int = MAX_POINTS, keep=()) -> np.ndarray:
    """Sorted indices of at most ``max_points`` points that keep an array's whole envelope.

    For a series already held in memory (a training log); a schedule's own curve comes from
    :func:`schedules.envelope.envelope` without evaluating every step. The values are cut into
    equal buckets; each keeps its minimum and its maximum. The first and last points and every
    index in ``keep`` are always included.

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
    stat_bounds: dict = field(default_factory=dict)  # half-widths of the approximate statistics

    @property
    def epochs(self) -> np.ndarray:
        return self.steps / self.steps_per_epoch


def sample(schedule: Schedule, name: str, max_points: int = MAX_POINTS) -> Curve:
    """The exact envelope of ``schedule`` in at most ``max_points`` points, and its statistics."""
    count = max(1, (max_points - 6) // 2)
    spans = buckets(schedule, count)  # found once: the drawn envelope and the statistics share them
    steps, lr = envelope(schedule, count, spans=spans)
    summary = summarize_schedule(schedule, spans=spans)
    return Curve(
        name=name,
        steps=steps,
        lr=lr,
        steps_per_epoch=schedule.steps_per_epoch,
        boundaries=schedule.boundaries,
        total_steps=schedule.total_steps,
        stats=summary.values,
        stat_bounds=summary.bounds,
    )


def sample_many(named: Sequence[tuple[Schedule, str]]) -> list[Curve]:
    """:func:`sample` for several schedules at once, one thread each: NumPy releases the GIL, so
    a designed curve and its baseline compute side by side on two cores."""
    with ThreadPoolExecutor(max_workers=max(1, len(named))) as pool:
        return list(pool.map(lambda pair: sample(*pair), named))


def format_stats(stats: dict, bounds: dict | None = None) -> dict[str, str]:
    """The stats as a person reads them, keyed by their labels: lrs to four digits, shares in %,
    approximate ones as "≈ value (± bound)"."""
    bounds = bounds or {}

    def text(name: str, value) -> str:
        if value is None:
            return "never"
        if name.startswith("share"):
            shown = f"{value:.1%}"
            return f"≈ {shown} (± {bounds[name]:.2%})" if name in bounds else shown
        shown = f"{value:,}" if isinstance(value, int) else f"{value:.4g}"
        return f"≈ {shown} (± {bounds[name]:.2g})" if name in bounds else shown

    return {STAT_LABELS[name]: text(name, value) for name, value in stats.items()}


def csv_stride(schedule: Schedule, max_rows: int = MAX_CSV_ROWS) -> int:
    """Steps between CSV rows: 1 while every step fits in ``max_rows``, else one row per epoch,
    else the smallest stride that fits."""
    total = schedule.total_steps
    if total <= max_rows:
        return 1
    if -(-total // schedule.steps_per_epoch) <= max_rows:
        return schedule.steps_per_epoch
    return -(-total // max_rows)


def csv_note(schedule: Schedule, max_rows: int = MAX_CSV_ROWS) -> str:
    """What the CSV holds, in words, for its button and its first line."""
    stride, total = csv_stride(schedule, max_rows), schedule.total_steps
    if stride == 1:
        return f"every step ({total:,} rows)"
    unit = "the first step of every epoch" if stride == schedule.steps_per_epoch else f"every {stride:,}th step"
    return f"{unit} of {total:,} ({-(-total // stride):,} rows; at most {max_rows:,})"


def curve_csv(schedule: Schedule, max_rows: int = MAX_CSV_ROWS) -> str:
    """The schedule as CSV — step, epoch, lr at full precision — every step, or sampled as
    :func:`csv_note` says in a ``#`` line first; built chunk by chunk, never the whole curve twice."""
    stride, total = csv_stride(schedule, max_rows), schedule.total_steps
    out = io.StringIO()
    if stride > 1:
        out.write(f"# {csv_note(schedule, max_rows)}\n")
    out.write("step,epoch,lr\n")
    chunk_rows = 100_000
    for first in range(0, total, stride * chunk_rows):
        steps = np.arange(first, min(first + stride * chunk_rows, total), stride)
        rows = np.column_stack([steps, steps / schedule.steps_per_epoch, schedule.lr(steps)])
        np.savetxt(out, rows, fmt=["%d", "%.15g", "%.17g"], delimiter=",")
    return out.getvalue()
