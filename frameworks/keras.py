"""A :class:`Schedule` as a Keras ``LearningRateSchedule``. Imports Keras: load it lazily.

The adapter owns no formula: it hands ``keras.ops`` to :meth:`Schedule.formula`, the same code
that NumPy runs, in float64 (exact for steps up to 10⁹) and returns float32 like Keras's own.

    model.compile(optimizer=keras.optimizers.SGD(schedule.to_keras()), ...)

``lr_range_test(model, dataset, …)`` (from ``frameworks.keras_range_test``) runs the lr range test
on a model and leaves it as it was.

It is registered as Keras-serializable: a model saved with ``model.save("m.keras")`` loads with
``keras.models.load_model("m.keras")`` and no ``custom_objects``, once this module is imported
(``import frameworks.keras``, which ``Schedule.to_keras()`` does).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from frameworks.keras_range_test import lr_range_test
from schedules import Schedule, from_config

__all__ = ["KerasSchedule", "lr_range_test", "to_keras"]


@keras.saving.register_keras_serializable(package="lr_studio")
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The schedule of a v1 document, evaluated with ``keras.ops`` at the optimizer's step.

    Args:
      document: a v1 schedule document (see ``schedules.from_config``); validated here.

    >>> from schedules import from_config
    >>> s = from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1,
    ...                  "schedule": {"kind": "cosine", "base_lr": 1.0, "total_epochs": 4}})
    >>> [round(float(KerasSchedule(s.to_config())(step)), 4) for step in (0, 2, 4)]
    [1.0, 0.5, 0.0]
    """

    def __init__(self, document: dict[str, Any]):
        self.schedule: Schedule = from_config(document)
        self.document = self.schedule.to_config()

    def __call__(self, step):
        lr = self.schedule.formula(ops.cast(step, "float64"), xp=ops)
        return ops.cast(lr, "float32")

    def get_config(self) -> dict[str, Any]:
        return {"document": self.document}


def to_keras(schedule: Schedule) -> KerasSchedule:
    """``schedule`` as a Keras ``LearningRateSchedule`` (what ``Schedule.to_keras()`` returns)."""
    return KerasSchedule(schedule.to_config())
