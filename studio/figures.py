"""Plotly figures of schedules: pure functions from curves to ``go.Figure``."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from studio.curves import Curve

HOVER = "step %{customdata:,}<br>epoch %{x:.3f}<br>lr %{y:.4g}<extra>%{fullData.name}</extra>"
# (label, where it sits): warm-up's label leans left and hold's right, so close lines stay readable.
BOUNDARY_LABELS = (("warm-up ends", "top left"), ("hold ends", "top right"))


def make_figure(curves: Sequence[Curve], log_scale: bool = False, height: int = 380) -> go.Figure:
    """Learning rate against epochs, one line per curve, phase boundaries of the first curve marked.

    The title names the curves; hovering shows each point's step, epoch and lr.
    """
    figure = go.Figure()
    for curve in curves:
        figure.add_trace(
            go.Scatter(
                x=curve.epochs, y=curve.lr, customdata=curve.steps, mode="lines", name=curve.name, hovertemplate=HOVER
            )
        )
    first = curves[0]
    marked = set()
    for step, (label, position) in zip(first.boundaries, BOUNDARY_LABELS):
        if 0 < step < first.total_steps and step not in marked:
            marked.add(step)
            figure.add_vline(
                x=step / first.steps_per_epoch,
                line_dash="dot",
                line_color="gray",
                annotation_text=label,
                annotation_position=position,
            )
    figure.update_layout(
        title=dict(text=" vs ".join(curve.name for curve in curves), x=0, font_size=15),
        height=height,
        margin=dict(l=10, r=10, t=70, b=10),
        xaxis_title="epoch",
        yaxis_title="learning rate",
        yaxis_type="log" if log_scale else "linear",
        yaxis_exponentformat="e" if log_scale else "none",
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0),
        hovermode="x unified" if len(curves) > 1 else "closest",
    )
    return figure
