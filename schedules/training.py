"""The demo training: a small Keras model on data that ships with the code, driven by a schedule.

Imports TensorFlow: load it lazily (``schedules.demo`` and the Train page's worker process do).
Nothing is downloaded: the digits are scikit-learn's bundled 8×8 images, the spirals are generated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402 - after the log level, so TensorFlow starts quietly
import numpy as np  # noqa: E402

from schedules.callbacks import LearningRateLogger, current_lr, current_step  # noqa: E402
from schedules.demo import DATASETS, OPTIMIZERS  # noqa: E402 - the CLI's choices, defined without TensorFlow
from schedules.document import from_config  # noqa: E402
from schedules.events import RUN_FILE  # noqa: E402
from schedules.schedule import Schedule  # noqa: E402


@dataclass(frozen=True)
class Dataset:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    classes: int


@dataclass(frozen=True)
class RunOptions:
    """How to train: epochs, batch size, optimizer name, seed and data set."""

    epochs: int = 10
    batch_size: int = 32
    optimizer: str = "sgd"
    seed: int = 0
    dataset: str = "digits"

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset: must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs: must be an integer in [1, 10000], got {self.epochs}")
        if not 1 <= self.batch_size <= 4096:
            raise ValueError(f"batch_size: must be an integer in [1, 4096], got {self.batch_size}")


@dataclass
class RunResult:
    """What a run did: where it logged, how it ended, and its per-epoch metrics."""

    run_dir: Path
    status: str = "running"  # running → completed | stopped | diverged
    message: str = ""
    steps_per_epoch: int = 0
    initial_weights: str = ""  # sha256 of the starting weights: equal runs start equal
    history: list[dict[str, float]] = field(default_factory=list)


def load_dataset(name: str, seed: int = 0) -> Dataset:
    """Digits (1,797 8×8 images, 10 classes) or two interleaved spirals (2,000 points, 2 classes),
    shuffled with ``seed`` and split 80/20 into training and validation."""
    rng = np.random.default_rng(seed)
    if name == "digits":
        from sklearn.datasets import load_digits  # noqa: PLC0415 - bundled with scikit-learn

        digits = load_digits()
        x, y, classes = digits.data.astype("float32") / 16.0, digits.target.astype("int64"), 10
    elif name == "spirals":
        x, y, classes = two_spirals(1000, rng), np.repeat([0, 1], 1000), 2
    else:
        raise ValueError(f"dataset: must be one of {', '.join(DATASETS)}, got {name!r}")
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    cut = int(0.8 * len(x))
    return Dataset(name, x[:cut], y[:cut], x[cut:], y[cut:], classes)


def two_spirals(points_per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Two interleaved spirals in the plane, one per class, with a little noise (float32)."""
    angle = np.sqrt(rng.uniform(0, 1, points_per_class)) * 3 * np.pi
    arm = np.stack([angle * np.cos(angle), angle * np.sin(angle)], axis=1) / (3 * np.pi)
    both = np.concatenate([arm, -arm]) + rng.normal(0, 0.02, (2 * points_per_class, 2))
    return both.astype("float32")


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


def steps_per_epoch(dataset: Dataset, batch_size: int) -> int:
    return math.ceil(len(dataset.x_train) / batch_size)


def rebase(schedule: Schedule, real_steps_per_epoch: int) -> Schedule:
    """The same schedule in epochs, mapped onto the run's real number of steps per epoch."""
    return from_config({**schedule.to_config(), "steps_per_epoch": real_steps_per_epoch})


def new_run_dir(root: str | Path, label: str, now: dt.datetime | None = None) -> Path:
    """A fresh folder ``root/<timestamp>-<label>``; never one that exists (a suffix is added).

    The label is reduced to letters, digits, ``-`` and ``_``, so no run can name a path outside
    ``root``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:40] or "run"
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        candidate = root / (f"{stamp}-{safe}" if attempt == 1 else f"{stamp}-{safe}-{attempt}")
        try:
            candidate.mkdir()  # atomic: two runs never get the same folder
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"no free run folder for {stamp}-{safe} under {root}")


def weights_digest(weights: list[np.ndarray]) -> str:
    digest = hashlib.sha256()
    for array in weights:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def write_run_file(result: RunResult, schedule: Schedule, options: RunOptions) -> None:
    """``run.json``: the schedule, options, status and history; rewritten atomically."""
    record = {
        "schedule": schedule.to_config(),
        "options": asdict(options),
        **{key: value for key, value in asdict(result).items() if key != "run_dir"},
    }
    temporary = result.run_dir / (RUN_FILE + ".tmp")
    temporary.write_text(json.dumps(record, indent=2, allow_nan=False, default=float))
    temporary.replace(result.run_dir / RUN_FILE)


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
        row = {"epoch": epoch + 1, **{key: finite_or_none(value) for key, value in (logs or {}).items()}}
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
) -> tuple[RunResult, list[np.ndarray]]:
    """Train the demo model with ``schedule`` and log to ``run_dir`` (TensorBoard + run.json).

    Returns the result and the weights the run started from, so a baseline can start from them.
    """
    keras.utils.set_random_seed(options.seed)
    dataset = dataset or load_dataset(options.dataset, options.seed)
    real_steps = steps_per_epoch(dataset, options.batch_size)
    schedule = rebase(schedule, real_steps)
    model = build_model(dataset)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    start_weights = model.get_weights()
    result = RunResult(run_dir=run_dir, steps_per_epoch=real_steps, initial_weights=weights_digest(start_weights))
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
        if result.status == "running":
            result.status = "completed"
        write_run_file(result, schedule, options)
    return result, start_weights


__all__ = ["DATASETS", "OPTIMIZERS", "RunOptions", "RunResult", "load_dataset", "new_run_dir", "rebase", "train"]
