"""Polynomial decay: (1 − p)^power from the peak down to the floor."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, end_starts, progress
from schedules.peers import Peer


def polynomial_decay(base_lr: float, epsilon: float, decay_steps: int, power: float) -> Decay:
    """A polynomial of degree ``power`` from ``base_lr`` down to ``epsilon``.

    lr(e) = ε + (base − ε) · (1 − p)^power

    Matches Keras's ``PolynomialDecay(end_learning_rate=ε)`` and Hugging Face's
    ``get_polynomial_decay_schedule_with_warmup``.

    >>> [float(polynomial_decay(1.0, 0.0, 2, power=2.0)(e)) for e in (0, 1, 2)]
    [1.0, 0.25, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * xp.power(1.0 - progress(e, decay_steps, xp), power)

    return decay


def polynomial_starts(base: dict, log) -> list[dict]:
    """Ending where the lr stops changing, below a line, on it and above it."""
    ending = end_starts(base, log)[0]
    return [ending | {"power": power} for power in (0.5, 2.0, 3.0)]


POLYNOMIAL = Kind(
    "polynomial",
    "Polynomial decay",
    polynomial_decay,
    fields=(Field("power", Number(gt=0), help="the polynomial's degree", example=2.0),),
    peers=(
        Peer(
            "keras",
            "keras.optimizers.schedules.PolynomialDecay",
            "no warm-up or hold",
            peers.only_if(peers.plain, peers.keras_polynomial),
        ),
        Peer(
            "huggingface",
            "transformers.get_polynomial_decay_schedule_with_warmup",
            "no hold, linear warm-up from 0",
        ),
        Peer("optax", "optax.polynomial_schedule", "linear warm-up", peers.optax_polynomial),
    ),
    fitting=Fitting(rank=8, starts=polynomial_starts, shaped_by_total=True),
)
