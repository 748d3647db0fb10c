"""Past training runs: their list, the lr each logged read back against its design, and runs side
by side (lr, loss and accuracy overlaid, legends that name the schedule); a run folder's files for
Verify, or its removal. Nothing here imports Streamlit.

A run folder holds ``run.json`` (schedule, options, status, per-epoch history) and the TensorBoard
logs of the lr at every step; both are read with the engine's bounded readers.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from schedules import ConfigError, from_config
from schedules import range_test as rt
from schedules.document import read_file, read_json
from schedules.logs import LogError
from studio import text
from studio.curves import envelope_indices
from studio.figures import BOTTOM_LEGEND, MODEBAR, MODEBAR_PX, TITLE_PX, color, figure, title_layout
from studio.verify import LOG_UPLOAD_MB
from training.events import read_scalars
from training.options import OPTIMIZERS
from training.run_folders import RUN_FILE, is_alive

MAX_OVERLAID = 8
MAX_RUN_BYTES = LOG_UPLOAD_MB * 2**20  # what Verify takes as an upload; a demo run folder is well under 1 MB
METRICS = {"lr": "learning rate", "loss": "loss", "val_accuracy": "validation accuracy"}
X_UNITS = ("steps", "epochs")


def shown_path(path: Path) -> str:
    """``path`` as a user would type it: relative to the working directory where it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def past_runs(root: Path, active: set[str] = frozenset()) -> list[dict[str, Any]]:
    """Every run folder under ``root`` with its record, newest first.

    A run marked running is "running" while a process trains it — this server's (``active``) or
    another's sharing the folder (its heartbeat is fresh) — and "incomplete" once none does (a
    killed worker). A record that cannot be read, or is not one of ours, is listed as "unreadable"
    with the reason; it never stops the others from being listed.
    """
    rows = []
    for record_path in sorted(root.glob(f"*/{RUN_FILE}"), reverse=True):
        run = record_path.parent.name
        try:
            record = run_record(record_path.parent)
        except ValueError as error:
            rows.append(
                {"run": run, "status": "unreadable", "epochs": 0, "val_accuracy": None, "kind": "?", "note": str(error)}
            )
            continue
        status = record["status"]
        if status == "running" and run not in active and not is_alive(record_path.parent):
            status = "incomplete"
        history = record["history"]
        last = history[-1] if history and isinstance(history[-1], dict) else {}
        accuracy = last.get("val_accuracy")
        rows.append(
            {
                "run": run,
                "status": status,
                "epochs": last.get("epoch", len(history)) if history else 0,
                "val_accuracy": accuracy if isinstance(accuracy, (int, float)) else None,
                "kind": record["schedule"]["schedule"]["kind"],
            }
        )
    return rows


def run_record(run_dir: str | Path) -> dict[str, Any]:
    """A run folder's ``run.json``, checked: its schedule a valid v1 document, its status and
    history of the right types; ValueError with one sentence otherwise."""
    try:
        record = read_json(read_file(Path(run_dir, RUN_FILE), RUN_FILE), RUN_FILE)
    except ConfigError as error:
        raise ValueError(str(error)) from None
    if not isinstance(record, dict):
        raise ValueError(f"{RUN_FILE}: must be an object, not a run record of this studio")
    try:
        record["schedule"] = from_config(record.get("schedule")).to_config()
    except ConfigError as error:
        raise ValueError(f"{RUN_FILE}: schedule.{error}") from None
    if not isinstance(record.get("status"), str) or not isinstance(record.get("history", []), list):
        raise ValueError(f"{RUN_FILE}: status and history are missing or of the wrong type")
    record.setdefault("history", [])
    return record


def tensorboard_command(root: Path) -> str:
    """The command that opens the runs in TensorBoard, quoted for a shell (paths with spaces)."""
    return shlex.join(["tensorboard", "--logdir", shown_path(root)])


@dataclass(frozen=True)
class Readback:
    """The learning rate read back from a run's event files against the designed curve."""

    steps_per_epoch: int
    steps: np.ndarray
    logged: np.ndarray
    designed: np.ndarray
    mismatched: np.ndarray  # steps where the two differ by more than float32 rounding

    @property
    def agrees(self) -> bool:
        return self.steps.size > 0 and self.mismatched.size == 0


def read_back(run_dir: str | Path, rtol: float = 1e-5) -> Readback:
    """Compare the logged ``learning_rate`` of a run with its schedule's ``lr()`` at every step.

    Raises ValueError with one sentence when the run's record cannot be read."""
    schedule = from_config(run_record(run_dir)["schedule"])
    steps, logged = read_scalars(run_dir)
    designed = schedule.lr(steps)
    scale = max(schedule.peak_lr, schedule.values["warmup_start_lr"])
    off = np.abs(logged - designed) > rtol * np.maximum(np.abs(designed), 1e-3 * scale)
    return Readback(schedule.steps_per_epoch, steps, logged, designed, steps[off])


def readback_summary(readback: Readback) -> str:
    """One sentence on how the logged learning rate compares with the design, right for 0 and 1."""
    logged, off = readback.steps.size, readback.mismatched.size
    if logged == 0:
        return "No learning rate was logged for this run yet."
    steps = "step" if logged == 1 else f"{logged:,} steps"
    if off == 0:
        return f"The logged learning rate matches the design at {'the one' if logged == 1 else 'all'} {steps}."
    return f"The logged learning rate differs from the design at {off:,} of {steps}, marked in red."


@dataclass(frozen=True)
class RunView:
    """What the overlay draws of one run folder."""

    run: str  # the folder's name
    label: str  # the legend's words: the schedule, optimizer and seed
    steps_per_epoch: int  # the run's real steps per epoch
    history: list[dict[str, Any]]
    lr_steps: np.ndarray
    lrs: np.ndarray
    document: dict


def label_of(record: dict[str, Any]) -> str:
    """A run's legend: its schedule (a bake-off's name for it, or its kind) with the numbers that
    tell schedules apart, then the optimizer and seed.

    >>> from studio import presets
    >>> label_of({"schedule": presets.PRESETS["Cosine with warm-up, hold and epsilon"],
    ...           "options": {"optimizer": "adam", "seed": 3}})
    'Cosine decay, lr 0.01, warm-up 5 · Adam · seed 3'
    """
    schedule = from_config(record["schedule"])
    parts = [f"lr {schedule.peak_lr:g}"]
    if "warmup_epochs" in schedule.kind.common and schedule.params["warmup_epochs"]:
        parts.append(f"warm-up {schedule.params['warmup_epochs']:g}")
    head = f"{record.get('name') or schedule.kind.title}, {', '.join(parts)}"
    options = record.get("options") or {}
    optimizer = OPTIMIZERS.get(options.get("optimizer"), "?").split(" (")[0]
    return f"{head} · {optimizer} · seed {options.get('seed', '?')}"


def unique(labels: Sequence[str]) -> list[str]:
    """Labels made distinct in order: a repeat gets (2), (3)…

    >>> unique(["a", "b", "a"])
    ['a', 'b', 'a (2)']
    """
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def load_views(root: Path, runs: Sequence[str], max_points: int = 4000) -> tuple[list[RunView], list[str]]:
    """The runs to overlay, and one sentence for each that could not be read (it is left out)."""
    views, problems = [], []
    for run in runs[:MAX_OVERLAID]:
        run_dir = Path(root, run)
        try:
            record = run_record(run_dir)
            steps, lrs = read_scalars(run_dir)
        except (ValueError, LogError) as error:
            problems.append(f"{run}: {error}")
            continue
        kept = envelope_indices(lrs, max_points) if lrs.size else np.arange(0)
        per_epoch = record.get("steps_per_epoch")
        if not isinstance(per_epoch, int) or per_epoch < 1:
            per_epoch = from_config(record["schedule"]).steps_per_epoch
        history = [row for row in record["history"] if isinstance(row, dict) and "epoch" in row]
        views.append(RunView(run, label_of(record), per_epoch, history, steps[kept], lrs[kept], record["schedule"]))
    labels = unique([view.label for view in views])
    return [RunView(**{**view.__dict__, "label": label}) for view, label in zip(views, labels, strict=True)], problems


def smoothed(values: Sequence[float | None], smoothing: float) -> np.ndarray:
    """Per-epoch values with a debiased moving average (the range test's): a missing value stays missing."""
    array = np.array([np.nan if value is None else float(value) for value in values])
    return rt.smooth(array, smoothing) if smoothing > 0 else array


def overlay_figure(
    views: Sequence[RunView], metric: str, x_unit: str = "epochs", smoothing: float = 0.0, height: int = 340
) -> go.Figure:
    """``metric`` of each run against steps or epochs, one colour a run: the lr at every step it
    logged; loss per epoch (training solid, validation dashed) and validation accuracy, smoothed."""
    traces = []
    for index, view in enumerate(views):
        name, line = text.plotly(view.label), {"color": color(index), "width": 2}
        per_epoch = view.steps_per_epoch
        if metric == "lr":
            x = view.lr_steps if x_unit == "steps" else view.lr_steps / per_epoch
            traces.append({"type": "scatter", "mode": "lines", "x": x, "y": view.lrs, "name": name, "line": line})
            continue
        epochs = np.array([float(row["epoch"]) for row in view.history])
        x = epochs * per_epoch if x_unit == "steps" else epochs
        keys = (("loss", "solid", " · training"), ("val_loss", "dash", " · validation")) if metric == "loss" else ()
        for key, dash, suffix in keys or ((metric, "solid", ""),):
            values = smoothed([row.get(key) for row in view.history], smoothing)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers" if len(epochs) <= 30 else "lines",
                    "x": x,
                    "y": values,
                    "name": name + suffix,
                    "line": line | {"dash": dash},
                }
            )
    smoothing_words = f", smoothed ({smoothing:g})" if smoothing > 0 and metric != "lr" else ""
    layout = {
        "title": title_layout(f"{METRICS[metric].capitalize()}{smoothing_words}"),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 70 + 20 * len(traces)},
        "xaxis": {"title": {"text": "step" if x_unit == "steps" else "epoch"}},
        "yaxis": {"title": {"text": METRICS[metric]}, "exponentformat": "e" if metric == "lr" else "none"},
        **BOTTOM_LEGEND,
        **MODEBAR,
    }
    return figure(traces, layout)


def _run_dir(root: Path, run: str) -> Path:
    """The folder of ``run`` directly under ``root``; ValueError for any other name."""
    path = Path(root, run)
    if Path(run).name != run or run in ("", ".", "..") or path.is_symlink() or not (path / RUN_FILE).is_file():
        raise ValueError(f"run: {run!r} is not a run folder under the runs folder")
    return path


def delete_run(root: Path, run: str, active: set[str] = frozenset()) -> str:
    """Remove a finished run's folder and everything in it; the sentence that says so. ValueError
    (one sentence, nothing removed) for a run still training or a name that is no run folder."""
    path = _run_dir(root, run)
    if run in active or is_alive(path):
        raise ValueError(f"run: {run} is still training; stop it before deleting it")
    shutil.rmtree(path)
    return f"Deleted the run {run} and its logs."


def run_files(root: Path, run: str, budget: int = MAX_RUN_BYTES) -> tuple[tuple[str, bytes], ...]:
    """The run folder's regular files as (path inside the folder, bytes), as Verify takes an
    upload; ValueError past ``budget`` bytes in all (a folder someone filled by hand)."""
    path, files, total = _run_dir(root, run), [], 0
    for file in sorted(path.rglob("*")):
        if file.is_symlink() or not file.is_file():
            continue
        total += file.stat().st_size
        if total > budget:
            raise ValueError(f"run: {run} holds more than {budget // 2**20} MB of files; upload its logs on Verify")
        files.append((f"{run}/{file.relative_to(path).as_posix()}", file.read_bytes()))
    return tuple(files)
