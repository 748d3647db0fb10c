"""Numbers that summarize a curve, for comparing schedules over the same steps."""

from __future__ import annotations

import numpy as np

STAT_LABELS = {
    "peak_lr": "Peak lr",
    "final_lr": "Final lr",
    "mean_lr": "Mean lr",
    "area": "Area (sum of lr over steps)",
    "share_above_half_peak": "Share of steps above half the peak",
    "steps_to_tenth_of_peak": "Steps until lr < 10% of peak",
}


def summarize(lr: np.ndarray) -> dict[str, float | int | None]:
    """Peak, final and mean lr, the area Σ lr, the share of steps with lr > peak / 2, and the
    first step after the peak where lr < peak / 10 (None if it never falls that far).

    >>> stats = summarize(np.array([0.0, 1.0, 0.5, 0.05]))
    >>> stats["peak_lr"], stats["area"], stats["share_above_half_peak"], stats["steps_to_tenth_of_peak"]
    (1.0, 1.55, 0.25, 3)
    """
    lr = np.asarray(lr, dtype=np.float64)
    peak_step = int(np.argmax(lr))
    peak = float(lr[peak_step])
    below_tenth = np.flatnonzero(lr[peak_step:] < peak / 10)
    return {
        "peak_lr": peak,
        "final_lr": float(lr[-1]),
        "mean_lr": float(lr.mean()),
        "area": float(lr.sum()),
        "share_above_half_peak": float(np.mean(lr > peak / 2)),
        "steps_to_tenth_of_peak": int(peak_step + below_tenth[0]) if below_tenth.size else None,
    }
