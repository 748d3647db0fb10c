"""Plotly figures of schedules: pure functions from curves to ``go.Figure``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from studio.curves import Curve

HOVER = "step %{customdata:,}<br>epoch %{x:.3f}<br>lr %{y:.4g}<extra>%{fullData.name}</extra>"
# (label, vertical shift in px): the hold's label sits one line lower, so close lines stay readable.
BOUNDARY_LABELS = (("warm-up ends", 0), ("hold ends", -16))


def boundary_marks(curve: Curve) -> tuple[list[dict], list[dict]]:
    """Dotted vertical lines, with labels, where the curve's warm-up and hold end (inside the curve)."""
    shapes, annotations, marked = [], [], set()
    for step, (label, shift) in zip(curve.boundaries, BOUNDARY_LABELS, strict=True):
        if not 0 < step < curve.total_steps or step in marked:
            continue
        marked.add(step)
        epoch = step / curve.steps_per_epoch
        shapes.append(
            {
                "type": "line",
                "x0": epoch,
                "x1": epoch,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"dash": "dot", "color": "gray", "width": 1},
            }
        )
        annotations.append(
            {
                "x": epoch,
                "y": 1,
                "yref": "paper",
                "yshift": shift,
                "text": label,
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 11, "color": "gray"},
            }
        )
    return shapes, annotations


def make_figure(
    curves: Sequence[Curve], log_scale: bool = False, height: int = 380, mark_phases: bool = True
) -> go.Figure:
    """Learning rate against epochs, one line per curve, phase boundaries of the first curve marked.

    The title names the curves (the legend, below, when there are several); hovering shows each
    point's step, epoch and lr. Built from plain dicts in one call: Plotly's per-property helpers
    cost several times more on every redraw.
    """
    shapes, annotations = boundary_marks(curves[0]) if mark_phases else ([], [])
    traces = [
        {
            "type": "scatter",
            "x": curve.epochs,
            "y": curve.lr,
            "customdata": curve.steps,
            "mode": "lines",
            "name": curve.name,
            "hovertemplate": HOVER,
        }
        for curve in curves
    ]
    layout = {
        "title": {"text": " vs ".join(curve.name for curve in curves), "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "xaxis": {
            "title": {"text": "epoch"},
            "range": [0, max(curve.total_steps / curve.steps_per_epoch for curve in curves)],
        },
        "yaxis": {
            "title": {"text": "learning rate"},
            "type": "log" if log_scale else "linear",
            "exponentformat": "e" if log_scale else "none",
        },
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        "hovermode": "x unified" if len(curves) > 1 else "closest",
        "shapes": shapes,
        "annotations": annotations,
    }
    return go.Figure({"data": traces, "layout": layout})


def metrics_figure(runs: Sequence[tuple[str, Sequence[dict]]], metric: str, height: int = 300) -> go.Figure:
    """``metric`` per epoch for each run: training solid, validation dashed."""
    traces = []
    for name, rows in runs:
        epochs = [row["epoch"] for row in rows]
        for key, dash in ((metric, "solid"), (f"val_{metric}", "dash")):
            traces.append(
                {
                    "type": "scatter",
                    "x": epochs,
                    "y": [row.get(key) for row in rows],
                    "mode": "lines+markers",
                    "name": f"{name} · {'validation' if key.startswith('val_') else 'training'}",
                    "line": {"dash": dash},
                }
            )
    layout = {
        "title": {"text": metric.capitalize(), "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {
            "title": {"text": "epoch"},
            "dtick": 1 if max((len(rows) for _, rows in runs), default=0) <= 20 else None,
        },
        "yaxis": {"title": {"text": metric}},
        "legend": {"orientation": "h", "y": -0.3},
    }
    return go.Figure({"data": traces, "layout": layout})


def readback_figure(readback, max_points: int = 4000, height: int = 340) -> go.Figure:
    """The lr logged to TensorBoard at each step over the designed curve; mismatches in red."""
    from studio.curves import envelope_indices  # noqa: PLC0415 - keeps this module's imports light

    kept = envelope_indices(readback.logged, max_points)
    steps, steps_per_epoch = readback.steps[kept], readback.steps_per_epoch
    traces = [
        {
            "type": "scatter",
            "x": steps / steps_per_epoch,
            "y": readback.designed[kept],
            "customdata": steps,
            "mode": "lines",
            "name": "designed",
            "hovertemplate": HOVER,
        },
        {
            "type": "scatter",
            "x": steps / steps_per_epoch,
            "y": readback.logged[kept],
            "customdata": steps,
            "mode": "markers",
            "marker": {"size": 4},
            "name": "logged (TensorBoard)",
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
        "title": {"text": "Learning rate used at each step vs designed", "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": "learning rate"}},
        "legend": {"orientation": "h", "y": -0.3},
    }
    return go.Figure({"data": traces, "layout": layout})


def difference_figure(epochs, difference, first: str, second: str, height: int = 300) -> go.Figure:
    """lr(first) − lr(second) against epochs, zero marked."""
    trace = {
        "type": "scatter",
        "x": epochs,
        "y": difference,
        "mode": "lines",
        "name": f"{first} − {second}",
        "hovertemplate": "epoch %{x:.3f}<br>Δlr %{y:.4g}<extra></extra>",
        "fill": "tozeroy",
    }
    layout = {
        "title": {"text": f"{first} − {second}", "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": "difference in lr"}, "zeroline": True},
    }
    return go.Figure({"data": [trace], "layout": layout})
