"""Exponential decay: the lr multiplied by a rate per period, smoothly."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, rate_starts
from schedules.peers import Peer


def exponential_decay(base_lr: float, epsilon: float, decay_steps: int, decay_rate: float, rate_steps: int) -> Decay:
    """Multiply by ``decay_rate`` every ``rate_steps`` (S), smoothly.

    lr(e) = max(ε, base · rate^(e / S))

    Matches Keras's ``ExponentialDecay(staircase=False)``.

    >>> [float(exponential_decay(1.0, 0.0, 100, decay_rate=0.5, rate_steps=10)(e)) for e in (0, 10, 20)]
    [1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.power(decay_rate, e / rate_steps))

    return decay


def exponential_starts(base: dict, log) -> list[dict]:
    """log lr falls by log(rate) every S steps: the rate read off a line through log lr."""
    per_epoch = log.steps_per_epoch
    return rate_starts(base, log, lambda e, y: float(np.exp(np.polyfit(e, np.log(y), 1)[0] * per_epoch)))


EXPONENTIAL = Kind(
    "exponential",
    "Exponential decay",
    exponential_decay,
    fields=(
        Field("decay_rate", Number(gt=0, le=1), help="factor per decay_epochs", example=0.5),
        Field(
            "decay_epochs",
            Number(gt=0),
            duration=True,
            help="epochs per factor decay_rate",
            example=10.0,
            in_steps="rate_steps",
        ),
    ),
    peers=(
        Peer(
            "keras",
            "keras.optimizers.schedules.ExponentialDecay",
            "no warm-up, hold or ε",
            peers.only_if(peers.unfloored, peers.keras_rate),
        ),
        Peer(
            "optax",
            "optax.exponential_decay",
            "linear warm-up",
            peers.optax_exponential("rate_steps", "decay_rate", staircase=False),
        ),
    ),
    fitting=Fitting(rank=5, starts=exponential_starts, free=("decay_rate",), floor="clip"),
)
