"""What the Train page says about a job: its progress in epochs, the line of waiting trainings, and
the past runs' table. Plain functions of the queue's records; nothing here imports Streamlit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from schedules import Schedule

MAX_DEFAULT_EPOCHS = 100  # a full default run of the digits stays under half a minute


def default_epochs(total_epochs: float, cap: int = MAX_DEFAULT_EPOCHS) -> int:
    """How many epochs a run trains unless the user says otherwise: the whole schedule (so the run
    reaches its decay), at most ``cap``.

    >>> default_epochs(100), default_epochs(2.5), default_epochs(300)
    (100, 3, 100)
    """
    return max(1, min(math.ceil(total_epochs), cap))


def epochs_note(epochs: int, total_epochs: float, cap: int = MAX_DEFAULT_EPOCHS) -> str | None:
    """One sentence when the run will not cover the whole schedule, saying what it will see.

    >>> epochs_note(30, 100)
    "30 of the schedule's 100 epochs: the run sees only the first part of the curve."
    >>> epochs_note(100, 100) is None
    True
    """
    if epochs >= total_epochs:
        return None
    capped = f" (the default stops at {cap})" if total_epochs > cap and epochs == cap else ""
    return f"{epochs} of the schedule's {total_epochs:g} epochs{capped}: the run sees only the first part of the curve."


def schedule_header(schedule: Schedule) -> str:
    """The schedule a run trains, in one line: its kind and the lengths and lrs it takes (1cycle
    brings its own warm-up: no warm-up, hold or epsilon to list).

    >>> from studio import presets
    >>> schedule_header(presets.preset("1cycle"))
    '**1cycle** from the Designer: base lr 0.1, 30 epochs.'
    >>> schedule_header(presets.preset("Cosine with warm-up, hold and epsilon"))
    '**Cosine decay** from the Designer: base lr 0.01, 100 epochs, warm-up 5, hold 10, epsilon 1e-06.'
    """
    parts = [f"base lr {schedule.params['base_lr']:g}", f"{schedule.params['total_epochs']:g} epochs"]
    for name, words in (("warmup_epochs", "warm-up"), ("hold_epochs", "hold"), ("epsilon", "epsilon")):
        if name in schedule.kind.common:
            parts.append(f"{words} {schedule.params[name]:g}")
    return f"**{schedule.kind.title}** from the Designer: {', '.join(parts)}."


def epochs_done(runs: Sequence[Any]) -> int:
    """Epochs reported so far over all of a job's runs (a stopped run's last one may be partial)."""
    return sum(len(run.epochs) for run in runs)


def progress_fraction(status: str, done: int, total: int) -> float:
    """The bar's fill: the share of epochs reported; full only for a completed job — a stopped or
    failed run keeps the share it reached.

    >>> progress_fraction("stopped", 5, 30), progress_fraction("completed", 29, 30)
    (0.16666666666666666, 1.0)
    """
    if status == "completed":
        return 1.0
    return min(done / max(total, 1), 1.0)


def progress_text(status: str, message: str, runs: Sequence[Any], epochs_per_run: int, run_count: int) -> str:
    """The bar's words: the status, where the run stands in epochs, and the worker's message.

    >>> from types import SimpleNamespace as Run
    >>> progress_text("running", "", [Run(name="a", epochs=[{}] * 5)], 30, 1)
    'Running — epoch 5 of 30'
    >>> progress_text("stopped", "stopped on request", [Run(name="a", epochs=[{}] * 20)], 30, 1)
    'Stopped — during epoch 20 of 30: stopped on request'
    >>> progress_text("running", "", [Run(name="a", epochs=[{}] * 30), Run(name="b", epochs=[{}] * 2)], 30, 2)
    'Running — run 2 of 2 (b), epoch 2 of 30'
    """
    if status == "queued":
        return "Waiting for the run in progress"
    where = ""
    if runs:
        run, number = runs[-1], len(runs)
        count = len(run.epochs)
        prefix = f"run {number} of {run_count} ({run.name}), " if run_count > 1 else ""
        if status in ("stopped", "diverged") and count < epochs_per_run:
            where = f"{prefix}during epoch {count} of {epochs_per_run}"
        else:
            where = f"{prefix}epoch {count} of {epochs_per_run}"
    parts = [part for part in (where, message) if part]
    return f"{status.capitalize()} — " + (": ".join(parts) if parts else "starting…")


def someone_else_note(owner: str, done: int, total: int, position: int | None) -> str:
    """What a session sees while another session's training runs.

    >>> someone_else_note("session ab12", 4, 30, 1)
    'A training for session ab12 is in progress: 4 of 30 epochs done. Yours is number 1 in line and starts after it.'
    """
    line = f"Yours is number {position} in line and starts after it." if position else "Yours can start after it."
    return f"A training for {owner} is in progress: {done} of {total} epochs done. {line}"


def past_run_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The past runs' table in words that say what each record holds: epochs as trained (19.02 for a
    run stopped just into its 20th), and why a record could not be read.

    >>> past_run_rows([{"run": "r", "status": "stopped", "epochs": 19.02, "val_accuracy": 0.9, "kind": "cosine"}])
    [{'run': 'r', 'kind': 'cosine', 'status': 'stopped', 'epochs trained': '19.02', 'val_accuracy': 0.9, 'note': ''}]
    """
    return [
        {
            "run": row["run"],
            "kind": row["kind"],
            "status": row["status"],
            "epochs trained": f"{row['epochs']:g}",
            "val_accuracy": row["val_accuracy"],
            "note": row.get("note", ""),
        }
        for row in rows
    ]
