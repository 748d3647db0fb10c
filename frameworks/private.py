"""The private corners of Keras and TensorBoard this project relies on, in one place.

Each name here is not part of its library's documented API and may move in an upgrade;
``tests/test_private_apis.py`` fails then, saying what to change here.
"""

from __future__ import annotations

import keras

# TensorBoard's plain event-file writer, as PyTorch's SummaryWriter uses it: microseconds an
# event, where an eager tf.summary call costs a tenth of a training step.
from tensorboard.summary.writer.event_file_writer import EventFileWriter


def held_schedule(optimizer) -> keras.optimizers.schedules.LearningRateSchedule | None:
    """The schedule object a Keras optimizer was built with, or None for a plain float.

    Keras keeps it in ``optimizer._learning_rate``; the public ``optimizer.learning_rate`` gives
    only the current value.
    """
    held = getattr(optimizer, "_learning_rate", None)
    return held if isinstance(held, keras.optimizers.schedules.LearningRateSchedule) else None


__all__ = ["EventFileWriter", "held_schedule"]
