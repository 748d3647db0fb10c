"""Plotly figures of schedules: pure functions from curves to ``go.Figure``."""

from __future__ import annotations

from collections.abc import Sequence

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


def make_figure(curves: Sequence[Curve], log_scale: bool = False, height: int = 380) -> go.Figure:
    """Learning rate against epochs, one line per curve, phase boundaries of the first curve marked.

    The title names the curves; hovering shows each point's step, epoch and lr. Built from plain
    dicts in one call: Plotly's per-property helpers cost several times more on every redraw.
    """
    shapes, annotations = boundary_marks(curves[0])
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
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "xaxis": {
            "title": {"text": "epoch"},
            "range": [0, max(curve.total_steps / curve.steps_per_epoch for curve in curves)],
        },
        "yaxis": {
            "title": {"text": "learning rate"},
            "type": "log" if log_scale else "linear",
            "exponentformat": "e" if log_scale else "none",
        },
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0},
        "hovermode": "x unified" if len(curves) > 1 else "closest",
        "shapes": shapes,
        "annotations": annotations,
    }
    return go.Figure({"data": traces, "layout": layout})
