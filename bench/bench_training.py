"""What the demo training costs, and why TensorFlow stays out of the designer.

    python -m bench.bench_training

1. Wall time of a 20-epoch demo run on the digits (batch 32, SGD, cosine with warm-up).
2. The learning-rate logger's overhead: the same fit with and without it, in turns, in one
   process (goal ≤ 10% of step time).
3. Importing what the designer page needs against importing TensorFlow, each in a fresh process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import schedules

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
DOC = schedules.make_document(
    {"kind": "cosine", "base_lr": 0.05, "total_epochs": 20, "warmup_epochs": 2, "hold_epochs": 2}, steps_per_epoch=45
)
DESIGNER_IMPORTS = (  # what pages/designer.py imports
    "import streamlit, pandas, plotly.graph_objects, schedules, frameworks.code, studio.controls, studio.design,"
    " studio.links, studio.presets, studio.run_section, studio.text, studio.compare_items, studio.curves,"
    " studio.figures"
)


def import_seconds(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    import keras  # noqa: PLC0415

    from frameworks.keras_callbacks import LearningRateLogger  # noqa: PLC0415
    from training import data, run_folders, session  # noqa: PLC0415
    from training.options import RunOptions  # noqa: PLC0415

    schedule = schedules.from_config(DOC)
    with tempfile.TemporaryDirectory() as logs:
        start = time.perf_counter()
        result, _ = session.train(schedule, RunOptions(epochs=20), run_folders.new_run_dir(logs, "bench"))
        wall = time.perf_counter() - start
    accuracy = result.history[-1]["val_accuracy"]
    steps = 20 * result.steps_per_epoch
    print(f"20 epochs on digits ({steps} steps): {wall:.1f} s wall, val accuracy {accuracy:.3f}")

    dataset = data.load_dataset("digits")
    model = session.build_model(dataset)
    model.compile(
        optimizer=keras.optimizers.SGD(schedule.to_keras()),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    times: dict[str, list[float]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as logs:
        model.fit(dataset.x_train, dataset.y_train, epochs=1, batch_size=32, verbose=0)  # trace once
        for _ in range(7):  # each fit is a 10-epoch run with a logger of its own, as in the demo
            for label, callbacks in (("without", []), ("with", [LearningRateLogger(logs)])):
                start = time.perf_counter()
                model.fit(dataset.x_train, dataset.y_train, epochs=10, batch_size=32, verbose=0, callbacks=callbacks)
                times[label].append(time.perf_counter() - start)
    without, with_logger = statistics.median(times["without"]), statistics.median(times["with"])
    steps = 10 * session.steps_per_epoch(dataset, 32)
    print(f"step time without logger {without / steps * 1e3:.2f} ms, with {with_logger / steps * 1e3:.2f} ms")
    print(f"lr-logging overhead: {with_logger / without - 1:+.1%} of step time (goal <= 10%)")

    designer, tensorflow = [], []
    for _ in range(3):
        designer.append(import_seconds(DESIGNER_IMPORTS))
        tensorflow.append(import_seconds("import tensorflow"))
    designer_s, tensorflow_s = statistics.median(designer), statistics.median(tensorflow)
    print(f"import for the designer page: {designer_s:.2f} s; import tensorflow: {tensorflow_s:.2f} s")
    print(f"ratio tensorflow / designer imports = {tensorflow_s / designer_s:.1f}x")


if __name__ == "__main__":
    main()
