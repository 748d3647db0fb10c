"""The lr range test for a Keras model (TensorFlow backend), and the short trainings that check
its answer. Imports Keras and TensorFlow: load it lazily (``frameworks.keras`` re-exports it).

The test trains the model itself, from its current weights, with a fresh copy of its optimizer
(same class and settings, a plain lr): the model's weights are restored afterwards and the
user's optimizer is never stepped, so both are left as they were.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from schedules import range_test as rt


def fresh_optimizer(optimizer: keras.optimizers.Optimizer, accumulation_steps: int = 1):
    """An unbuilt optimizer of ``optimizer``'s class and settings with a plain float lr (the range
    test sets it every step) and Keras's own gradient accumulation over ``accumulation_steps``."""
    config = optimizer.get_config() | {"learning_rate": 1e-3}
    config["gradient_accumulation_steps"] = accumulation_steps if accumulation_steps > 1 else None
    return type(optimizer).from_config(config)


def batches(dataset: Any, batch_size: int = 32, seed: int | None = None):
    """``(x, y)`` batches forever: from a ``tf.data.Dataset`` or any re-iterable of batches, or
    from a pair of arrays cut into ``batch_size`` batches, shuffled anew each pass."""
    if isinstance(dataset, tuple) and len(dataset) == 2 and hasattr(dataset[0], "shape"):
        x, y = np.asarray(dataset[0]), np.asarray(dataset[1])
        rng = np.random.default_rng(seed)
        while True:
            order = rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                chosen = order[start : start + batch_size]
                yield x[chosen], y[chosen]
    for _ in itertools.count():
        empty = True
        for batch in dataset:
            empty = False
            yield batch[0], batch[1]
        if empty:
            raise ValueError("dataset: yields no batch")


def trainer(model: keras.Model, optimizer, loss_fn: Callable):
    """One micro-batch of training as a compiled function: its loss (the optimizer applies the
    update, or accumulates it when it accumulates gradients)."""
    optimizer.build(model.trainable_variables)

    @tf.function(reduce_retracing=True)
    def micro_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    return micro_step


def train_at(
    model: keras.Model,
    optimizer,
    feed,
    loss_fn: Callable,
    lrs: Sequence[float],
    accumulation_steps: int = 1,
    stop: Callable[[float], str | None] = lambda loss: None,
) -> tuple[list[float], str]:
    """Train ``len(lrs)`` optimizer steps, step i at ``lrs[i]``, each over ``accumulation_steps``
    batches of ``feed``; (the mean loss of each step, why it stopped or "")."""
    micro_step = trainer(model, optimizer, loss_fn)
    losses = []
    for lr in lrs:
        optimizer.learning_rate = float(lr)
        total = 0.0
        for _ in range(accumulation_steps):
            x, y = next(feed)
            total += float(micro_step(x, y))
        losses.append(total / accumulation_steps)
        if reason := stop(losses[-1]):
            return losses, f"stopped at lr {lr:.3g}: {reason}"
        if not np.isfinite(losses[-1]):
            return losses, f"stopped at lr {lr:.3g}: the loss was not a finite number"
    return losses, ""


def lr_range_test(
    model: keras.Model,
    dataset: Any,
    loss: Any = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    *,
    start_lr: float = rt.DEFAULTS["start_lr"],
    end_lr: float = rt.DEFAULTS["end_lr"],
    steps: int = 100,
    accumulation_steps: int | None = None,
    batch_size: int = 32,
    smoothing: float = rt.DEFAULTS["smoothing"],
    stop_factor: float = rt.DEFAULTS["stop_factor"],
    burn_in: int | None = None,
    seeds: Sequence[int] | None = None,
    path: str | Path | None = None,
) -> rt.RangeTest:
    """The lr range test on ``model``, leaving its weights and its optimizer as they were.

    From the model's current weights, ``steps`` optimizer steps at lrs growing exponentially from
    ``start_lr`` to ``end_lr``, with a fresh optimizer of the model's optimizer's class and
    settings; stops early when the loss is not finite or its smoothed value exceeds
    ``stop_factor`` × its lowest. Each optimizer step takes ``accumulation_steps`` batches
    (default: the optimizer's own ``gradient_accumulation_steps``, else 1), and its loss is their mean.

    Args:
      dataset: a ``tf.data.Dataset`` (or any re-iterable) of ``(x, y)`` batches, or a pair of
        arrays ``(x, y)`` cut into shuffled batches of ``batch_size``.
      loss: a Keras loss (name or callable ``loss(y_true, y_pred)``); default: the compiled one.
      optimizer: default: the compiled one.
      seeds: repeat the test once per seed (``keras.utils.set_random_seed``), each from the same
        weights, to see the suggestions' spread; None runs it once without seeding.
      path: also write the result as its ``lr-range-test`` JSON file, for the *Find the lr* page.

    Returns:
      a ``schedules.range_test.RangeTest``: ``lrs``, ``losses`` and ``suggestions``.
    """
    optimizer = optimizer or getattr(model, "optimizer", None)
    loss_fn = keras.losses.get(loss) if loss is not None else getattr(model, "loss", None)
    if optimizer is None or loss_fn is None:
        raise ValueError("model: compile it, or pass the loss and the optimizer to lr_range_test")
    if isinstance(loss_fn, str):
        loss_fn = keras.losses.get(loss_fn)
    accumulation = accumulation_steps or getattr(optimizer, "gradient_accumulation_steps", None) or 1
    settings = rt.Settings(start_lr, end_lr, steps, smoothing, stop_factor, burn_in, accumulation)
    saved = model.get_weights()
    curves = []
    try:
        for seed in [None] if seeds is None else seeds:
            if seed is not None:
                keras.utils.set_random_seed(seed)
            model.set_weights(saved)
            tracker = rt.LossTracker(smoothing, stop_factor)
            losses, stopped = train_at(
                model,
                fresh_optimizer(optimizer, accumulation),
                batches(dataset, batch_size, seed),
                loss_fn,
                settings.lrs,
                accumulation,
                tracker.add,
            )
            curves.append((settings.lrs[: len(losses)], losses, stopped, seed))
    finally:
        model.set_weights(saved)
    result = rt.result(settings, curves, source="keras")
    if path is not None:
        rt.write(result, path)
    return result


def evaluate(model: keras.Model, loss_fn: Callable, x, y, batch_size: int = 512) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on ``(x, y)``, labels as class indices."""
    total, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        logits = model(x[start : start + batch_size], training=False)
        labels = y[start : start + batch_size]
        total += float(loss_fn(labels, logits)) * len(labels)
        correct += int(np.sum(np.argmax(np.asarray(logits), axis=1) == labels))
    return total / len(x), correct / len(x)


__all__ = ["batches", "evaluate", "fresh_optimizer", "lr_range_test", "train_at"]
