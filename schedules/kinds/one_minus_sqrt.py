"""1 − sqrt decay: the cool-down of warm-up–stable–decay (WSD) schedules."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.kinds.kind import Decay, Fitting, Kind, end_starts, progress
from schedules.peers import Peer


def one_minus_sqrt_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """The "1 − sqrt" cool-down of warm-up–stable–decay schedules.

    lr(e) = ε + (base − ε) · (1 − √p)

    Matches Hugging Face's ``get_wsd_schedule(decay_type="1-sqrt")``.

    >>> [float(one_minus_sqrt_decay(1.0, 0.0, 4)(e)) for e in (0, 1, 4)]
    [1.0, 0.5, 0.0]
    """

    def decay(e, xp=np):
        return epsilon + (base_lr - epsilon) * (1.0 - xp.sqrt(progress(e, decay_steps, xp)))

    return decay


ONE_MINUS_SQRT = Kind(
    "one_minus_sqrt",
    "1 − sqrt decay (WSD)",
    one_minus_sqrt_decay,
    peers=(
        Peer(
            "huggingface",
            "transformers.get_wsd_schedule",
            'decay_type="1-sqrt", linear or cosine warm-up from ε',
            peers.huggingface_wsd,
        ),
    ),
    fitting=Fitting(rank=3, starts=end_starts, shaped_by_total=True),
)
