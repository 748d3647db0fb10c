"""The *Find the lr* page's logic: its requests to the training worker, what it reads back, the
chart, the suggestions' table, *Check it* and *Use as base lr*. Nothing here imports Streamlit.

The range test runs in the worker process (``training.find_lr``), as the demo's trainings do: the
server never imports TensorFlow.
"""

from __future__ import annotations

import json
import sys
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from schedules import from_config
from schedules import range_test as rt
from studio import design, text
from studio.figures import BOTTOM_LEGEND, MODEBAR, MODEBAR_PX, TITLE_PX, color, title_layout

STEP_CHOICES = (100, 150, 200, 250, 300)
CHECK_NAMES = {1 / 3: "suggestion ÷ 3", 1.0: "suggestion", 3.0: "suggestion × 3"}


@dataclass(frozen=True)
class FindRequest:
    """A range test on the demo: the sweep, the seeds, the batch and the optimizer. ``document``
    is the Designer's (the queue checks it; the test itself does not use it)."""

    document: dict
    start_lr: float = rt.DEFAULTS["start_lr"]
    end_lr: float = rt.DEFAULTS["end_lr"]
    steps: int = rt.DEFAULTS["steps"]
    seeds: int = 3
    batch_size: int = 32
    optimizer: str = "sgd"
    dataset: str = "digits"
    stop_factor: float = rt.DEFAULTS["stop_factor"]
    owner: str = ""
    epochs: int = 0  # no epochs: what another session's progress note counts
    baseline: bool = False

    @property
    def total_work(self) -> int:
        return self.seeds

    def done_message(self, job) -> str:
        return f"range test done over {self.seeds} seed{'s' if self.seeds != 1 else ''}"

    def command(self, config_path: Path, runs_dir: Path) -> list[str]:
        command = [sys.executable, "-m", "training.find_lr", "--json", "--steps", str(self.steps)]
        command += ["--start-lr", repr(self.start_lr), "--end-lr", repr(self.end_lr), "--seeds", str(self.seeds)]
        command += ["--batch-size", str(self.batch_size), "--optimizer", self.optimizer, "--dataset", self.dataset]
        return command + ["--stop-factor", repr(self.stop_factor)]


@dataclass(frozen=True)
class CheckRequest:
    """*Check it*: the designed schedule trained at ``lr`` ÷ 3, × 1 and × 3 over ``steps`` steps."""

    document: dict
    lr: float
    steps: int = rt.DEFAULTS["steps"]
    batch_size: int = 32
    optimizer: str = "sgd"
    dataset: str = "digits"
    owner: str = ""
    epochs: int = 0
    baseline: bool = False

    @property
    def total_work(self) -> int:
        return 3

    def done_message(self, job) -> str:
        return "checked the suggestion ÷ 3, × 1 and × 3"

    def command(self, config_path: Path, runs_dir: Path) -> list[str]:
        command = [sys.executable, "-m", "training.find_lr", "--json", "--check", repr(self.lr)]
        command += ["--config", str(config_path), "--steps", str(self.steps), "--batch-size", str(self.batch_size)]
        return command + ["--optimizer", self.optimizer, "--dataset", self.dataset]


def progress(events: Sequence[dict], total: int, unit: str = "seed") -> tuple[float, str]:
    """The bar's fill and words from the worker's events so far (a seed's curve or a check done).

    >>> progress([{"event": "seed"}, {"event": "curve"}, {"event": "seed"}], 3)
    (0.3333333333333333, 'seed 2 of 3')
    """
    done = sum(event.get("event") in ("curve", "check") for event in events)
    return done / max(total, 1), f"{unit} {min(done + 1, total)} of {total}"


def result_of(events: Sequence[dict]) -> rt.RangeTest | None:
    """The range test the worker reported, read back through the same strict reader as a file."""
    for event in reversed(events):
        if event.get("event") == "result":
            return rt.loads(json.dumps(event["document"]))
    return None


def checks_of(events: Sequence[dict]) -> list[dict]:
    return [event for event in events if event.get("event") == "check"]


def lr_text(lr: float | None) -> str:
    """A suggested lr in three significant digits, as the shortest decimal: 0.00123, 1.5e-05.

    >>> lr_text(0.0012345), lr_text(2.0), lr_text(None)
    ('0.00123', '2', '—')
    """
    return "—" if lr is None else design.number_text(float(f"{lr:.3g}"))


def suggestion_rows(test: rt.RangeTest) -> list[dict[str, str]]:
    """The suggestions' table: each one's lr over the seeds, its spread, and why."""
    rows = []
    for name in rt.SUGGESTIONS:
        spread = test.spreads[name]
        reason = next((s[name].why for s in test.per_seed if s[name].lr is not None), test.per_seed[0][name].why)
        seeds = (
            "one seed" if len(spread.lrs) + spread.missing == 1 else f"{lr_text(spread.low)} to {lr_text(spread.high)}"
        )
        rows.append(
            {
                "suggestion": rt.TITLES[name],
                "lr": lr_text(spread.lr),
                "over the seeds": seeds,
                "seeds agree": "yes" if spread.agrees else "no",
                "why": reason,
            }
        )
    return rows


def warnings(test: rt.RangeTest) -> list[str]:
    """A sentence for each suggestion the seeds disagree on, or that some seed could not find."""
    return [spread.sentence() for spread in test.spreads.values() if not spread.agrees and len(test.curves) > 1]


def stop_notes(test: rt.RangeTest) -> list[str]:
    """Where and why each seed's sweep stopped early (the stop rule, said on the page)."""
    notes = []
    for curve in test.curves:
        who = "the test" if curve.seed is None else f"seed {curve.seed}"
        if curve.stopped:
            notes.append(f"{who}: {curve.stopped}.")
        else:
            notes.append(f"{who}: ran all {curve.lrs.size} steps to lr {lr_text(float(curve.lrs[-1]))}.")
    return notes


def range_test_figure(test: rt.RangeTest, height: int = 440) -> go.Figure:
    """Loss against lr on a log axis: each seed's raw loss (faint) and smoothed loss, and each
    suggestion (the mean over seeds) marked with a dotted line and its reason on hover."""
    figure = go.Figure()
    for index, curve in enumerate(test.curves):
        name = "the test" if curve.seed is None else f"seed {curve.seed}"
        shade = color(index)
        figure.add_scatter(
            x=curve.lrs,
            y=np.where(np.isfinite(curve.losses), curve.losses, None),
            mode="lines",
            line={"color": shade, "width": 1},
            opacity=0.3,
            name=f"{name}: loss",
            legendgroup=name,
            hovertemplate="lr %{x:.3g}<br>loss %{y:.4g}<extra>" + text.plotly(name) + "</extra>",
        )
        figure.add_scatter(
            x=curve.lrs,
            y=np.where(np.isfinite(smoothed := test.smoothed(curve)), smoothed, None),
            mode="lines",
            line={"color": shade, "width": 2.5},
            name=f"{name}: smoothed",
            legendgroup=name,
            hovertemplate="lr %{x:.3g}<br>smoothed %{y:.4g}<extra>" + text.plotly(name) + "</extra>",
        )
    finite = np.concatenate([c.losses[np.isfinite(c.losses)] for c in test.curves] or [np.zeros(1)])
    top = float(np.percentile(finite, 98)) if finite.size else 1.0
    for index, name in enumerate(rt.SUGGESTIONS):
        spread, lr = test.spreads[name], test.spreads[name].lr
        if lr is None:
            continue
        reason = next((s[name].why for s in test.per_seed if s[name].lr is not None), "")
        mark = "#444444"
        figure.add_vline(x=lr, line={"dash": "dot", "color": mark, "width": 1})
        figure.add_scatter(
            x=[lr],
            y=[top * (0.97 - 0.07 * index)],
            mode="markers+text",
            marker={"symbol": "triangle-down", "size": 11, "color": mark},
            text=[f"{rt.TITLES[name]} {lr_text(lr)}"],
            textposition="middle right",
            name=rt.TITLES[name],
            showlegend=False,
            hovertemplate=text.plotly(f"{rt.TITLES[name]}: {lr_text(lr)}. {reason}. {spread.sentence()}")
            + "<extra></extra>",
        )
    figure.update_layout(
        title=title_layout("Loss against learning rate"),
        height=height,
        xaxis={"type": "log", "title": {"text": "learning rate (log scale)"}, "exponentformat": "power"},
        yaxis={"title": {"text": "training loss"}, "range": [0, top * 1.05]},
        margin={"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 90},
        **BOTTOM_LEGEND,
        **MODEBAR,
    )
    return figure


def check_rows(checks: Sequence[dict]) -> list[dict[str, str]]:
    """*Check it*'s table: each training's peak lr and its final losses side by side."""

    def number(value: Any, digits: int = 4) -> str:
        return "—" if value is None else f"{value:.{digits}g}"

    return [
        {
            "run": CHECK_NAMES.get(min(CHECK_NAMES, key=lambda f: abs(f - row["factor"])), ""),
            "peak lr": lr_text(row["peak_lr"]),
            "final training loss": "diverged" if row["stopped"] else number(row["train_loss"]),
            "validation loss": "—" if row["stopped"] else number(row["val_loss"]),
            "validation accuracy": number(row["val_accuracy"], 3),
        }
        for row in checks
    ]


def check_verdict(checks: Sequence[dict]) -> str:
    """One sentence: which of the three trained best, measured, and what that says.

    >>> rows = [{"factor": 1 / 3, "peak_lr": 0.01, "val_loss": 0.3, "stopped": ""},
    ...         {"factor": 1.0, "peak_lr": 0.03, "val_loss": 0.2, "stopped": ""},
    ...         {"factor": 3.0, "peak_lr": 0.09, "val_loss": None, "stopped": "stopped at lr 0.05: …"}]
    >>> check_verdict(rows)
    'The suggestion itself (0.03) reached the lowest validation loss (0.2); ×3 diverged.'
    """
    finished = [row for row in checks if not row["stopped"] and row["val_loss"] is not None]
    if not finished:
        return "All three trainings diverged: the suggestion is too high for this schedule."
    best = min(finished, key=lambda row: row["val_loss"])
    where = {1 / 3: "A third of the suggestion", 1.0: "The suggestion itself", 3.0: "Three times the suggestion"}
    label = where[min(where, key=lambda f: abs(f - best["factor"]))]
    diverged = [row for row in checks if row["stopped"]]
    tail = ""
    if diverged:
        factors = ", ".join("×3" if row["factor"] > 1 else "÷3" if row["factor"] < 1 else "×1" for row in diverged)
        tail = f"; {factors} diverged"
    return f"{label} ({lr_text(best['peak_lr'])}) reached the lowest validation loss ({best['val_loss']:.4g}){tail}."


def check_figure(checks: Sequence[dict], height: int = 320) -> go.Figure:
    """The three checking trainings' loss at every step."""
    figure = go.Figure()
    for index, row in enumerate(checks):
        losses = [None if x is None else x for x in row["losses"]]
        figure.add_scatter(
            x=np.arange(1, len(losses) + 1),
            y=losses,
            mode="lines",
            name=f"peak lr {lr_text(row['peak_lr'])}",
            line={"color": color(index)},
        )
    figure.update_layout(
        title=title_layout("Check it: training loss at each step"),
        height=height,
        xaxis={"title": {"text": "step"}},
        yaxis={"title": {"text": "loss"}, "type": "log"},
        margin={"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 70},
        **BOTTOM_LEGEND,
        **MODEBAR,
    )
    return figure


def use_as_base_lr(state: MutableMapping[str, Any], lr: float, what: str) -> str:
    """Set the Designer's peak lr to ``lr`` (rounded to three digits) in a session's ``state``:
    its controls and its document, as an import does; the sentence that says what changed.

    Raises ConfigError (touching nothing) when the design does not read with that lr.
    """
    lr = float(f"{lr:.3g}")
    document = rt.at_peak(design.designer_document(state), lr)
    schedule = from_config(document)  # checks every rule before anything changes
    state.update(design.controls(schedule))
    state["schedule_document"] = schedule.to_config()
    fields = schedule.params
    if schedule.kind.name == "cyclic":
        return (
            f"Max lr set to {lr_text(lr)} ({what}) and base lr to {lr_text(fields['base_lr'])} "
            f"(max ÷ {rt.CYCLIC_DIVISOR:g}, the lower bound of Smith's cycles)."
        )
    sentence = f"Base lr set to {lr_text(lr)} ({what})"
    if schedule.kind.name == "one_cycle":
        start = lr / fields["div_factor"]
        sentence += f"; 1cycle starts at {lr_text(lr)} ÷ {design.number_text(fields['div_factor'])} = {lr_text(start)}"
    return sentence + "."


def suggestion_choices(test: rt.RangeTest) -> list[str]:
    """The suggestions that have an lr, in the order the page offers them (valley first)."""
    order = ("valley", "steepest", "minimum")
    return [name for name in order if test.spreads[name].lr is not None]


def read_import(data: bytes) -> rt.RangeTest:
    """An uploaded range-test file, by the strict reader; ConfigError with one sentence."""
    return rt.loads(data)
