"""The demo's data, shipped with the code: nothing is downloaded.

The digits are scikit-learn's bundled 8×8 images; the spirals are generated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from training.options import DATASETS


@dataclass(frozen=True)
class Dataset:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    classes: int


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


def steps_per_epoch(dataset: Dataset, batch_size: int) -> int:
    """Optimizer steps in one epoch: every example once, the last batch partial."""
    return math.ceil(len(dataset.x_train) / batch_size)
