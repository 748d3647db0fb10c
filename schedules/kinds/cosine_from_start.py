"""Cosine decay from step 0, the warm-up over its start: timm's cosine with ``warmup_prefix=False``."""

from __future__ import annotations

from schedules.kinds.cosine import cosine_decay
from schedules.kinds.kind import Decay, Fitting, Kind, end_starts


def cosine_from_start_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """Half a cosine from ``base_lr`` down to ``epsilon``, its clock started at step 0.

    lr(e) = ε + (base − ε) · ½ (1 + cos πp),   p = clamp(e / D, 0, 1),   D = T − H

    Matches ``timm.scheduler.CosineLRScheduler(warmup_prefix=False)`` with ``t_initial`` = T
    (total steps) and its linear warm-up from ``warmup_lr_init``: e counts from step 0, so the
    warm-up's W steps replace the decay's first ones and the decay after it begins a little below
    the peak (at epoch 5 of 300, 0.99932 of it); a hold of H steps pauses the clock.

    >>> decay = cosine_from_start_decay(base_lr=1.0, epsilon=0.0, decay_steps=10)
    >>> [round(float(decay(e)), 4) for e in (0, 5, 10)]
    [1.0, 0.5, 0.0]
    """
    return cosine_decay(base_lr, epsilon, decay_steps)


COSINE_FROM_START = Kind(
    "cosine_from_start",
    "Cosine from step 0 (timm)",
    cosine_from_start_decay,
    decay_from_start=True,
    fitting=Fitting(rank=13, starts=end_starts, shaped_by_total=True),
)
