"""Read scalars back from a run's TensorBoard event files, without TensorFlow or TensorBoard.

The engine's log reader (``schedules.logs``) decodes event files from any writer with NumPy alone;
this is the demo's view of it: one scalar of one split of a run folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from schedules.logs import event_scalars


def read_scalars(
    log_dir: str | Path, tag: str = "learning_rate", split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of scalar ``tag`` in ``log_dir/split``, sorted by step, last write winning.

    Reads every event file of the split, so logs from several writers (Keras's TensorBoard
    callback and the learning-rate logger) read together, and a file a killed process left
    truncated yields what was written before the cut.
    """
    files = sorted(Path(log_dir, split).glob("events.out.tfevents.*"))
    return event_scalars([(path.name, path.read_bytes()) for path in files], tag)
