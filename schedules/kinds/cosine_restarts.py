"""Cosine with warm restarts (SGDR): cosine cycles that restart, longer and lower each time."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from schedules import peers
from schedules.fields import Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, TurnSequence, periodic_turns, whole_periods
from schedules.peers import Peer


def cosine_restarts_decay(
    base_lr: float, epsilon: float, decay_steps: int, first_cycle_steps: int, cycle_mult: float, peak_mult: float
) -> Decay:
    """Cosine cycles that restart at a (possibly lower) peak and grow longer (SGDR).

    lr(e) = ε + (base − ε) · peak_mult^i · ½ (1 + cos πf)

    with cycle i lasting first × cycle_mult^i steps and f the fraction of it done. Matches Keras's
    ``CosineDecayRestarts(alpha=ε / base)`` and ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``
    (peak_mult = 1, integer cycle_mult).

    >>> [round(float(cosine_restarts_decay(1.0, 0.0, 100, 4, 2.0, 0.5)(e)), 3) for e in (0, 2, 4, 8)]
    [1.0, 0.5, 0.5, 0.25]
    """
    first = first_cycle_steps

    def cycle_start(i, xp):
        if cycle_mult == 1:
            return first * i
        return first * (xp.power(cycle_mult, i) - 1.0) / (cycle_mult - 1.0)

    def decay(e, xp=np):
        if cycle_mult == 1:
            i = whole_periods(e, first, xp)
        else:
            i = xp.floor(xp.log(1.0 + e * (cycle_mult - 1.0) / first) / math.log(cycle_mult))
            # The logarithm, and the starts themselves, can land a hair beside a restart: settle i
            # against the starts, with a margin far above their rounding and far below a step.
            at_least = e + 1e-12 * (e + first)
            i = xp.where(at_least >= cycle_start(i + 1.0, xp), i + 1.0, i)
            i = xp.where(at_least < cycle_start(i, xp), i - 1.0, i)
        fraction = xp.clip((e - cycle_start(i, xp)) / (first * xp.power(cycle_mult, i)), 0.0, 1.0)
        return epsilon + (base_lr - epsilon) * xp.power(peak_mult, i) * 0.5 * (1.0 + xp.cos(math.pi * fraction))

    return decay


def restart_turns(values, decay_steps):
    """Where each cycle restarts: cycle k + 1 starts at first · (mult^(k+1) − 1) / (mult − 1) (at
    first · (k + 1) when mult = 1)."""
    first, mult = values["first_cycle_steps"], values["cycle_mult"]
    if mult == 1:
        return periodic_turns("first_cycle_steps")(values, decay_steps)

    def at(k):
        with np.errstate(over="ignore"):
            return first * (np.power(mult, k + 1.0) - 1.0) / (mult - 1.0)

    count = int(math.floor(math.log1p(decay_steps * (mult - 1.0) / first) / math.log(mult)))
    while at(np.array(count)) <= decay_steps:  # settle the logarithm's rounding
        count += 1
    while count > 0 and at(np.array(count - 1)) > decay_steps:
        count -= 1
    return TurnSequence(count, at)


def torch_cosine_restarts(s) -> dict[str, Any] | None:
    """CosineAnnealingWarmRestarts: equal peaks, each cycle a whole multiple of the one before."""
    if s.values["peak_mult"] != 1 or not float(s.values["cycle_mult"]).is_integer():
        return None
    return {
        "T_0": s.values["first_cycle_steps"],
        "T_mult": int(s.values["cycle_mult"]),
        "eta_min": s.values["epsilon"],
    }


def cosine_restarts_starts(base: dict, log) -> list[dict]:
    """The first restart the log shows, its peak's share of the first, the second's distance for
    the cycles' growth."""
    rises = log.rises()
    rises = rises[log.s[rises] > base["hold_end"]]
    if rises.size == 0:
        return []
    restart = float(log.s[rises[0]])
    peak_mult = float(log.y[rises[0]] / log.peak)
    specs = []
    # A cycle's first steps are within float32 of its peak: the plateau's end is uncertain by a
    # few steps, the first restart's place is not.
    for hold_end in sorted({base["W"], *(base["hold_end"] - k for k in range(4))}):
        if hold_end < base["W"]:
            continue
        first = restart - hold_end
        mult = float((log.s[rises[1]] - restart) / first) if rises.size > 1 else 1.0
        specs.append(
            base
            | {"hold_end": hold_end, "first_cycle_steps": first}
            | {"cycle_mult": max(1.0, mult), "peak_mult": min(1.0, peak_mult)}
        )
    return specs


COSINE_RESTARTS = Kind(
    "cosine_restarts",
    "Cosine with warm restarts (SGDR)",
    cosine_restarts_decay,
    fields=(
        Field("first_cycle_epochs", Number(gt=0), duration=True, help="length of the first cycle", example=10.0),
        Field("cycle_mult", Number(ge=1), default=1.0, help="each cycle is this much longer"),
        Field("peak_mult", Number(gt=0, le=1), default=1.0, help="each restart's peak is this much lower"),
    ),
    monotone=False,
    turns=restart_turns,
    peers=(
        Peer("keras", "keras.optimizers.schedules.CosineDecayRestarts", "no warm-up or hold"),
        Peer(
            "pytorch",
            "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
            "no warm-up or hold, peak_mult 1, whole cycle_mult",
            peers.only_if(peers.plain, torch_cosine_restarts),
        ),
    ),
    # The restarts' places are read exactly off the log: only the peaks' decline is refined.
    fitting=Fitting(rank=10, starts=cosine_restarts_starts, free=("peak_mult",), moves_hold=False),
)
