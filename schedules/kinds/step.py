"""Step decay: the lr multiplied by a factor at every whole period."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, periodic_turns, whole_periods
from schedules.peers import Peer


def step_decay(base_lr: float, epsilon: float, decay_steps: int, drop: float, steps_per_drop: int) -> Decay:
    """Multiply by ``drop`` every ``steps_per_drop`` (S), never below ``epsilon``.

    lr(e) = max(ε, base · drop^⌊e / S⌋)

    Matches ``torch.optim.lr_scheduler.StepLR`` and Keras's ``ExponentialDecay(staircase=True)``.

    >>> decay = step_decay(base_lr=1.0, epsilon=0.0, decay_steps=100, drop=0.5, steps_per_drop=10)
    >>> [float(decay(e)) for e in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.power(drop, whole_periods(e, steps_per_drop, xp)))

    return decay


def step_starts(base: dict, log) -> list[dict]:
    """The period between the log's first two drops, the factor of the first, the decay starting
    a period before it."""
    drops = log.drops()
    if drops.size == 0:
        return []
    period = float(log.s[drops[1]] - log.s[drops[0]]) if drops.size > 1 else float(log.s[drops[0]] - base["W"])
    first = float(log.s[drops[0]])
    ratio = float(log.y[drops[0]] / log.y[drops[0] - 1])
    return [base | {"hold_end": max(base["W"], first - period), "drop": ratio, "steps_per_drop": period}]


STEP = Kind(
    "step",
    "Step decay",
    step_decay,
    fields=(
        Field("drop", Number(gt=0, le=1), help="factor applied at each drop", example=0.5),
        Field("epochs_per_drop", Number(gt=0), duration=True, help="epochs between drops", example=30.0),
    ),
    turns=periodic_turns("steps_per_drop"),
    peers=(
        peers.KERAS_PIECEWISE,
        Peer("keras", "keras.optimizers.schedules.ExponentialDecay", "staircase=True, no warm-up, hold or ε"),
        Peer(
            "pytorch",
            "torch.optim.lr_scheduler.StepLR",
            "no warm-up, hold or ε",
            peers.only_if(
                peers.unfloored, lambda s: {"step_size": s.values["steps_per_drop"], "gamma": s.values["drop"]}
            ),
        ),
        Peer(
            "optax",
            "optax.exponential_decay",
            "staircase, linear warm-up",
            peers.optax_exponential("steps_per_drop", "drop", staircase=True),
        ),
    ),
    fitting=Fitting(rank=4, starts=step_starts, free=(), floor="clip", moves_hold=False),
)
