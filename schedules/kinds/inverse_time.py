"""Inverse time decay: base / (1 + rate · e / S)."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, rate_starts
from schedules.peers import Peer


def inverse_time_decay(base_lr: float, epsilon: float, decay_steps: int, decay_rate: float, rate_steps: int) -> Decay:
    """Inverse time decay, S = rate_steps.

    lr(e) = max(ε, base / (1 + rate · e / S))

    Matches Keras's ``InverseTimeDecay(staircase=False)``.

    >>> [float(inverse_time_decay(1.0, 0.0, 100, decay_rate=1.0, rate_steps=10)(e)) for e in (0, 10, 30)]
    [1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr / (1.0 + decay_rate * e / rate_steps))

    return decay


def inverse_time_starts(base: dict, log) -> list[dict]:
    """1 / lr rises by rate / base every S steps: the rate read off a line through 1 / lr."""
    per_epoch, base_lr = log.steps_per_epoch, base["base_lr"]
    return rate_starts(base, log, lambda e, y: float(np.polyfit(e, 1 / y, 1)[0] * per_epoch * base_lr))


INVERSE_TIME = Kind(
    "inverse_time",
    "Inverse time decay",
    inverse_time_decay,
    fields=(
        Field("decay_rate", Number(ge=0), help="how fast 1 / (1 + rate · e / S) falls", example=1.0),
        Field("decay_epochs", Number(gt=0), duration=True, help="S, in epochs", example=10.0, in_steps="rate_steps"),
    ),
    peers=(
        Peer(
            "keras",
            "keras.optimizers.schedules.InverseTimeDecay",
            "no warm-up, hold or ε",
            peers.only_if(peers.unfloored, peers.keras_rate),
        ),
    ),
    fitting=Fitting(rank=6, starts=inverse_time_starts, free=("decay_rate",), floor="clip"),
)
