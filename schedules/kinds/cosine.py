"""Cosine decay: half a cosine from the peak down to the floor."""

from __future__ import annotations

import math

import numpy as np

from schedules import peers, phases
from schedules.kinds.kind import Decay, Fitting, Kind, end_starts, progress
from schedules.peers import Peer


def cosine_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """Half a cosine from ``base_lr`` down to ``epsilon`` over ``decay_steps``.

    lr(e) = ε + (base − ε) · ½ (1 + cos πp),   p = clamp(e / D, 0, 1)

    Matches ``keras.optimizers.schedules.CosineDecay(alpha=ε / base)``, optax's
    ``cosine_decay_schedule``, Hugging Face's ``cosine_with_min_lr`` and ``get_wsd_schedule`` with
    ``decay_type="cosine"``, and DeepSpeed's ``WarmupCosineLR(cos_min_ratio=ε / base)``.

    >>> decay = cosine_decay(base_lr=1.0, epsilon=0.0, decay_steps=10)
    >>> [round(float(decay(e)), 4) for e in (0, 5, 10)]
    [1.0, 0.5, 0.0]
    """

    half_range = 0.5 * (base_lr - epsilon)  # constants folded: fewer passes over a long array

    def decay(e, xp=np):
        return (epsilon + half_range) + half_range * xp.cos(math.pi * progress(e, decay_steps, xp))

    span = max(decay_steps, 1)

    def total(a, b):  # cos πp over e < D, then cos π = −1 from the decay's end on
        cosines = phases.sum_of_cosines(math.pi / span, a, min(b, span)) - max(b - max(a, span), 0)
        return (epsilon + half_range) * (b - a) + half_range * cosines

    return phases.summed(decay, total, decay_steps)


COSINE = Kind(
    "cosine",
    "Cosine decay",
    cosine_decay,
    peers=(
        Peer("keras", "keras.optimizers.schedules.CosineDecay", "no hold, linear warm-up", peers.keras_cosine),
        Peer("huggingface", "transformers.get_cosine_schedule_with_warmup", "no hold, linear warm-up from 0, ε = 0"),
        Peer(
            "huggingface",
            "transformers.get_cosine_with_min_lr_schedule_with_warmup",
            "no hold, linear warm-up from 0",
            peers.huggingface_cosine_with_min_lr,
        ),
        Peer(
            "huggingface",
            "transformers.get_wsd_schedule",
            'decay_type="cosine", linear or cosine warm-up from ε',
            peers.huggingface_wsd,
        ),
        Peer("optax", "optax.cosine_decay_schedule", "linear warm-up", peers.optax_cosine),
        Peer(
            "deepspeed",
            "deepspeed.runtime.lr_schedules.WarmupCosineLR",
            "log warm-up from 0 of 2 steps or more, no hold",
            peers.deepspeed_warmup_cosine_lr,
        ),
    ),
    fitting=Fitting(rank=2, starts=end_starts, shaped_by_total=True),
)
