"""How fast the engine evaluates a schedule, as ratios measured in one process.

    python -m bench.bench_engine

1. ``Schedule.lr`` over 10⁶ steps against a single ``np.cos`` pass over as many float64 values
   (the floor for any cosine schedule): goal ≤ 1.5×.
2. ``Schedule.lr`` over 10⁶ steps against calling Keras's ``CosineDecay`` once per step in eager
   mode, the way schedules are usually plotted (extrapolated from a sample of calls).
"""

from __future__ import annotations

import os

import numpy as np

import schedules
from bench.timing import interleaved_medians

STEPS = 1_000_000
DOC = schedules.make_document(
    {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100, "warmup_epochs": 5, "hold_epochs": 10, "epsilon": 1e-6},
    steps_per_epoch=10_000,
)


def main() -> None:
    schedule = schedules.from_config(DOC)
    steps = np.arange(STEPS)
    values = np.linspace(0.0, np.pi, STEPS)
    medians = interleaved_medians({"lr": lambda: schedule.lr(steps), "cos": lambda: np.cos(values)})
    print(f"lr() over {STEPS:,} steps: {medians['lr'] * 1e3:.1f} ms; one np.cos pass: {medians['cos'] * 1e3:.1f} ms")
    print(f"ratio lr / np.cos = {medians['lr'] / medians['cos']:.2f}x (goal <= 1.5x)")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # noqa: PLC0415 - TensorFlow only for the comparison

    keras_schedule = keras.optimizers.schedules.CosineDecay(
        0.0, 950_000, alpha=1e-4, warmup_target=0.01, warmup_steps=50_000
    )
    sample = np.linspace(0, STEPS - 1, 400).astype(np.int64)
    per_step = interleaved_medians({"keras": lambda: [float(keras_schedule(int(step))) for step in sample]}, rounds=3)[
        "keras"
    ] / len(sample)
    print(f"Keras CosineDecay, eager, one call per step: {per_step * 1e3:.3f} ms per call")
    print(f"lr() is {per_step * STEPS / medians['lr']:,.0f}x faster than {STEPS:,} eager Keras calls")


if __name__ == "__main__":
    main()
