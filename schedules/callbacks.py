"""Keras callbacks for schedules. Imports Keras and TensorFlow: load this module lazily.

- :class:`ScheduleCallback` sets the optimizer's learning rate from a :class:`Schedule` at each
  batch (granularity "step") or each epoch (granularity "epoch"), for users who prefer callbacks.
- :class:`LearningRateLogger` writes the learning rate the optimizer actually used at every step
  to TensorBoard as the scalar ``learning_rate``, beside Keras's own epoch scalars.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import tensorflow as tf

from schedules.schedule import Schedule


def current_step(optimizer) -> int:
    """The optimizer's step count (also from a distributed strategy's mirrored variable)."""
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def current_lr(optimizer) -> float:
    """The learning rate the optimizer applies at its current step, whatever holds it."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class ScheduleCallback(keras.callbacks.Callback):
    """Set ``optimizer.learning_rate`` to ``schedule.lr(step)`` before each step (or epoch).

    The optimizer must hold a plain float learning rate (not a schedule object).

    Args:
      schedule: the schedule to follow.
      steps_per_epoch: the run's real steps per epoch, for granularity "epoch" (default: the
        schedule's own).
    """

    def __init__(self, schedule: Schedule, steps_per_epoch: int | None = None):
        super().__init__()
        self.schedule = schedule
        self.steps_per_epoch = steps_per_epoch or schedule.steps_per_epoch

    def _set(self, step: int) -> None:
        self.model.optimizer.learning_rate = float(self.schedule.lr(step))

    def on_train_batch_begin(self, batch, logs=None):
        if self.schedule.granularity == "step":
            self._set(current_step(self.model.optimizer))

    def on_epoch_begin(self, epoch, logs=None):
        if self.schedule.granularity == "epoch":
            self._set(epoch * self.steps_per_epoch)


class LearningRateLogger(keras.callbacks.Callback):
    """Log the learning rate used at every optimizer step as TensorBoard scalar ``learning_rate``.

    Works with any optimizer and any learning rate (a float, a Keras schedule, this project's
    adapter, or one set by another callback): it reads ``optimizer.learning_rate`` just before each
    step. Values are kept in memory during an epoch and written at its end (and when training
    stops), so the step loop pays for one read, not for a file write.

    Args:
      log_dir: the run's log directory; scalars go to ``log_dir/train`` like Keras's TensorBoard.
    """

    def __init__(self, log_dir: str | Path):
        super().__init__()
        self.log_dir = Path(log_dir)
        self._writer = None
        self._pending: list[tuple[int, float]] = []

    @property
    def writer(self):
        if self._writer is None:  # created lazily, as keras.callbacks.TensorBoard does
            self._writer = tf.summary.create_file_writer(str(self.log_dir / "train"))
        return self._writer

    def on_train_batch_begin(self, batch, logs=None):
        optimizer = self.model.optimizer
        self._pending.append((current_step(optimizer), current_lr(optimizer)))

    def flush(self) -> None:
        if not self._pending:
            return
        with self.writer.as_default():
            for step, lr in self._pending:
                if math.isfinite(lr):
                    tf.summary.scalar("learning_rate", lr, step=step)
        self.writer.flush()
        self._pending.clear()

    def on_epoch_end(self, epoch, logs=None):
        self.flush()

    def on_train_end(self, logs=None):
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
