"""The demo training: a small Keras model on data that ships with the code, driven by a schedule.

Imports TensorFlow: load it lazily (``training.demo`` and the Train page's worker process do).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402 - after the log level, so TensorFlow starts quietly
import numpy as np  # noqa: E402

from frameworks.keras_callbacks import LearningRateLogger, current_lr, current_step  # noqa: E402
from schedules import Schedule  # noqa: E402
from training.data import Dataset, load_dataset, steps_per_epoch  # noqa: E402
from training.options import RunOptions  # noqa: E402
from training.run_folders import Heartbeat, RunResult, weights_digest, write_run_file  # noqa: E402


def build_model(dataset: Dataset) -> keras.Model:
    """A small MLP: two hidden layers of 64 ReLU units, logits out."""
    return keras.Sequential(
        [
            keras.Input(shape=(dataset.x_train.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(dataset.classes),
        ]
    )


def make_optimizer(name: str, learning_rate) -> keras.optimizers.Optimizer:
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    return keras.optimizers.AdamW(learning_rate)


def finite_or_none(value) -> float | None:
    """A metric as JSON can hold it: a diverged loss (NaN, ±inf) becomes null."""
    number = float(value)
    return number if math.isfinite(number) else None


class _Progress(keras.callbacks.Callback):
    """Per-epoch reporting, the stop request, and divergence: a non-finite loss ends the run."""

    def __init__(self, result: RunResult, on_epoch, should_stop):
        super().__init__()
        self.result, self.on_epoch, self.should_stop = result, on_epoch, should_stop
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            step = current_step(self.model.optimizer)
            self.result.status = "diverged"
            self.result.message = f"diverged at epoch {self.epoch + 1}, step {step}: try a lower base lr"
            self.model.stop_training = True
        elif self.should_stop():
            self.result.status = "stopped"
            self.result.message = f"stopped at epoch {self.epoch + 1} on request"
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        # A run stopped mid-epoch records how far it got (19.02 epochs), not the epoch it was in.
        done = current_step(self.model.optimizer) / self.result.steps_per_epoch
        row = {"epoch": epoch + 1 if done >= epoch + 1 else round(done, 2)}
        row |= {key: finite_or_none(value) for key, value in (logs or {}).items()}
        row["learning_rate"] = current_lr(self.model.optimizer)
        self.result.history.append(row)
        self.on_epoch(row)


def train(
    schedule: Schedule,
    options: RunOptions,
    run_dir: Path,
    dataset: Dataset | None = None,
    initial_weights: list[np.ndarray] | None = None,
    on_epoch: Callable[[dict[str, Any]], None] = lambda row: None,
    should_stop: Callable[[], bool] = lambda: False,
    in_steps: bool = False,
    **labels: str,
) -> tuple[RunResult, list[np.ndarray]]:
    """Train the demo model with ``schedule`` and log to ``run_dir`` (TensorBoard + run.json).

    The schedule's epochs map onto the run's real epochs, unless ``in_steps``: then it runs step
    for step as its document says (a bake-off fits every shape to the same number of steps).
    ``labels`` (``name``, ``bakeoff``) go into the run's record. Returns the result and the weights
    the run started from, so a baseline can start from them.
    """
    keras.utils.set_random_seed(options.seed)
    dataset = dataset or load_dataset(options.dataset, options.seed)
    real_steps = steps_per_epoch(dataset, options.batch_size)
    if not in_steps:
        schedule = schedule.with_steps_per_epoch(real_steps)
    model = build_model(dataset)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    start_weights = model.get_weights()
    result = RunResult(
        run_dir=run_dir, steps_per_epoch=real_steps, initial_weights=weights_digest(start_weights), **labels
    )
    write_run_file(result, schedule, options)
    model.compile(
        optimizer=make_optimizer(options.optimizer, schedule.to_keras()),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    callbacks = [
        _Progress(result, on_epoch, should_stop),
        LearningRateLogger(run_dir),
        keras.callbacks.TensorBoard(log_dir=str(run_dir), write_graph=False, profile_batch=0),
    ]
    heartbeat = Heartbeat(run_dir)  # other servers sharing the runs folder see the run is alive
    try:
        model.fit(
            dataset.x_train,
            dataset.y_train,
            validation_data=(dataset.x_val, dataset.y_val),
            epochs=options.epochs,
            batch_size=options.batch_size,
            callbacks=callbacks,
            verbose=0,
        )
    except BaseException as error:
        result.status, result.message = "failed", f"{type(error).__name__}: {error}"
        raise
    finally:
        heartbeat.stop()
        if result.status == "running":
            result.status = "completed"
        write_run_file(result, schedule, options)
    return result, start_weights
