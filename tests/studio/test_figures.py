"""The figure is a pure function of curves: traces, hover text, boundaries and scale."""

import schedules
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
