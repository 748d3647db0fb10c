"""Inverse square root: the Transformer's decay, base · √(τ / (τ + e))."""

from __future__ import annotations

import numpy as np

from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind
from schedules.peers import Peer


def inverse_sqrt_decay(base_lr: float, epsilon: float, decay_steps: int, timescale_steps: int) -> Decay:
    """The Transformer's inverse square root, τ = timescale_steps.

    lr(e) = max(ε, base · √(τ / (τ + e)))

    Matches Hugging Face's ``get_inverse_sqrt_schedule(timescale=τ)``.

    >>> [float(inverse_sqrt_decay(1.0, 0.0, 100, timescale_steps=10)(e)) for e in (0, 30)]
    [1.0, 0.5]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.sqrt(timescale_steps / (timescale_steps + e)))

    return decay


def inverse_sqrt_starts(base: dict, log) -> list[dict]:
    """τ of an epoch, and of a tenth of the decay the log shows."""
    longer = max(1.0, (log.end - base["hold_end"]) / 10)
    return [base | {"timescale_steps": timescale} for timescale in (log.steps_per_epoch, longer)]


INVERSE_SQRT = Kind(
    "inverse_sqrt",
    "Inverse square root",
    inverse_sqrt_decay,
    fields=(Field("timescale_epochs", Number(gt=0), duration=True, help="τ, in epochs", example=10.0),),
    peers=(
        Peer(
            "huggingface",
            "transformers.get_inverse_sqrt_schedule",
            "timescale τ, no hold, linear warm-up from 0, ε = 0",
        ),
    ),
    fitting=Fitting(rank=7, starts=inverse_sqrt_starts, floor="clip"),
)
