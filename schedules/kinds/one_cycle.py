"""1cycle: up from a low start to the peak, then down far below the start (Smith's 1cycle policy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from schedules import peers, phases
from schedules.errors import ConfigError
from schedules.fields import Choice, Field, Flag, Number
from schedules.kinds.kind import Decay, Fitting, Kind, TurnSequence
from schedules.peers import Peer


def one_cycle_decay(
    base_lr: float,
    epsilon: float,
    decay_steps: int,
    pct_start: float,
    div_factor: float,
    final_div_factor: float,
    anneal: str,
    three_phase: bool,
) -> Decay:
    """The 1cycle policy: up from base / div to the peak ``base_lr``, then down far below the start.

    lr(e) = base / div → base until pct_start·T − 1, then → base / div / final_div (annealed)

    Phases over T steps (the whole schedule; 1cycle brings its own warm-up), each an
    :func:`~schedules.phases.anneal` piece along ``anneal`` (cos or linear):

        0 … pct_start·T − 1:     base / div → base
        … T − 1:                 base → base / div / final_div
        (three_phase: base → base / div until 2·pct_start·T − 2, then → base / div / final_div)

    Matches ``torch.optim.lr_scheduler.OneCycleLR(max_lr=base, total_steps=T)``.

    >>> decay = one_cycle_decay(1.0, 0.0, 10, 0.3, 10.0, 10.0, "linear", False)
    >>> [round(float(decay(e)), 3) for e in (0, 2, 9)]
    [0.1, 1.0, 0.01]
    """
    start_lr = base_lr / div_factor
    end_lr = start_lr / final_div_factor
    last = decay_steps - 1.0
    rise_end = pct_start * decay_steps - 1.0
    if not three_phase:
        return phases.join(
            [
                phases.anneal(start_lr, base_lr, rise_end, anneal),
                phases.anneal(base_lr, end_lr, last - rise_end, anneal),
            ],
            [rise_end],
        )
    fall_end = 2.0 * pct_start * decay_steps - 2.0
    pieces = [
        phases.anneal(start_lr, base_lr, rise_end, anneal),
        phases.anneal(base_lr, start_lr, fall_end - rise_end, anneal),
        phases.anneal(start_lr, end_lr, last - fall_end, anneal),
    ]
    return phases.join(pieces, [rise_end, fall_end])


def one_cycle_turns(values, decay_steps):
    """Where the phases meet: the peak, and with three phases the return to the start lr."""
    rise_end = values["pct_start"] * decay_steps - 1.0
    turns = np.array([rise_end, 2.0 * rise_end] if values["three_phase"] else [rise_end])
    return TurnSequence(turns.size, lambda k: turns[k])


def rise_spans_a_step(pct_start: float, total_steps: float) -> bool:
    return pct_start * total_steps - 1.0 > 0


def phases_span_steps(values: Mapping[str, Any]) -> None:
    total, pct_start = values["total_steps"], values["pct_start"]
    if not rise_spans_a_step(pct_start, total):
        raise ConfigError(
            "schedule.pct_start",
            f"pct_start × total steps ({pct_start:g} × {total}) must exceed 1, so the rise spans a step",
        )
    if values["three_phase"] and not 2.0 * pct_start * total - 2.0 < total - 1:
        raise ConfigError(
            "schedule.pct_start", f"with three_phase it must leave steps for the last phase, got {pct_start:g}"
        )


def torch_one_cycle(s) -> dict[str, Any]:
    values = s.values
    return {
        "max_lr": values["base_lr"],
        "total_steps": s.total_steps,
        "pct_start": values["pct_start"],
        "anneal_strategy": values["anneal"],
        "div_factor": values["div_factor"],
        "final_div_factor": values["final_div_factor"],
        "three_phase": values["three_phase"],
        "cycle_momentum": False,
    }


def one_cycle_starts(base: dict, log) -> list[dict]:
    """The peak where the log peaks, the start and end factors from its first and lowest lr; each
    shape, with two and three phases. 1cycle has no warm-up or hold of its own to read."""
    top = int(np.argmax(log.y))
    total = float(log.s[min(log.flat_from, log.s.size - 1)] + 1) if log.flat_from > 0 else log.end
    start, low = float(log.y[0]), float(log.y.min())
    if start <= 0 or low <= 0:
        return []
    spec = {"kind": base["kind"], "base_lr": log.peak, "T": total, "pct_start": min(0.9, (log.s[top] + 1) / total)}
    spec |= {"div_factor": max(1.0, log.peak / start), "final_div_factor": max(1.0, start / low)}
    return [spec | {"anneal": a, "three_phase": t} for a in ("cos", "linear") for t in (False, True)]


ONE_CYCLE = Kind(
    "one_cycle",
    "1cycle",
    one_cycle_decay,
    fields=(
        Field("pct_start", Number(gt=0, lt=1), default=0.3, help="share of steps spent rising"),
        Field("div_factor", Number(ge=1), default=25.0, help="start lr = base_lr / div_factor"),
        Field("final_div_factor", Number(ge=1), default=1e4, help="end lr = start lr / final_div_factor"),
        Field("anneal", Choice(("cos", "linear")), default="cos", help="shape of each phase"),
        Field("three_phase", Flag(), default=False, help="fall back to the start lr before the end"),
    ),
    common=("base_lr", "total_epochs"),
    checks=(phases_span_steps,),
    turns=one_cycle_turns,
    peers=(
        Peer(
            "pytorch",
            "torch.optim.lr_scheduler.OneCycleLR",
            "per step",
            peers.only_if(peers.plain, torch_one_cycle),
        ),
    ),
    fitting=Fitting(
        rank=12,
        starts=one_cycle_starts,
        floor="none",
        shaped_by_total=True,
        moves_hold=False,
        plausible=lambda spec: rise_spans_a_step(spec["pct_start"], spec["T"]),
    ),
)
