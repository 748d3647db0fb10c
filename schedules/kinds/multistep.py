"""Multi-step decay: the lr multiplied by a factor at each milestone."""

from __future__ import annotations

import numpy as np

from schedules import peers
from schedules.fields import Field, Number, NumberList
from schedules.kinds.kind import Decay, Fitting, Kind, TurnSequence
from schedules.peers import Peer


def multistep_decay(base_lr: float, epsilon: float, decay_steps: int, milestones_steps: list, gamma: float) -> Decay:
    """Multiply by ``gamma`` at each milestone (steps since the decay began).

    lr(e) = max(ε, base · gamma^(number of milestones m ≤ e))

    Matches ``torch.optim.lr_scheduler.MultiStepLR``.

    >>> [round(float(multistep_decay(1.0, 0.0, 100, milestones_steps=[3, 6], gamma=0.1)(e)), 6) for e in (2, 3, 6)]
    [1.0, 0.1, 0.01]
    """

    def decay(e, xp=np):
        passed = xp.zeros_like(e)
        for milestone in milestones_steps:
            passed = xp.where(e >= milestone, passed + 1.0, passed)  # stays in e's dtype
        return xp.maximum(epsilon, base_lr * xp.power(gamma, passed))

    return decay


def milestone_turns(values, decay_steps):
    """Turns at each milestone inside the decay."""
    inside = np.array([m for m in values["milestones_steps"] if m <= decay_steps], dtype=np.float64)
    return TurnSequence(inside.size, lambda k: inside[k])


def multistep_starts(base: dict, log) -> list[dict]:
    """A milestone at each drop the log shows, the factor of the first, the decay from the warm-up's end."""
    drops = log.drops()
    if drops.size == 0:
        return []
    ratio = float(log.y[drops[0]] / log.y[drops[0] - 1])
    milestones = [float(log.s[d] - base["W"]) for d in drops]
    return [base | {"hold_end": base["W"], "gamma": ratio, "milestones_steps": milestones}]


MULTISTEP = Kind(
    "multistep",
    "Multi-step decay",
    multistep_decay,
    fields=(
        Field(
            "milestones_epochs",
            NumberList(),
            duration=True,
            help="epochs after the decay starts",
            example=[30.0, 60.0, 80.0],
        ),
        Field("gamma", Number(gt=0, le=1), help="factor at each milestone", example=0.1),
    ),
    turns=milestone_turns,
    peers=(
        peers.KERAS_PIECEWISE,
        Peer(
            "pytorch",
            "torch.optim.lr_scheduler.MultiStepLR",
            "no warm-up, hold or ε",
            peers.only_if(
                peers.unfloored, lambda s: {"milestones": s.values["milestones_steps"], "gamma": s.values["gamma"]}
            ),
        ),
    ),
    fitting=Fitting(rank=9, starts=multistep_starts, free=(), floor="clip", moves_hold=False),
)
