"""Read scalars back from TensorBoard event files, without importing TensorFlow.

An event file is a sequence of TFRecords — an 8-byte little-endian length, a 4-byte checksum of
it, the serialized ``Event``, a 4-byte checksum of that — so reading one needs only the ``Event``
protocol buffer that TensorBoard ships, not TensorFlow (TensorBoard's own loader imports it).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def records(path: str | Path) -> Iterator[bytes]:
    """The payloads of a TFRecord file; a record cut short (a killed writer) ends the file."""
    with open(path, "rb") as file:
        while True:
            header = file.read(12)
            if len(header) < 12:
                return
            (length,) = struct.unpack("<Q", header[:8])
            payload = file.read(length)
            if len(payload) < length or len(file.read(4)) < 4:
                return
            yield payload


def read_scalars(
    log_dir: str | Path, tag: str = "learning_rate", split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of scalar ``tag`` in ``log_dir/split``, sorted by step, last write winning.

    Reads every event file of the split, so logs from several writers (Keras's TensorBoard
    callback and the learning-rate logger) read together, and a file a killed process left
    truncated yields what was written before the cut.
    """
    from tensorboard.compat.proto.event_pb2 import Event  # noqa: PLC0415 - protobuf only
    from tensorboard.util.tensor_util import make_ndarray  # noqa: PLC0415

    found: dict[int, float] = {}
    for path in sorted(Path(log_dir, split).glob("events.out.tfevents.*")):
        for payload in records(path):
            event = Event.FromString(payload)
            for value in event.summary.value:
                if value.tag == tag:
                    number = value.simple_value if value.HasField("simple_value") else make_ndarray(value.tensor).item()
                    found[int(event.step)] = float(number)
    steps = np.array(sorted(found), dtype=np.int64)
    return steps, np.array([found[step] for step in steps], dtype=np.float64)
