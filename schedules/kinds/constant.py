"""Constant: no decay, the lr stays at its peak after the warm-up and hold."""

from __future__ import annotations

import numpy as np

from schedules import peers, phases
from schedules.kinds.kind import Decay, Fitting, Kind
from schedules.peers import Peer


def constant_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """No decay: the warm-up and hold still apply, then the lr stays at the peak.

    lr(e) = base

    Matches DeepSpeed's ``WarmupLR`` after a log warm-up.

    >>> float(constant_decay(base_lr=0.1, epsilon=0.0, decay_steps=10)(7))
    0.1
    """

    def decay(e, xp=np):
        return xp.zeros_like(e) + base_lr  # float whatever e's dtype

    return phases.summed(decay, phases.flat_total(base_lr))


def constant_starts(base: dict, log) -> list[dict]:
    """The peak from the warm-up's end on: a hold would change nothing, so none is proposed."""
    return [base | {"hold_end": base["W"]}]


CONSTANT = Kind(
    "constant",
    "Constant",
    constant_decay,
    peers=(
        Peer(
            "keras",
            "float",
            "no warm-up or hold",
            peers.only_if(peers.plain, lambda s: {"value": s.values["base_lr"]}),
        ),
        Peer("optax", "optax.constant_schedule", "linear warm-up", lambda s: {"value": s.values["base_lr"]}),
        Peer(
            "deepspeed",
            "deepspeed.runtime.lr_schedules.WarmupLR",
            "log warm-up of 2 steps or more",
            peers.deepspeed_warmup_lr,
        ),
    ),
    fitting=Fitting(rank=0, starts=constant_starts, floor="none", moves_hold=False, hold_visible=False),
)
