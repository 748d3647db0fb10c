"""The Verify page's logic without Streamlit: uploads → lr series, the design to compare with,
the verdict in words, and the figures (logged over designed, relative difference beneath)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

import schedules
from schedules.diagnose import Diagnosis, diagnose
from schedules.fit import Fit
from schedules.logs import LogError, Series, choose, ranked, read_files
from schedules.verify import fit_log, fits_without_skips, saved_design

__all__ = ["Series", "fits_without_skips", "ranked", "saved_design"]  # what the page reads through this module
from studio import design, presets, share
from studio.curves import MAX_POINTS, envelope_indices
from studio.figures import PALETTE, POWERS_OF_TEN, figure
from studio.text import plotly as plain_plotly

# Okabe–Ito's colour-blind-safe qualitative palette, without its black and yellow: each of these
# reads on Streamlit's white and its dark grey background alike.

DESIGNER, PRESET, UPLOADED, FIT = "The Designer's schedule", "A preset", "A v1 document", "No design: fit one"
RUN = "The run's own design (run.json)"
SOURCES = (DESIGNER, PRESET, UPLOADED, FIT)


def sources(run_design) -> tuple[str, ...]:
    """The designs to compare with: the run's own first when its folder saved one."""
    return (RUN, *SOURCES) if run_design is not None else SOURCES


def default_source(state: Mapping[str, Any], run_design) -> str:
    """What to compare with before the user chooses: the run's own design where it saved one, the
    Designer's schedule where the user has set one (changed it, or opened a link or a file), else a
    fit — never a Designer default the user did not set."""
    if run_design is not None:
        return RUN
    if design.designer_document(state) != design.document(design.DEFAULTS):
        return DESIGNER
    return FIT


def stated(info: Mapping[str, float]) -> str | None:
    """What the file states about its run, for people: "The file states max_steps 5,490, …"."""
    if not info:
        return None
    return "The file states " + ", ".join(f"{key} {value:,.10g}" for key, value in info.items()) + "."


LOG_UPLOAD_MB = 200  # a log file or a .zip of a run folder; the server's maxUploadSize matches it


def likeliest(found: list[Series]) -> Series:
    """The series to show first: the one :func:`choose` picks, else the first of :func:`ranked`."""
    try:
        return choose(found)
    except LogError:
        return ranked(found)[0]


def digest(files: Iterable[tuple[str, bytes]]) -> str:
    """A short digest of uploaded files' names and bytes: what identifies an upload."""
    hashed = hashlib.blake2b(digest_size=16)
    for name, data in files:
        hashed.update(name.encode("utf-8", "surrogatepass") + b"\0" + len(data).to_bytes(8, "little"))
        hashed.update(data)
    return hashed.hexdigest()


def series_from_uploads(files: Iterable[tuple[str, bytes]]) -> list[Series]:
    """Every lr series in uploaded files (a .zip opens as a folder); LogError names a bad file."""
    return read_files(files, source="the upload")


def design_for(
    source: str, state: Mapping[str, Any], preset: str | None = None, uploaded: bytes | None = None, run=None
):
    """The schedule to compare with for a choice of ``source`` (None for "fit one");
    ConfigError for an invalid uploaded document."""
    if source == RUN:
        return run
    if source == DESIGNER:
        return schedules.from_config(design.designer_document(state))
    if source == PRESET:
        return presets.preset(preset or next(iter(presets.PRESETS)))
    if source == UPLOADED:
        return None if uploaded is None else schedules.loads(uploaded)
    return None


def with_steps_per_epoch(schedule, steps_per_epoch: int | None):
    """``schedule`` on the run's own steps per epoch, when given (ConfigError if it cannot be)."""
    return schedule if steps_per_epoch is None else schedule.with_steps_per_epoch(int(steps_per_epoch))


def compare(series: Series, schedule) -> Diagnosis:
    return diagnose(series.steps, series.lr, schedule, series.unit, series.writer)


def fit_series(series: Series, steps_per_epoch: int) -> Fit:
    return fit_log(series, steps_per_epoch)


def verdict(diagnosis: Diagnosis, name: str) -> tuple[str, str]:
    """("success" | "error", one sentence) for the page's verdict."""
    points = diagnosis.steps.size
    convention = f" The log {diagnosis.convention.removeprefix('it ')}." if diagnosis.convention else ""
    if diagnosis.match:
        return "success", (
            f"Match: all {points:,} logged steps of {name} follow the design "
            f"(largest relative difference {diagnosis.max_rel_error:.2g}).{convention}"
        )
    differing = int((~diagnosis.matched).sum())
    return "error", (
        f"Mismatch: {differing:,} of {points:,} logged steps of {name} differ from the design, the first at "
        f"step {diagnosis.first_mismatch:,}, the largest at step {diagnosis.largest_mismatch:,} "
        f"(relative difference {diagnosis.max_rel_error:.3g}).{convention}"
    )


def _axis_title(unit: str) -> str:
    return "epoch (as logged)" if unit == "epoch" else "step"


def overlay_figure(diagnosis: Diagnosis, name: str, unit: str = "step", height: int = 520) -> go.Figure:
    """The logged lr over the designed curve, the relative difference beneath, the first mismatch
    and the first defect (where the first finding locates it: a restart, the first lagged step)
    marked. At most MAX_POINTS points a trace, keeping each bucket's extremes."""
    kept = np.unique(
        np.concatenate([envelope_indices(diagnosis.logged, MAX_POINTS), envelope_indices(diagnosis.relative, 1000)])
    )
    x = diagnosis.steps[kept]
    hover = "step %{x:,}<br>lr %{y:.6g}<extra>%{fullData.name}</extra>"
    traces = [
        _line(x, diagnosis.designed[kept], "designed", PALETTE[0], hover, width=3),
        _line(x, diagnosis.logged[kept], plain_plotly(f"logged: {name}"), PALETTE[1], hover, dash="dot"),
        {
            "type": "scatter",
            "x": x,
            "y": diagnosis.relative[kept],
            "mode": "lines",
            "name": "relative difference",
            "line": {"color": PALETTE[2]},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "step %{x:,}<br>(logged − designed) / designed %{y:.3g}<extra></extra>",
        },
    ]
    for label, step, symbol, colour in (
        ("first mismatch", diagnosis.first_mismatch, "circle-open", PALETTE[3]),
        ("first defect", diagnosis.first_defect, "x", PALETTE[4]),
    ):
        if step is None:
            continue
        # A defect between two records (a restart) is marked at the first record after it.
        index = min(int(np.searchsorted(diagnosis.steps, step)), diagnosis.steps.size - 1)
        step = int(diagnosis.steps[index])
        for axis, value in (("", diagnosis.logged[index]), ("2", diagnosis.relative[index])):
            traces.append(
                {
                    "type": "scatter",
                    "x": [step],
                    "y": [value],
                    "mode": "markers",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": axis == "",
                    "marker": {"symbol": symbol, "size": 13, "color": colour, "line": {"width": 2, "color": colour}},
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "hovertemplate": f"{label}<br>step %{{x:,}}<extra></extra>",
                }
            )
    layout = {
        "title": {"text": plain_plotly(f"Logged lr ({name}) over the design"), "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"anchor": "y", "domain": [0, 1], "matches": "x2", "showticklabels": False},
        "yaxis": {"domain": [0.38, 1], "title": {"text": "learning rate"}, **POWERS_OF_TEN},
        "xaxis2": {"anchor": "y2", "domain": [0, 1], "title": {"text": _axis_title(unit)}},
        "yaxis2": {"domain": [0, 0.28], "title": {"text": "relative difference"}, "zeroline": True, **POWERS_OF_TEN},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hovermode": "closest",
    }
    return figure(traces, layout)


def fit_figure(series: Series, fitted: Fit, height: int = 380) -> go.Figure:
    """The logged lr with the fitted schedule over it."""
    kept = envelope_indices(series.lr, MAX_POINTS)
    x = series.steps[kept]
    proposed = fitted.schedule.lr(np.maximum(x + fitted.shift, 0))  # as its writer's convention reads the log
    hover = "step %{x:,}<br>lr %{y:.6g}<extra>%{fullData.name}</extra>"
    traces = [
        _line(x, proposed, f"fitted: {fitted.document['schedule']['kind']}", PALETTE[0], hover, width=3),
        _line(x, series.lr[kept], plain_plotly(f"logged: {series.name}"), PALETTE[1], hover, dash="dot"),
    ]
    layout = {
        "title": {
            "text": plain_plotly(f"Logged lr ({series.name}) and the schedule fitted to it"),
            "x": 0,
            "font": {"size": 15},
        },
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "xaxis": {"title": {"text": _axis_title(series.unit)}},
        "yaxis": {"title": {"text": "learning rate"}, **POWERS_OF_TEN},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    }
    return figure(traces, layout)


def _line(x, y, name: str, colour: str, hover: str, width: float = 2, dash: str = "solid") -> dict:
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "name": name,
        "line": {"color": colour, "width": width, "dash": dash},
        "hovertemplate": hover,
    }


def findings_table(diagnosis: Diagnosis) -> list[dict]:
    """One row per finding: what it is and its numbers, for a dataframe (shown as plain text)."""
    rows = []
    for finding in diagnosis.findings:
        numbers = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in finding.items()
            if k not in ("type", "sentence")
        )
        rows.append({"finding": finding["sentence"], "type": finding["type"], "numbers": numbers})
    return rows


def open_in_designer(state, document: dict) -> dict[str, str]:
    """Prepare the Designer to open ``document``: the share-link query parameters to switch with.

    The Designer reads a link's schedule into its controls on its first run in a session, in its
    own run, before its widgets draw (a value set from another page would lose to the widgets'
    kept state); forgetting that the link was read makes the next run read this one.
    """
    schedule = schedules.from_config(document)
    state.pop("link_read", None)
    return share.to_query(schedule)
