"""The Compare page's bake-off: the set trained over several seeds, and what its runs say.

The worker (``python -m training.bakeoff``) reports each run's start (its schedule's name and
seed), every epoch and its end; everything here reads those reports. Nothing imports Streamlit.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from schedules import from_config
from schedules.sets import Named, dump_set, load_set
from studio import text
from studio.figures import BOTTOM_LEGEND, MODEBAR, MODEBAR_PX, TITLE_PX, color, figure, title_layout

SEED_CHOICES = (1, 2, 3, 4, 5)
METRICS = {"val_accuracy": "validation accuracy", "val_loss": "validation loss", "loss": "training loss"}


@dataclass(frozen=True)
class BakeoffRequest:
    """Train each schedule of ``set_text`` (a set file) for ``epochs`` epochs over ``seeds`` seeds."""

    set_text: str
    epochs: int = 20
    seeds: int = 3
    seed: int = 0
    batch_size: int = 32
    optimizer: str = "sgd"
    dataset: str = "digits"
    owner: str = ""
    baseline: bool = False

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in load_set(self.set_text)]

    @property
    def total_work(self) -> int:
        """What the progress bar counts: epochs over every run."""
        return self.epochs * self.seeds * len(self.names)

    def check(self) -> None:
        """ConfigError when the set does not read (the queue asks before it queues)."""
        load_set(self.set_text)

    def config_text(self) -> str:
        return self.set_text

    def done_message(self, job) -> str:
        return f"trained {len(self.names)} schedules × {self.seeds} seed{'s' * (self.seeds != 1)}"

    def command(self, config_path: Path, runs_dir: Path) -> list[str]:
        command = [sys.executable, "-m", "training.bakeoff", "--json", "--set", str(config_path)]
        command += ["--epochs", str(self.epochs), "--seeds", str(self.seeds), "--seed", str(self.seed)]
        command += ["--batch-size", str(self.batch_size), "--optimizer", self.optimizer, "--dataset", self.dataset]
        return command + ["--logdir", str(runs_dir)]


def request_for(items: Sequence[tuple[str, dict]], **options: Any) -> BakeoffRequest:
    """The request for the page's (name, document) entries; ConfigError if one does not read."""
    return BakeoffRequest(dump_set([Named(name, from_config(document)) for name, document in items]), **options)


@dataclass(frozen=True)
class Outcome:
    """One schedule's finished runs: the last epoch's metrics of each seed that completed."""

    name: str
    finals: dict[str, list[float]]  # metric → one value per completed seed
    completed: int
    diverged: int
    planned: int


def outcomes(runs: Sequence[Any], names: Sequence[str], seeds: int) -> list[Outcome]:
    """Per schedule, in the set's order: the final metrics of its completed runs. A run still
    training or stopped counts in neither; a diverged one is counted, its metrics left out."""
    result = []
    for name in names:
        own = [run for run in runs if run.schedule == name]
        done = [run for run in own if run.status == "completed" and run.epochs]
        finals = {
            metric: [float(run.epochs[-1][metric]) for run in done if _finite(run.epochs[-1].get(metric))]
            for metric in METRICS
        }
        diverged = sum(run.status == "diverged" for run in own)
        result.append(Outcome(name, finals, len(done), diverged, seeds))
    return result


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def mean_spread(values: Sequence[float], percent: bool = False) -> str:
    """The mean and the standard deviation over seeds, or what one value or none can say.

    >>> mean_spread([0.95, 0.97], percent=True), mean_spread([0.25]), mean_spread([])
    ('96 ± 1.41 %', '0.25 (one seed)', '—')
    """
    if not values:
        return "—"
    scale, unit = (100.0, " %") if percent else (1.0, "")
    mean = float(np.mean(values)) * scale
    if len(values) == 1:
        return f"{mean:.4g}{unit} (one seed)"
    spread = float(np.std(values, ddof=1)) * scale
    return f"{mean:.4g} ± {spread:.3g}{unit}"


def table_rows(found: Sequence[Outcome]) -> list[dict[str, str]]:
    """The results table: each schedule's final metrics as mean ± standard deviation over seeds."""
    rows = []
    for outcome in found:
        runs = f"{outcome.completed} of {outcome.planned}"
        if outcome.diverged:
            runs += f" ({outcome.diverged} diverged)"
        rows.append(
            {
                "schedule": outcome.name,
                "seeds completed": runs,
                "validation accuracy": mean_spread(outcome.finals["val_accuracy"], percent=True),
                "validation loss": mean_spread(outcome.finals["val_loss"]),
                "training loss": mean_spread(outcome.finals["loss"]),
            }
        )
    return rows


def verdict(found: Sequence[Outcome]) -> str | None:
    """Which schedule ended with the best mean validation accuracy, and whether the seeds' spread
    allows calling it better; None until every schedule has a finished seed.

    >>> a = Outcome("cosine", {"val_accuracy": [0.97, 0.98]}, 2, 0, 2)
    >>> b = Outcome("step", {"val_accuracy": [0.95, 0.96]}, 2, 0, 2)
    >>> verdict([a, b]).split("; ")
    ['cosine ends with the best mean validation accuracy, 97.5 %, 2 points above step', \
'more than the spread between seeds (0.707 points): a difference the seeds agree on.']
    """
    if len(found) < 2 or any(not outcome.finals["val_accuracy"] for outcome in found):
        return None
    means = sorted(((float(np.mean(o.finals["val_accuracy"])), o) for o in found), key=lambda pair: -pair[0])
    (best_mean, best), (second_mean, second) = means[0], means[1]
    gap = (best_mean - second_mean) * 100
    head = f"{best.name} ends with the best mean validation accuracy, {best_mean * 100:.4g} %"
    if gap == 0:
        return f"{best.name} and {second.name} end with the same mean validation accuracy, {best_mean * 100:.4g} %."
    head += f", {gap:.3g} points above {second.name}"
    if min(len(o.finals["val_accuracy"]) for o in found) < 2:
        return head + "; with one seed, the spread between seeds is not known."
    spread = max(float(np.std(o.finals["val_accuracy"], ddof=1)) for o in (best, second)) * 100
    if gap > spread:
        return head + f"; more than the spread between seeds ({spread:.3g} points): a difference the seeds agree on."
    return head + f"; within the spread between seeds ({spread:.3g} points): more seeds would tell."


def finals_figure(found: Sequence[Outcome], metric: str = "val_accuracy", height: int = 340) -> go.Figure:
    """Each schedule's final ``metric``: every seed a dot, the mean a wide mark with ± one standard deviation."""
    traces = []
    for index, outcome in enumerate(found):
        values = outcome.finals[metric]
        name = text.plotly(outcome.name)
        if not values:
            continue
        spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        traces.append(  # the mean as a mark, not a bar: the axis need not start at 0 to be read right
            {
                "type": "scatter",
                "mode": "markers",
                "x": [name],
                "y": [float(np.mean(values))],
                "error_y": {"type": "data", "array": [spread], "visible": len(values) > 1, "width": 12},
                "marker": {"color": color(index), "size": 16, "symbol": "line-ew-open", "line": {"width": 3}},
                "name": name,
                "hovertemplate": f"{name}<br>mean %{{y:.4g}}<extra></extra>",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": [name] * len(values),
                "y": values,
                "mode": "markers",
                "marker": {"color": color(index), "size": 8, "line": {"width": 1, "color": "white"}},
                "name": f"{name} · each seed",
                "showlegend": False,
                "hovertemplate": f"{name}<br>a seed: %{{y:.4g}}<extra></extra>",
            }
        )
    finite = [v for outcome in found for v in outcome.finals[metric]]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = (high - low) * 0.5 or abs(high) * 0.05 or 0.05
    layout = {
        "title": title_layout(f"Final {METRICS[metric]}"),
        "height": height,
        "showlegend": False,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 40},
        "yaxis": {"title": {"text": METRICS[metric]}, "range": [low - pad, high + pad]},
        **MODEBAR,
    }
    return figure(traces, layout)


def curves_figure(runs: Sequence[Any], names: Sequence[str], metric: str = "val_loss", height: int = 360):
    """``metric`` per epoch for each schedule: the mean over its seeds, and a band from the lowest
    to the highest seed (epochs that every seed reached)."""
    traces = []
    for index, name in enumerate(names):
        rows = [run.epochs for run in runs if run.schedule == name and run.epochs]
        length = min((len(r) for r in rows), default=0)
        if not length:
            continue
        values = np.array([[_value(row.get(metric)) for row in r[:length]] for r in rows], dtype=float)
        epochs = [row["epoch"] for row in rows[0][:length]]
        label = text.plotly(name)
        if len(rows) > 1:
            band = {"type": "scatter", "mode": "lines", "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"}
            traces.append(band | {"x": epochs, "y": np.nanmax(values, axis=0).tolist(), "name": label})
            traces.append(
                band
                | {
                    "x": epochs,
                    "y": np.nanmin(values, axis=0).tolist(),
                    "fill": "tonexty",
                    "fillcolor": _faint(color(index)),
                    "name": label,
                }
            )
        seeds = f" · mean of {len(rows)} seeds" if len(rows) > 1 else " · one seed"
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": epochs,
                "y": np.nanmean(values, axis=0).tolist(),
                "line": {"color": color(index), "width": 2},
                "name": label + seeds,
            }
        )
    layout = {
        "title": title_layout(f"{METRICS[metric].capitalize()} over training"),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 90},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": METRICS[metric]}},
        **BOTTOM_LEGEND,
        "legend": BOTTOM_LEGEND["legend"] | {"traceorder": "normal"},
        **MODEBAR,
    }
    return figure(traces, layout)


def _value(value: Any) -> float:
    return float(value) if _finite(value) else math.nan


def _faint(hex_colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def progress_text(status: str, runs: Sequence[Any], request: BakeoffRequest) -> str:
    """Where the bake-off stands: the run in progress (schedule and seed) and how many are done.

    >>> from types import SimpleNamespace as Run
    >>> request = BakeoffRequest(dump_set([Named("a", from_config({"format": "lr-schedule", "version": 1,
    ...     "steps_per_epoch": 10, "schedule": {"kind": "constant", "base_lr": 0.1, "total_epochs": 1}})),
    ...     Named("b", from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
    ...     "schedule": {"kind": "constant", "base_lr": 0.2, "total_epochs": 1}}))]), epochs=5, seeds=2)
    >>> progress_text("running", [Run(schedule="a", seed=0, epochs=[{}] * 5, status="completed"),
    ...     Run(schedule="b", seed=0, epochs=[{}] * 2, status="running")], request)
    'Running — run 2 of 4: b, seed 0, epoch 2 of 5'
    """
    total = request.seeds * len(request.names)
    if status == "queued":
        return "Waiting for the run in progress"
    if not runs:
        return f"{status.capitalize()} — starting…"
    last = runs[-1]
    where = (
        f"run {len(runs)} of {total}: {last.schedule}, seed {last.seed}, epoch {len(last.epochs)} of {request.epochs}"
    )
    return f"{status.capitalize()} — {where}"
