"""The Compare page's set: names kept unique, and the difference of two schedules. The set's file
format is the engine's (``schedules.sets``)."""

from __future__ import annotations

import numpy as np

from schedules import Schedule
from schedules.sets import MAX_NAME, MAX_SCHEDULES, MIN_SCHEDULES, Named, dump_set, load_set


def unique_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``… whichever is free."""
    name, number = wanted[:MAX_NAME], 2
    while name in taken:
        name, number = f"{wanted[: MAX_NAME - 5]} ({number})", number + 1
    return name


def difference(first: Schedule, second: Schedule, points: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, lr_first − lr_second) on a common grid of epochs, each schedule at its own steps."""
    last = max(first.total_steps / first.steps_per_epoch, second.total_steps / second.steps_per_epoch)
    epochs = np.linspace(0.0, last, points)
    at = lambda s: s.lr(np.floor(epochs * s.steps_per_epoch))  # noqa: E731 - the step each epoch falls in
    return epochs, at(first) - at(second)


__all__ = ["MAX_SCHEDULES", "MIN_SCHEDULES", "Named", "difference", "dump_set", "load_set", "unique_name"]
