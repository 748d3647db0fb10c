"""Linear decay: a straight line from the peak down to the floor."""

from __future__ import annotations

import numpy as np

from schedules import peers, phases
from schedules.kinds.kind import Decay, Fitting, Kind, end_starts, progress
from schedules.peers import Peer


def linear_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """A straight line from ``base_lr`` down to ``epsilon``.

    lr(e) = ε + (base − ε) · (1 − p)

    Matches Hugging Face's ``get_linear_schedule_with_warmup`` (ε = 0) and ``get_wsd_schedule``
    with ``decay_type="linear"``, and DeepSpeed's ``WarmupDecayLR`` after a one-step hold (its
    peak lasts two steps).

    >>> [float(linear_decay(1.0, 0.0, 4)(e)) for e in (0, 1, 4)]
    [1.0, 0.75, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * (1.0 - progress(e, decay_steps, xp))

    span = max(decay_steps, 1)

    def total(a, b):  # 1 − e / D over e < D, then 0 from the decay's end on
        before_end = min(b, span)
        rest = max(before_end - a, 0) - phases.sum_of_steps(a, before_end) / span
        return epsilon * (b - a) + (base_lr - epsilon) * rest

    return phases.summed(decay, total, decay_steps)


LINEAR = Kind(
    "linear",
    "Linear decay",
    linear_decay,
    peers=(
        Peer(
            "keras",
            "keras.optimizers.schedules.PolynomialDecay",
            "power 1, no warm-up or hold",
            peers.only_if(peers.plain, peers.keras_polynomial),
        ),
        Peer("huggingface", "transformers.get_linear_schedule_with_warmup", "no hold, linear warm-up from 0, ε = 0"),
        Peer(
            "huggingface",
            "transformers.get_wsd_schedule",
            'decay_type="linear", linear or cosine warm-up from ε',
            peers.huggingface_wsd,
        ),
        Peer("optax", "optax.polynomial_schedule", "power 1, linear warm-up", peers.optax_polynomial),
        Peer(
            "deepspeed",
            "deepspeed.runtime.lr_schedules.WarmupDecayLR",
            "log warm-up of 2 steps or more, a 1-step hold, ε = warmup_start_lr; total_num_steps = T − 1",
            peers.deepspeed_warmup_decay_lr,
        ),
    ),
    fitting=Fitting(rank=1, starts=end_starts, shaped_by_total=True),
)
