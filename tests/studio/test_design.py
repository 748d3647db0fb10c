"""The designer's controls map onto documents and back, and a bad import touches nothing."""

import json

import pytest
from hypothesis import given, settings

import schedules
from schedules import ConfigError
from studio import design
from tests.strategies import extreme_documents

EXAMPLE = {
    "format": "lr-schedule",
    "version": 1,
    "steps_per_epoch": 250,
    "granularity": "epoch",
    "schedule": {
        "kind": "cosine",
        "base_lr": 0.0123,
        "total_epochs": 40,
        "warmup_epochs": 3,
        "warmup_start_lr": 1e-5,
        "hold_epochs": 2.5,
        "epsilon": 1e-7,
    },
}


def test_defaults_make_valid_documents():
    schedules.from_config(design.document(design.DEFAULTS))
    baseline = schedules.from_config(design.baseline_document(design.DEFAULTS))
    assert baseline.kind.name == "multistep" and baseline.params["gamma"] == 0.1


def test_the_default_baseline_drops_at_one_third_and_two_thirds_of_the_decay():
    # 100 epochs, decay from epoch 15: 85 epochs of decay, drops 28.33 and 56.67 epochs into it
    baseline = schedules.from_config(design.baseline_document(design.DEFAULTS))
    assert baseline.turning_steps().tolist() == [1500 + 2833, 1500 + 5667]
    assert design.baseline_drops(design.baseline_document(design.DEFAULTS)).startswith(
        "×0.1 at epochs 43.33 and 71.67: one third and two thirds of the decay"
    )


def test_a_users_own_baseline_keeps_its_drop_and_period():
    values = design.DEFAULTS | {"baseline_scaled": False, "baseline_drop": 0.5, "baseline_epochs_per_drop": 20.0}
    baseline = design.baseline_document(values)
    assert baseline["schedule"]["kind"] == "step" and design.own_baseline(baseline) == (0.5, 20.0)
    assert design.own_baseline(design.baseline_document(design.DEFAULTS)) == (None, None)


def test_baseline_shares_the_warmup_hold_and_floor():
    values = design.DEFAULTS | {"warmup_epochs": 7.0, "hold_epochs": 3.0, "epsilon": 1e-4}
    baseline = design.baseline_document(values)["schedule"]
    assert (baseline["warmup_epochs"], baseline["hold_epochs"], baseline["epsilon"]) == (7.0, 3.0, 1e-4)


def test_import_sets_every_control_and_the_document_comes_back():
    state = dict(design.DEFAULTS)
    design.import_into(state, json.dumps(EXAMPLE))
    assert state["base_lr"] == 0.0123 and state["granularity"] == "epoch" and state["steps_per_epoch"] == 250
    assert isinstance(state["total_epochs"], float)  # number inputs refuse mixed int/float
    assert schedules.from_config(design.document(state)) == schedules.from_config(EXAMPLE)


@pytest.mark.parametrize(
    "text",
    [
        b"not json",
        json.dumps({**EXAMPLE, "version": 2}),
        '{"format": NaN}',
        b" " * 5_000_000,
        json.dumps([EXAMPLE]),
        b"\xff",
    ],
)
def test_a_bad_import_raises_and_changes_nothing(text):
    state = dict(design.DEFAULTS)
    with pytest.raises(ConfigError):
        design.import_into(state, text)
    assert state == design.DEFAULTS


def test_log_grid_keeps_imported_values_exact():
    options = design.options_with(design.log_grid(-3, 0), 0.0123)
    assert 0.0123 in options and options == sorted(options)
    assert design.log_grid(-2, -1) == [0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1]


@given(extreme_documents())
@settings(max_examples=300, deadline=None)
def test_every_valid_document_survives_the_controls_exactly(doc):
    s = schedules.from_config(doc)
    values = design.DEFAULTS | design.controls(s)
    assert schedules.from_config(design.document(values)).to_config() == s.to_config()


def test_milestones_keep_every_digit():
    doc = schedules.make_document(
        {"kind": "multistep", "base_lr": 0.1, "total_epochs": 2.0, "milestones_epochs": [1.234567], "gamma": 0.5},
        1_000_000,
    )
    values = design.controls(schedules.from_config(doc))
    assert values["milestones_epochs"] == "1.234567"
    assert design.document(design.DEFAULTS | values)["schedule"]["milestones_epochs"] == [1.234567]
