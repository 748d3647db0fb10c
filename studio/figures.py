"""Plotly figures of schedules: pure functions from curves to ``go.Figure``.

Every name a figure shows (titles, legends, hover labels) passes through ``studio.text.plotly``:
schedule names come from users and files, and Plotly would render their HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from schedules.budget import Run
from studio import text
from studio.curves import Curve

HOVER = "step %{customdata:,}<br>epoch %{x:.3f}<br>lr %{y:.4g}<extra>%{fullData.name}</extra>"
# The x-axis's units: the schedule's own (steps, epochs) and, with a run, the data it has consumed.
X_UNITS = ("epochs", "steps", "samples", "tokens")
X_TITLES = {"epochs": "epoch", "steps": "step", "samples": "samples seen", "tokens": "tokens seen"}
# Off the epoch axis, each point carries (step, epoch) so hovering still shows both.
HOVER_IN = {
    "steps": "step %{x:,}<br>epoch %{customdata[1]:.3f}<br>lr %{y:.4g}<extra>%{fullData.name}</extra>",
    **{
        unit: "step %{customdata[0]:,}<br>epoch %{customdata[1]:.3f}<br>"
        + unit
        + " %{x:,.0f}<br>lr %{y:.4g}<extra>%{fullData.name}</extra>"
        for unit in ("samples", "tokens")
    },
}
# Six hues at least 30° apart (CIELCh), each visible on a white and on a near-black background:
# Okabe–Ito's blue, orange, green and reddish purple, with a red and a violet in place of its
# vermilion and sky blue, which read as a second orange and a second blue beside the others.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D62728", "#9467BD", "#CC79A7")
# Ticks of small values as "2e-5", not with SI prefixes: Plotly's default reads 2e-5 as "20µ" and
# 2e-14 as "20f", and its "e" format gives every tick the largest one's exponent ("0.2e−5"). Ticks
# 2e-4 apart or closer are each written in their own power of ten (zero as "0"); wider ones as
# plain decimals.
POWERS_OF_TEN = {
    "exponentformat": "e",
    "tickformatstops": [{"dtickrange": [None, 2e-4], "value": "~e"}],
    "labelalias": {"0e+0": "0"},
}
BOUNDARY_LABELS = ("warm-up ends", "hold ends")
TITLE_PX, LABEL_PX = 34, 16  # the title's band at the top, and each phase label's row below it
MODEBAR_PX = 36  # the right margin holds Plotly's vertical toolbar, off the curves
STALE_NOTE = "last valid schedule"
# Plotly checks every property of a figure as it builds one: a quarter of a Designer rerun. The
# builders here make plain dicts of known properties, so the page skips the check; the unit tests
# turn it on (tests/studio/conftest.py), so a misspelt property still fails there.
VALIDATE = False


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure of plain-dict traces and layout, checked by Plotly only when ``VALIDATE``."""
    return go.Figure({"data": traces, "layout": layout}, _validate=VALIDATE)


def color(index: int) -> str:
    """The palette's colour for the ``index``-th series (it repeats after six)."""
    return PALETTE[index % len(PALETTE)]


def x_values(steps, steps_per_epoch: int, x_unit: str = "epochs", run: Run | None = None):
    """Optimizer steps in the x-axis's unit: epochs s / S, steps s, samples s · B, tokens s · B · L
    (B the run's global batch, L its sequence length); float64 beyond steps, so no product overflows.

    >>> x_values(np.array([0, 195, 390]), 390, "epochs").tolist()
    [0.0, 0.5, 1.0]
    >>> x_values(np.array([0, 390]), 390, "samples", Run(dataset_size=50_000, micro_batch=128)).tolist()
    [0.0, 49920.0]
    """
    if x_unit == "epochs":
        return steps / steps_per_epoch
    if x_unit == "steps":
        return steps
    if run is None:
        raise ValueError(f"x_unit: {x_unit} needs a run (its dataset and batch)")
    per_step = run.global_batch * (run.sequence_length if x_unit == "tokens" else 1)
    return np.asarray(steps, dtype=np.float64) * float(per_step)


def boundary_marks(
    curve: Curve, x_end: float | None = None, x_unit: str = "epochs", run: Run | None = None
) -> tuple[list[dict], list[dict]]:
    """Dotted vertical lines where the curve's warm-up and hold end (inside the curve), each
    labelled in its own row of the top margin: labels never overlap each other or the curve."""
    shapes, annotations, marked = [], [], []
    x_end = x_end or float(x_values(curve.total_steps, curve.steps_per_epoch, x_unit, run))
    for step, label in zip(curve.boundaries, BOUNDARY_LABELS, strict=True):
        if not 0 < step < curve.total_steps or step in marked:
            continue
        marked.append(step)
        x = float(x_values(step, curve.steps_per_epoch, x_unit, run))
        shapes.append(
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"dash": "dot", "color": "gray", "width": 1},
            }
        )
        right_half = x > 0.6 * x_end  # near the right edge the label reads leftwards
        annotations.append(
            {
                "x": x,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2 + LABEL_PX * (len(marked) - 1),
                "xanchor": "right" if right_half else "left",
                "text": f"{label} ▸" if right_half else f"◂ {label}",
                "showarrow": False,
                "font": {"size": 11, "color": "gray"},
            }
        )
    return shapes, annotations


def value_range(values: Sequence[float], log_scale: bool = False) -> list[float] | None:
    """An axis range around ``values`` with a 5% margin; a constant gets ±10% around its value
    (on a log axis ±0.05 decades; in log10 units, as Plotly's log axes take them).

    >>> [round(end, 6) for end in value_range([0.1, 0.1])]
    [0.09, 0.11]
    >>> [round(end, 6) for end in value_range([0.0, 1.0])]
    [-0.05, 1.05]
    >>> [round(end, 3) for end in value_range([1e-3, 1e-1], log_scale=True)]
    [-3.1, -0.9]
    """
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array) & (array > 0)] if log_scale else array[np.isfinite(array)]
    if array.size == 0:
        return None
    low, high = float(array.min()), float(array.max())
    if log_scale:
        low, high = math.log10(low), math.log10(high)
        pad = 0.05 * (high - low) if high > low else 0.05
        return [low - pad, high + pad]
    if high == low:
        pad = 0.1 * abs(low) or 1.0
        return [low - pad, high + pad]
    pad = 0.05 * (high - low)
    return [low - pad, high + pad]


def shared_ranges(
    curves: Sequence[Curve], log_scale: bool = False, x_unit: str = "epochs", run: Run | None = None
) -> dict[str, list[float] | None]:
    """The x and y ranges that fit all of ``curves``: charts drawn side by side share them."""
    return {
        "x": [0, max(float(x_values(curve.total_steps, curve.steps_per_epoch, x_unit, run)) for curve in curves)],
        "y": value_range(np.concatenate([curve.lr for curve in curves]), log_scale),
    }


def multiples_ranges(
    curves: Sequence[Curve], log_scale: bool = False, x_unit: str = "epochs", run: Run | None = None
) -> list[dict[str, list[float] | None]]:
    """Each small multiple's ranges: one x-axis for all, so lengths compare, and each lr axis
    fitted to its own curve, so a 3e-4 schedule beside a 0.1 one still shows its shape."""
    shared_x = shared_ranges(curves, log_scale, x_unit, run)["x"]
    return [{"x": shared_x, "y": value_range(curve.lr, log_scale)} for curve in curves]


def lr_axis(log_scale: bool, y_range: list[float] | None) -> dict:
    """The lr axis: on a log scale one labelled tick per decade once the range spans one (the
    2-to-9 minor labels crowd each other otherwise), and no minor grid."""
    axis = {
        "title": {"text": "learning rate"},
        "type": "log" if log_scale else "linear",
        "exponentformat": "e" if log_scale else "none",
        "range": y_range,
    }
    if log_scale and y_range and y_range[1] - y_range[0] >= 1:
        axis["dtick"] = 1
    return axis


def make_figure(
    curves: Sequence[Curve],
    log_scale: bool = False,
    height: int = 380,
    mark_phases: bool = True,
    *,
    ranges: dict | None = None,
    first_color: int = 0,
    stale: bool = False,
    x_unit: str = "epochs",
    run: Run | None = None,
) -> go.Figure:
    """Learning rate against epochs (or steps, or with ``run`` the samples or tokens seen: see
    :func:`x_values`), one line per curve, phase boundaries of the first curve marked.

    The title names one or two curves, or counts more (with "last valid schedule" when ``stale``: the controls hold an
    invalid setting); hovering shows each point's step, epoch, the x-axis's unit and lr. ``ranges`` (from
    :func:`shared_ranges`) makes charts shown side by side share their axes. Built from plain dicts
    in one call: Plotly's per-property helpers cost several times more on every redraw.
    """
    ranges = ranges or shared_ranges(curves, log_scale, x_unit, run)
    shapes, annotations = boundary_marks(curves[0], ranges["x"][1], x_unit, run) if mark_phases else ([], [])
    traces = [
        {
            "type": "scatter",
            "x": x_values(curve.steps, curve.steps_per_epoch, x_unit, run),
            "y": curve.lr,
            "customdata": curve.steps if x_unit == "epochs" else np.column_stack([curve.steps, curve.epochs]),
            "mode": "lines",
            "name": text.plotly(curve.name),
            "line": {"color": color(first_color + index)},
            "hovertemplate": HOVER if x_unit == "epochs" else HOVER_IN[x_unit],
        }
        for index, curve in enumerate(curves)
    ]
    # Two names make a title; more would run off a phone's width, and the legend names them.
    title = " vs ".join(text.plotly(curve.name) for curve in curves) if len(curves) <= 2 else f"{len(curves)} schedules"
    if stale:
        title += f" — {STALE_NOTE}"
    rows = len(BOUNDARY_LABELS) if mark_phases else 0  # the same for every chart: small multiples align
    layout = {
        "title": title_layout(title),
        "height": height,
        "margin": {
            "l": 10,
            "r": MODEBAR_PX,
            "t": TITLE_PX + LABEL_PX * rows + 4,
            "b": 10 + (60 if len(curves) > 1 else 0),  # room for the legend below the axis title
        },
        "xaxis": {"title": {"text": X_TITLES[x_unit]}, "range": ranges["x"]},
        "yaxis": lr_axis(log_scale, ranges["y"]),
        "hovermode": "x unified" if len(curves) > 1 else "closest",
        "shapes": shapes,
        "annotations": annotations,
        "showlegend": len(curves) > 1,
        **BOTTOM_LEGEND,
        **MODEBAR,
    }
    return figure(traces, layout)


def title_layout(title: str) -> dict:
    """A title in the figure's top band, from its left edge; the toolbar stands vertical at the
    right (see MODEBAR), so a long title never runs under it."""
    return {
        "text": title,
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 8, "l": 10},
        "font": {"size": 15},
    }


# A horizontal legend at the very bottom of the figure, below the x axis's title (the margin
# leaves it room), and a vertical toolbar in the right margin, clear of the title.
BOTTOM_LEGEND = {"legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}}
MODEBAR = {"modebar": {"orientation": "v"}}


def metrics_figure(runs: Sequence[tuple[str, Sequence[dict]]], metric: str, height: int = 320) -> go.Figure:
    """``metric`` per epoch for each run (one colour per run): training solid, validation dashed."""
    traces = []
    for index, (name, rows) in enumerate(runs):
        epochs = [row["epoch"] for row in rows]
        for key, dash in ((metric, "solid"), (f"val_{metric}", "dash")):
            traces.append(
                {
                    "type": "scatter",
                    "x": epochs,
                    "y": [row.get(key) for row in rows],
                    "mode": "lines+markers",
                    "name": f"{text.plotly(name)} · {'validation' if key.startswith('val_') else 'training'}",
                    "line": {"dash": dash, "color": color(index)},
                }
            )
    layout = {
        "title": title_layout(metric.capitalize()),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 70 + 20 * (len(runs) > 1)},
        "xaxis": {
            "title": {"text": "epoch"},
            "dtick": 1 if max((len(rows) for _, rows in runs), default=0) <= 20 else None,
        },
        "yaxis": {"title": {"text": metric}},
        **BOTTOM_LEGEND,
        **MODEBAR,
    }
    return figure(traces, layout)


def live_lr_figure(runs: Sequence[tuple[str, Sequence[dict]]], height: int = 320) -> go.Figure:
    """The lr each run had at the end of each epoch so far, drawn as the epochs arrive."""
    traces = [
        {
            "type": "scatter",
            "x": [row["epoch"] for row in rows],
            "y": [row.get("learning_rate") for row in rows],
            "mode": "lines+markers",
            "name": text.plotly(name),
            "line": {"color": color(index)},
        }
        for index, (name, rows) in enumerate(runs)
    ]
    layout = {
        "title": title_layout("Learning rate"),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 70 + 20 * (len(runs) > 1)},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": "lr at the epoch's end"}, "exponentformat": "e"},
        **BOTTOM_LEGEND,
        **MODEBAR,
    }
    return figure(traces, layout)


def readback_figure(readback, name: str = "", max_points: int = 4000, height: int = 360) -> go.Figure:
    """The lr logged to TensorBoard at each step, with the designed curve drawn over it (dashed, so
    the points stay visible beneath); mismatches in red. ``name`` (the run's) heads the title: a
    schedule's chart and its baseline's tell apart."""
    from studio.curves import envelope_indices  # noqa: PLC0415 - keeps this module's imports light

    kept = envelope_indices(readback.logged, max_points)
    steps, steps_per_epoch = readback.steps[kept], readback.steps_per_epoch
    traces = [
        {
            "type": "scatter",
            "x": steps / steps_per_epoch,
            "y": readback.logged[kept],
            "customdata": steps,
            "mode": "markers",
            "marker": {"size": 5, "color": color(1)},
            "name": "logged (TensorBoard)",
            "hovertemplate": HOVER,
        },
        {
            "type": "scatter",
            "x": steps / steps_per_epoch,
            "y": readback.designed[kept],
            "customdata": steps,
            "mode": "lines",
            "line": {"dash": "dash", "width": 2, "color": color(0)},
            "name": "designed",
            "hovertemplate": HOVER,
        },
    ]
    if readback.mismatched.size:
        index = np.searchsorted(readback.steps, readback.mismatched)
        traces.append(
            {
                "type": "scatter",
                "x": readback.mismatched / steps_per_epoch,
                "y": readback.logged[index],
                "customdata": readback.mismatched,
                "mode": "markers",
                "name": "differs",
                "marker": {"color": "red", "size": 9, "symbol": "x"},
                "hovertemplate": HOVER,
            }
        )
    layout = {
        "title": title_layout(f"{text.plotly(name) + ': ' if name else ''}learning rate used at each step vs designed"),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 70},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": "learning rate"}, "range": value_range(readback.designed), **POWERS_OF_TEN},
        **BOTTOM_LEGEND,
        **MODEBAR,
    }
    return figure(traces, layout)


def difference_figure(epochs, difference, first: str, second: str, height: int = 300) -> go.Figure:
    """lr(first) − lr(second) against epochs, zero marked."""
    name = f"{text.plotly(first)} − {text.plotly(second)}"
    trace = {
        "type": "scatter",
        "x": epochs,
        "y": difference,
        "mode": "lines",
        "name": name,
        "line": {"color": color(0)},
        "hovertemplate": "epoch %{x:.3f}<br>Δlr %{y:.4g}<extra></extra>",
        "fill": "tozeroy",
    }
    layout = {
        "title": title_layout(name),
        "height": height,
        "margin": {"l": 10, "r": MODEBAR_PX, "t": TITLE_PX + 6, "b": 10},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {
            "title": {"text": "difference in lr"},
            "zeroline": True,
            "range": value_range(difference),
            **POWERS_OF_TEN,
        },
        **MODEBAR,
    }
    return figure([trace], layout)
