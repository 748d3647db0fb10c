"""Keras callbacks for schedules. Imports Keras and TensorFlow: load this module lazily.

- :class:`ScheduleCallback` sets the optimizer's learning rate from a :class:`Schedule` at each
  batch (granularity "step") or each epoch (granularity "epoch"), for users who prefer callbacks.
- :class:`LearningRateLogger` writes the learning rate the optimizer actually used at every step
  to TensorBoard as the scalar ``learning_rate``, beside Keras's own epoch scalars.
"""

from __future__ import annotations

import math
import time
import weakref
from pathlib import Path

import keras
import tensorflow as tf
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary

from frameworks.private import EventFileWriter, held_schedule
from schedules import Schedule


def current_step(optimizer) -> int:
    """The optimizer's step count (also from a distributed strategy's mirrored variable)."""
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def current_lr(optimizer) -> float:
    """The learning rate the optimizer applies at its current step, whatever holds it."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled_schedule(schedule):
    """steps (int64 vector) -> schedule(step) for each, in a graph as the optimizer's train step
    computes it; compiled once per schedule object.

    A schedule written with element-wise ops (this project's adapter, most Keras built-ins) takes
    the whole vector at once; one with a scalar branch (Keras's warm-up ``cond``) is mapped over
    the steps one by one.
    """
    if schedule not in _COMPILED:
        signature = [tf.TensorSpec([None], tf.int64)]
        vectorized = tf.function(lambda steps: tf.cast(schedule(steps), tf.float32), input_signature=signature)
        try:
            vectorized(tf.constant([0, 1], tf.int64))  # a scalar-only branch fails here, not at trace
            _COMPILED[schedule] = vectorized
        except (TypeError, ValueError, tf.errors.InvalidArgumentError):
            _COMPILED[schedule] = tf.function(
                lambda steps: tf.map_fn(
                    lambda step: tf.cast(schedule(step), tf.float32), steps, fn_output_signature=tf.float32
                ),
                input_signature=signature,
            )
    return _COMPILED[schedule]


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

    Works with any optimizer and any learning rate. When the optimizer holds a schedule (this
    project's adapter or a Keras built-in), the values of an epoch's steps are computed at its end
    in one compiled call — schedule(step) is exactly what the optimizer applied at that step — so
    the step loop pays nothing. A plain float, which another callback may change between batches,
    is read just before each step. Values are written at each epoch's end and when training stops.

    Args:
      log_dir: the run's log directory; scalars go to ``log_dir/train`` like Keras's TensorBoard.
    """

    def __init__(self, log_dir: str | Path):
        super().__init__()
        self.log_dir = Path(log_dir)
        self._writer = None
        self._pending: list[tuple[int, float]] = []
        self._schedule_values = None  # compiled steps -> lrs, when the optimizer holds a schedule
        self._epoch_start = 0

    @property
    def writer(self) -> EventFileWriter:
        # Created lazily, as keras.callbacks.TensorBoard does.
        if self._writer is None:
            self._writer = EventFileWriter(str(self.log_dir / "train"), filename_suffix=".lr")
        return self._writer

    def on_train_begin(self, logs=None):
        held = held_schedule(self.model.optimizer)
        if held is not None:
            self._schedule_values = compiled_schedule(held)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = current_step(self.model.optimizer)

    def on_train_batch_begin(self, batch, logs=None):
        if self._schedule_values is None:
            optimizer = self.model.optimizer
            self._pending.append((current_step(optimizer), current_lr(optimizer)))

    def _collect_schedule_steps(self) -> None:
        end = current_step(self.model.optimizer)
        if self._schedule_values is not None and end > self._epoch_start:
            steps = tf.range(self._epoch_start, end, dtype=tf.int64)
            values = self._schedule_values(steps).numpy()
            self._pending.extend(zip(range(self._epoch_start, end), values.tolist(), strict=True))
            self._epoch_start = end

    def flush(self) -> None:
        self._collect_schedule_steps()
        now = time.time()
        for step, lr in self._pending:
            if math.isfinite(lr):
                value = Summary.Value(tag="learning_rate", simple_value=lr)
                self.writer.add_event(Event(wall_time=now, step=step, summary=Summary(value=[value])))
        self._pending.clear()
        if self._writer is not None:
            self._writer.flush()

    def on_epoch_end(self, epoch, logs=None):
        self.flush()

    def on_train_end(self, logs=None):
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
