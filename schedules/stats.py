"""Numbers that summarize a curve, for comparing schedules over the same steps — at any length.

Where the curve has a closed-form sum (cosine, linear and constant decays after any warm-up and
hold, lr changing every step), every statistic is exact at any length: the area is that sum, and
the share above half the peak counts whole buckets from their exact extremes, evaluating only
where the curve crosses. Otherwise, up to ``EXACT_STEPS`` steps every statistic is exact, computed
chunk by chunk in bounded memory (a span the envelope finds constant counted without evaluating
its steps). Beyond, the peak, the final lr and the steps until it falls to a tenth of the peak stay exact
(from the envelope's exact bucket extremes, evaluating only the bucket where the lr crosses); the
area, the mean and the share above half the peak come from the buckets' bounds, each marked
approximate with the half-width of its bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from schedules.envelope import Buckets, buckets, extremes_exact

EXACT_STEPS = 2_000_000  # about 50 ms of evaluation: a designer rerun stays interactive
CHUNK = 250_000  # steps evaluated at once: 2 MB an array
BUCKETS = 4_000
EVALUATED = 4_096  # a span narrowed to this many steps is evaluated
SUB_BUCKETS = 64  # a wider span is split into this many at each level of narrowing

STAT_LABELS = {
    "peak_lr": "Peak lr",
    "final_lr": "Final lr",
    "mean_lr": "Mean lr",
    "area": "Area (sum of lr over steps)",
    "share_above_half_peak": "Share of steps above half the peak",
    "steps_to_tenth_of_peak": "Steps until lr ≤ 10% of peak",
}
# A ×0.1 drop lands on a tenth of the peak only up to rounding (0.1 × 0.1 = 0.010000000000000002):
# within this relative margin the lr has reached it.
TENTH_MARGIN = 1e-9


def tenth_of(peak: float) -> float:
    """The lr at or below which a curve has fallen to 10% of ``peak``, rounding forgiven.

    >>> 0.1 * 0.1 <= tenth_of(0.1) < 0.0100001
    True
    """
    return peak / 10 * (1 + TENTH_MARGIN)


@dataclass(frozen=True)
class Summary:
    """The statistics, and for those that are approximate the half-width of their bound."""

    values: dict[str, float | int | None]
    bounds: dict[str, float] = field(default_factory=dict)


def summarize(lr: np.ndarray) -> dict[str, float | int | None]:
    """Peak, final and mean lr, the area Σ lr, the share of steps with lr > peak / 2, and the
    first step after the peak where lr ≤ peak / 10 (None if it never falls that far).

    >>> stats = summarize(np.array([0.0, 1.0, 0.5, 0.05]))
    >>> stats["peak_lr"], stats["area"], stats["share_above_half_peak"], stats["steps_to_tenth_of_peak"]
    (1.0, 1.55, 0.25, 3)
    """
    lr = np.asarray(lr, dtype=np.float64)
    peak_step = int(np.argmax(lr))
    peak = float(lr[peak_step])
    below_tenth = np.flatnonzero(lr[peak_step:] <= tenth_of(peak))
    return {
        "peak_lr": peak,
        "final_lr": float(lr[-1]),
        "mean_lr": float(lr.mean()),
        "area": float(lr.sum()),
        "share_above_half_peak": float(np.mean(lr > peak / 2)),
        "steps_to_tenth_of_peak": int(peak_step + below_tenth[0]) if below_tenth.size else None,
    }


def summarize_schedule(schedule, exact_steps: int = EXACT_STEPS, spans: Buckets | None = None) -> Summary:
    """:func:`summarize` of every step of ``schedule``, in bounded memory and time at any length.

    ``spans`` reuses the buckets of the drawn envelope (the bounds then follow its bucket count).

    >>> import schedules
    >>> linear = {"kind": "linear", "base_lr": 1.0, "total_epochs": 1}
    >>> s = schedules.from_config(schedules.make_document(linear, 10**9))
    >>> summary = summarize_schedule(s)  # a closed-form sum: exact at 10⁹ steps
    >>> summary.values["mean_lr"], summary.values["share_above_half_peak"], summary.bounds
    (0.5000000005, 0.5, {})
    >>> s = schedules.from_config(schedules.make_document(linear | {"kind": "polynomial", "power": 2}, 10**9))
    >>> summary = summarize_schedule(s)
    >>> summary.values["peak_lr"], summary.values["steps_to_tenth_of_peak"], sorted(summary.bounds)
    (1.0, 683772234, ['area', 'mean_lr', 'share_above_half_peak'])
    >>> abs(summary.values["mean_lr"] - 1 / 3) <= summary.bounds["mean_lr"]
    True
    """
    total = schedule.total_steps
    spans = spans or buckets(schedule, BUCKETS)
    top = int(np.argmax(spans.high))
    peak, peak_step = float(spans.high[top]), int(spans.high_step[top])
    values = {
        "peak_lr": peak,
        "final_lr": float(schedule.lr(total - 1)),
        "steps_to_tenth_of_peak": _first_at_or_below(schedule, spans, peak_step, tenth_of(peak)),
    }
    area = schedule.total_lr() if extremes_exact(schedule) else None  # exact at any length
    if area is not None:
        above = _count_above(schedule, spans, peak / 2)
    elif total <= exact_steps:
        area, above = _evaluated_sums(schedule, spans, peak / 2)
    if area is not None:
        values |= {"mean_lr": area / total, "area": area, "share_above_half_peak": above / total}
        return Summary(_ordered(values))
    sizes = spans.sizes
    low_area, high_area = float(sizes @ spans.low), float(sizes @ spans.high)
    surely_above = int(sizes[spans.low > peak / 2].sum())
    maybe_above = int(sizes[(spans.high > peak / 2) & ~(spans.low > peak / 2)].sum())
    values |= {
        "area": (low_area + high_area) / 2,
        "mean_lr": (low_area + high_area) / 2 / total,
        "share_above_half_peak": (surely_above + maybe_above / 2) / total,
    }
    bounds = {
        "area": (high_area - low_area) / 2,
        "mean_lr": (high_area - low_area) / 2 / total,
        "share_above_half_peak": maybe_above / 2 / total,
    }  # a bound of 0 (every bucket constant, or none crossing half the peak) is an exact value
    return Summary(_ordered(values), {name: bound for name, bound in bounds.items() if bound > 0})


def _evaluated_sums(schedule, spans: Buckets, half: float) -> tuple[float, int]:
    """Σ lr over every step, and the number of steps with lr > ``half``. A bucket whose exact
    minimum equals its maximum is constant (a hold, a step decay between drops): it counts as
    value × size unevaluated. The other buckets' steps are evaluated, about ``CHUNK`` at a time."""
    flat = (spans.low == spans.high) & extremes_exact(schedule)
    area = float(spans.sizes[flat] @ spans.low[flat])
    above = int(spans.sizes[flat & (spans.low > half)].sum())
    starts, sizes = spans.start[~flat], spans.sizes[~flat]
    ends = np.cumsum(sizes)
    chunk_of = (ends - 1) // CHUNK  # buckets grouped by where they end: a group holds ≲ CHUNK steps
    for chunk in np.unique(chunk_of):
        mine = chunk_of == chunk
        lr = schedule.lr(_concatenated_ranges(starts[mine], sizes[mine]))
        area += float(lr.sum())
        above += int(np.count_nonzero(lr > half))
    return area, above


def _count_above(schedule, spans: Buckets, half: float) -> int:
    """The number of steps with lr > ``half``, the buckets' extremes exact: a bucket whose minimum
    is above counts whole, one whose maximum is not counts none, and the few between (where the
    curve crosses ``half``) are narrowed into, as :func:`_first_at_or_below` narrows."""
    above = int(spans.sizes[spans.low > half].sum())
    for index in np.flatnonzero((spans.low <= half) & (spans.high > half)):
        start, stop = int(spans.start[index]), int(spans.stop[index])
        if stop - start <= EVALUATED:
            above += int(np.count_nonzero(schedule.lr(np.arange(start, stop)) > half))
        else:
            above += _count_above(schedule, buckets(schedule, SUB_BUCKETS, start, stop), half)
    return above


def _concatenated_ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The steps of [start, start + size) for each pair, one after another.

    >>> _concatenated_ranges(np.array([0, 10]), np.array([2, 3])).tolist()
    [0, 1, 10, 11, 12]
    """
    offsets = np.cumsum(sizes) - sizes
    return np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)


def _first_at_or_below(schedule, spans, after: int, threshold: float) -> int | None:
    """The first step ≥ ``after`` where lr ≤ ``threshold``: the first bucket whose exact minimum is
    not above it holds that step, so the search narrows into it (64 sub-buckets a level) until a few
    thousand steps remain (``EVALUATED``), evaluated directly."""
    for index in np.flatnonzero((spans.stop > after) & (spans.low <= threshold)):
        start, stop = max(int(spans.start[index]), after), int(spans.stop[index])
        if stop - start <= EVALUATED:
            steps = np.arange(start, stop)
            below = np.flatnonzero(schedule.lr(steps) <= threshold)
            found = int(steps[below[0]]) if below.size else None
        else:
            found = _first_at_or_below(schedule, buckets(schedule, SUB_BUCKETS, start, stop), start, threshold)
        if found is not None:
            return found
    return None


def _ordered(values: dict) -> dict:
    return {name: values[name] for name in STAT_LABELS}
