"""Cyclical learning rates (Smith): triangles between a lower and an upper bound."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from schedules import peers
from schedules.errors import ConfigError
from schedules.fields import Choice, Field, Number
from schedules.kinds.kind import Decay, Fitting, Kind, TurnSequence, whole_periods
from schedules.peers import Peer


def cyclic_decay(
    base_lr: float,
    epsilon: float,
    decay_steps: int,
    max_lr: float,
    cycle_up_steps: int,
    cycle_down_steps: int,
    mode: str,
    gamma: float,
) -> Decay:
    """Triangles between ``base_lr`` (the lower bound) and ``max_lr`` (Smith's cyclical lr).

    lr(e) = base + (max_lr − base) · s(x) · scale,  x = e / (up + down) − ⌊e / (up + down)⌋

    with s rising linearly to 1 over the up part of the cycle and back to 0 over the down part;
    scale is 1 (triangular), 2^−cycle (triangular2) or gamma^e (exp_range). Matches
    ``torch.optim.lr_scheduler.CyclicLR``.

    >>> decay = cyclic_decay(1.0, 0.0, 100, 3.0, 2, 2, "triangular2", 1.0)
    >>> [float(decay(e)) for e in (0, 1, 2, 4, 6)]
    [1.0, 2.0, 3.0, 1.0, 2.0]
    """
    period = cycle_up_steps + cycle_down_steps
    up_share = cycle_up_steps / period

    def decay(e, xp=np):
        cycle = whole_periods(e, period, xp)
        x = e / period - cycle
        rise = xp.where(x <= up_share, x / up_share, (x - 1.0) / (up_share - 1.0))
        height = (max_lr - base_lr) * rise
        if mode == "triangular2":
            height = height * xp.power(0.5, cycle)
        elif mode == "exp_range":
            height = height * xp.power(gamma, e)
        return base_lr + height

    return decay


def cyclic_turns(values, decay_steps):
    """Each cycle's peak, then its end.

    In exp_range mode the rise s · gamma^e peaks where its derivative vanishes, 1 / ln(1 / gamma)
    steps into the cycle, when that comes before the end of the up part.
    """
    up, period = values["cycle_up_steps"], values["cycle_up_steps"] + values["cycle_down_steps"]
    if values["mode"] == "exp_range" and values["gamma"] < 1:
        up = min(up, -1.0 / math.log(values["gamma"]))
    cycles = decay_steps // period
    count = 2 * cycles + (cycles * period + up <= decay_steps)
    return TurnSequence(int(count), lambda k: (k // 2) * period + np.where(k % 2 == 0, up, period))


def max_lr_above_base(values: Mapping[str, Any]) -> None:
    if values["max_lr"] <= values["base_lr"]:
        raise ConfigError("schedule.max_lr", f"must be above base_lr ({values['base_lr']:g}), got {values['max_lr']:g}")


def torch_cyclic(s) -> dict[str, Any]:
    values = s.values
    return {
        "base_lr": values["base_lr"],
        "max_lr": values["max_lr"],
        "step_size_up": values["cycle_up_steps"],
        "step_size_down": values["cycle_down_steps"],
        "mode": values["mode"],
        "gamma": values["gamma"],
        "cycle_momentum": False,
    }


def cyclic_starts(base: dict, log) -> list[dict]:
    """Cycles from the first flat stretch on (a warm-up to the lower bound and a hold before it),
    one start per mode."""
    flat = np.nonzero(log.steady(log.y[:-1], log.y[1:]))[0]
    first = int(flat[0]) if flat.size and log.y[flat[0]] < log.peak * (1 - 1e-3) else 0
    run_end = first
    while run_end + 1 < log.y.size and log.steady(log.y[run_end + 1], log.y[first]):
        run_end += 1
    warmup, hold_end = (float(log.s[first]), float(log.s[run_end])) if first else (0.0, 0.0)
    rest = np.nonzero(log.s >= hold_end)[0]
    top = int(rest[0] + np.argmax(log.y[rest]))
    up = float(log.s[top] - hold_end)
    after = log.y[top:]
    bottom = top + int(np.argmin(after[: max(2, after.size // 2)]))
    down = float(log.s[bottom] - log.s[top]) if bottom > top else up
    spec = base | {"W": warmup, "hold_end": hold_end, "base_lr": float(log.y[rest].min()), "max_lr": log.peak}
    spec["warmup_start_lr"] = float(log.y[0]) if first else 0.0
    spec["warmup_shape"] = log.warmup_shape(first, float(log.y[first]))
    return [
        spec | {"cycle_up_steps": max(up, 1.0), "cycle_down_steps": max(down, 1.0), "mode": mode, "gamma": g}
        for mode, g in (("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.9999))
    ]


def cyclic_free(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The cycle's two parts, and gamma where it acts (exp_range)."""
    return ("cycle_up_steps", "cycle_down_steps") + (("gamma",) if spec.get("mode") == "exp_range" else ())


CYCLIC = Kind(
    "cyclic",
    "Cyclical (Smith)",
    cyclic_decay,
    fields=(
        Field("max_lr", Number(gt=0), help="the upper bound (base_lr is the lower)", example=0.1),
        Field("cycle_up_epochs", Number(gt=0), duration=True, help="epochs from base to max", example=5.0),
        Field(
            "cycle_down_epochs",
            Number(gt=0),
            default=lambda values: values["cycle_up_epochs"],
            duration=True,
            help="epochs from max back to base (default: as up)",
            example=5.0,
        ),
        Field(
            "mode", Choice(("triangular", "triangular2", "exp_range")), default="triangular", help="how peaks shrink"
        ),
        Field("gamma", Number(gt=0, le=1), default=1.0, help="exp_range: factor per step"),
    ),
    checks=(max_lr_above_base,),
    peak="max_lr",
    monotone=False,
    turns=cyclic_turns,
    peers=(
        Peer(
            "pytorch",
            "torch.optim.lr_scheduler.CyclicLR",
            "no warm-up or hold",
            peers.only_if(peers.plain, torch_cyclic),
        ),
    ),
    # The warm-up and hold are read exactly off the flat stretch before the cycles.
    fitting=Fitting(
        rank=11, starts=cyclic_starts, free=cyclic_free, floor="none", moves_warmup=False, moves_hold=False
    ),
)
