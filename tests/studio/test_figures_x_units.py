"""The chart's x-axis in steps, epochs, samples or tokens: positions, marks, ranges and hover."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedules
from schedules.budget import Run
from studio.curves import sample
from studio.figures import X_TITLES, make_figure, shared_ranges, x_values

RUN = Run(dataset_size=1_281_167, micro_batch=64, gradient_accumulation=4, devices=8)  # 625 steps of 2,048
TOKENS = Run(dataset_size=10_000_000, micro_batch=8, unit="tokens", sequence_length=2048)  # 610 steps


def curve(run=RUN, name="Cosine decay"):
    doc = schedules.make_document(
        {"kind": "cosine", "base_lr": 0.1, "total_epochs": 4, "warmup_epochs": 1, "hold_epochs": 1},
        run.steps_per_epoch,
    )
    return sample(schedules.from_config(doc | {"run": run.to_config()}), name)


@pytest.mark.parametrize(
    ("unit", "run", "per_step"), [("steps", None, 1), ("samples", RUN, 2048), ("tokens", TOKENS, 8 * 2048)]
)
def test_x_is_the_step_times_what_one_step_consumes(unit, run, per_step):
    line = curve(run or RUN)
    figure = make_figure([line], x_unit=unit, run=run)
    np.testing.assert_array_equal(figure.data[0].x, line.steps * per_step)
    assert figure.layout.xaxis.title.text == X_TITLES[unit]
    assert list(figure.layout.xaxis.range) == [0, line.total_steps * per_step]


def test_the_epoch_axis_is_unchanged():
    line = curve()
    figure = make_figure([line])
    np.testing.assert_array_equal(figure.data[0].x, line.steps / 625)
    np.testing.assert_array_equal(figure.data[0].customdata, line.steps)
    assert figure.layout.xaxis.title.text == "epoch"


@pytest.mark.parametrize("unit", ["steps", "samples"])
def test_hover_shows_the_step_the_epoch_and_the_unit(unit):
    line = curve()
    trace = make_figure([line], x_unit=unit, run=RUN).data[0]
    np.testing.assert_array_equal(trace.customdata, np.column_stack([line.steps, line.epochs]))
    hover = trace.hovertemplate
    assert "step %{" in hover and "epoch %{customdata[1]" in hover and "lr %{y" in hover
    assert unit == "steps" or f"{unit} %{{x" in hover


def test_phase_marks_sit_at_their_samples():
    figure = make_figure([curve()], x_unit="samples", run=RUN)
    assert [shape.x0 for shape in figure.layout.shapes] == [625 * 2048, 2 * 625 * 2048]


def test_side_by_side_charts_share_the_samples_axis():
    ranges = shared_ranges([curve(), curve(name="other")], x_unit="samples", run=RUN)
    assert ranges["x"] == [0, 4 * 625 * 2048]


def test_samples_without_a_run_is_a_clear_error():
    with pytest.raises(ValueError, match="x_unit: samples needs a run"):
        make_figure([curve()], x_unit="samples")


@given(steps=st.integers(0, 10**9), batch=st.integers(1, 10**6), length=st.integers(1, 10**4))
def test_no_product_overflows(steps, batch, length):
    run = Run(10**15, batch, unit="tokens", sequence_length=length)
    assert x_values(np.array([steps]), 1, "tokens", run)[0] == pytest.approx(steps * batch * length, rel=1e-15)
