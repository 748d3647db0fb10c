"""The figure is a pure function of curves: traces, hover text, boundaries and scale."""

import json
import math

import plotly.io as pio
import pytest

import schedules
from studio import figures
from studio.curves import sample
from studio.figures import make_figure


def curve(name="Cosine decay", **fields):
    schedule = {"kind": "cosine", "base_lr": 0.1, "total_epochs": 10, "warmup_epochs": 1, "hold_epochs": 2, **fields}
    return sample(
        schedules.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10, "schedule": schedule}),
        name,
    )


def test_one_trace_per_curve_with_step_epoch_and_lr_on_hover():
    figure = make_figure([curve(), curve("Step decay")])
    assert [trace.name for trace in figure.data] == ["Cosine decay", "Step decay"]
    hover = figure.data[0].hovertemplate
    assert "step" in hover and "epoch" in hover and "lr" in hover
    assert list(figure.data[0].customdata[:3]) == [0, 1, 2]
    assert figure.layout.title.text == "Cosine decay vs Step decay"


def test_phase_boundaries_are_marked_in_epochs():
    shapes = make_figure([curve()]).layout.shapes
    assert sorted(shape.x0 for shape in shapes) == [1.0, 3.0]


def test_no_hold_marks_only_the_warmup():
    assert [shape.x0 for shape in make_figure([curve(hold_epochs=0)]).layout.shapes] == [1.0]


def test_log_scale():
    assert make_figure([curve()], log_scale=True).layout.yaxis.type == "log"
    assert make_figure([curve()]).layout.yaxis.type == "linear"


def luminance(hex_color: str) -> float:
    channels = [int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def lab(hex_color: str) -> tuple[float, float, float]:
    channels = [int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    x, y, z = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_six_series_colours_stay_apart_and_visible_in_both_themes():
    from studio.figures import PALETTE

    assert len(set(PALETTE)) == 6
    for index, first in enumerate(PALETTE):
        for second in PALETTE[index + 1 :]:
            distance = sum((a - b) ** 2 for a, b in zip(lab(first), lab(second), strict=True)) ** 0.5
            assert distance > 25, (first, second, distance)  # CIE76: well beyond "similar"
            hues = [math.degrees(math.atan2(b, a)) for _, a, b in (lab(first), lab(second))]
            apart = abs(hues[0] - hues[1]) % 360
            assert min(apart, 360 - apart) >= 30, (first, second)  # not two blues, not two oranges
        for background in ("#FFFFFF", "#0E1117"):  # Streamlit's light and dark backgrounds
            bright, dark = sorted((luminance(first), luminance(background)), reverse=True)
            assert (bright + 0.05) / (dark + 0.05) >= 2.0, (first, background)


def test_each_curve_gets_its_own_palette_colour():
    figure = make_figure([curve(), curve("other"), curve("third")])
    assert len({trace.line.color for trace in figure.data}) == 3


def test_phase_labels_sit_in_separate_rows_above_the_plot():
    figure = make_figure([curve()])
    labels = figure.layout.annotations
    assert all(label.y == 1 and label.yanchor == "bottom" for label in labels)  # above the plot area
    assert len({label.yshift for label in labels}) == len(labels)  # one row each
    assert figure.layout.margin.t >= 34 + 16 * len(labels)  # the margin holds the title and every row


def test_a_constant_curve_gets_a_range_around_its_value():
    flat = curve("flat", kind="constant", warmup_epochs=0, hold_epochs=0)
    low, high = make_figure([flat]).layout.yaxis.range
    assert low < 0.1 < high and high - low < 0.1


def test_side_by_side_charts_can_share_their_axes():
    from studio.figures import shared_ranges

    short, long = curve(), curve("long", total_epochs=20, base_lr=0.5)
    ranges = shared_ranges([short, long])
    for figure in (make_figure([short], ranges=ranges), make_figure([long], ranges=ranges)):
        assert list(figure.layout.xaxis.range) == [0, 20] and list(figure.layout.yaxis.range) == ranges["y"]


def test_a_log_axis_labels_whole_decades():
    assert make_figure([curve(epsilon=1e-6)], log_scale=True).layout.yaxis.dtick == 1


def test_names_from_users_are_escaped_for_plotly():
    figure = make_figure([curve('<a href="https://example.com">x</a>')])
    assert "<a" not in figure.data[0].name and "<a" not in figure.layout.title.text


def test_a_stale_figure_says_it_shows_the_last_valid_schedule():
    assert make_figure([curve()], stale=True).layout.title.text.endswith("last valid schedule")


def test_more_than_two_curves_are_counted_in_the_title_and_named_in_the_legend():
    figure = make_figure([curve("a"), curve("b"), curve("c")])
    assert figure.layout.title.text == "3 schedules" and figure.layout.showlegend


def test_charts_reserve_the_same_label_rows_so_small_multiples_align():
    with_marks, without = make_figure([curve()]), make_figure([curve(warmup_epochs=0, hold_epochs=0)])
    assert with_marks.layout.margin.t == without.layout.margin.t


def test_the_designed_line_is_drawn_dashed_over_the_logged_points():
    from types import SimpleNamespace

    import numpy as np

    from studio.figures import readback_figure

    steps = np.arange(50)
    lr = np.linspace(0.0, 0.1, 50)
    readback = SimpleNamespace(steps=steps, logged=lr, designed=lr, mismatched=np.array([], int), steps_per_epoch=10)
    logged, designed = readback_figure(readback).data
    assert (logged.name, logged.mode) == ("logged (TensorBoard)", "markers")
    assert (designed.name, designed.line.dash) == ("designed", "dash")  # later trace: drawn on top
    assert logged.marker.color != designed.line.color
    # Small lrs read "2e-5", never with an SI prefix ("20µ").
    assert readback_figure(readback).layout.yaxis.exponentformat == "e"


def test_each_runs_readback_chart_names_its_run():
    from types import SimpleNamespace

    import numpy as np

    from studio.figures import readback_figure

    lr = np.linspace(0.0, 0.1, 50)
    readback = SimpleNamespace(
        steps=np.arange(50), logged=lr, designed=lr, mismatched=np.array([], int), steps_per_epoch=10
    )
    titles = {readback_figure(readback, name).layout.title.text for name in ("1-cosine", "1-step-baseline")}
    assert titles == {
        "1-cosine: learning rate used at each step vs designed",
        "1-step-baseline: learning rate used at each step vs designed",
    }


def test_training_legends_sit_below_the_axis_title():
    from studio.figures import metrics_figure

    figure = metrics_figure([("run", [{"epoch": 1, "loss": 1.0, "val_loss": 1.1}])], "loss")
    assert figure.layout.legend.yref == "container" and figure.layout.legend.y == 0
    assert figure.layout.margin.b >= 70  # room for tick labels and the axis title above the legend


def test_unchecked_figures_are_the_checked_ones_and_the_check_catches_a_misspelt_property(monkeypatch):
    curves = [curve("<b>cosine</b>"), curve("Step decay", warmup_epochs=0)]
    checked = pio.to_json(make_figure(curves, log_scale=True, x_unit="steps"), validate=False)
    monkeypatch.setattr(figures, "VALIDATE", False)
    unchecked = make_figure(curves, log_scale=True, x_unit="steps")
    assert json.loads(pio.to_json(unchecked, validate=False)) == json.loads(checked)
    assert unchecked.data[0].name == "&lt;b&gt;cosine&lt;/b&gt;"
    monkeypatch.setattr(figures, "VALIDATE", True)
    with pytest.raises(ValueError, match="colour"):
        figures.figure([{"type": "scatter", "y": [1], "line": {"colour": "red"}}], {})
