"""The private corners of Keras, TensorBoard and PyTorch this project relies on, in one place.

Each name here is not part of its library's documented API and may move in an upgrade;
``tests/test_private_apis.py`` fails then, saying what to change here.

Each library is imported where its corner is used, not above: the PyTorch adapter imports this
module where neither Keras nor TensorBoard is installed, and must not pay for TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras
    import torch


def held_schedule(optimizer) -> keras.optimizers.schedules.LearningRateSchedule | None:
    """The schedule object a Keras optimizer was built with, or None for a plain float.

    Keras keeps it in ``optimizer._learning_rate``; the public ``optimizer.learning_rate`` gives
    only the current value.
    """
    import keras

    held = getattr(optimizer, "_learning_rate", None)
    return held if isinstance(held, keras.optimizers.schedules.LearningRateSchedule) else None


def record_last_lr(scheduler: torch.optim.lr_scheduler.LRScheduler) -> None:
    """Make ``scheduler.get_last_lr()`` give its groups' current lrs, as PyTorch's ``step()`` leaves it.

    PyTorch keeps them in ``scheduler._last_lr`` and writes it only inside ``step()``; a scheduler
    that sets the lrs elsewhere (on loading a state) has no public way to update it. Tensors are
    copied, as PyTorch does, so that the answer never aliases a group's lr.
    """
    import torch

    scheduler._last_lr = [
        group["lr"].clone() if isinstance(group["lr"], torch.Tensor) else group["lr"]
        for group in scheduler.optimizer.param_groups
    ]


def __getattr__(name: str) -> Any:
    """``EventFileWriter``, TensorBoard's plain event-file writer as PyTorch's SummaryWriter uses it
    (microseconds an event, where an eager tf.summary call costs a tenth of a training step),
    imported on first use."""
    if name == "EventFileWriter":
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        return EventFileWriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
