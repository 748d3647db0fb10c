"""Controls are chosen from the field rules; each kind starts from its own values."""

import pytest

import schedules
from schedules import COMMON_FIELDS, KINDS
from studio import controls, design


def by_key(items):
    return {item.key: item for item in items}


def test_common_controls_cover_every_common_field_and_the_documents_settings():
    made = by_key(controls.common_controls("cosine", design.DEFAULTS))
    assert set(made) == {field.name for field in COMMON_FIELDS} | {"steps_per_epoch", "granularity"}
    assert {key: item.widget for key, item in made.items()} == {
        "base_lr": "select_slider",
        "total_epochs": "number_input",
        "warmup_epochs": "slider",
        "hold_epochs": "slider",
        "epsilon": "select_slider",
        "warmup_start_lr": "number_input",
        "warmup_shape": "radio",
        "steps_per_epoch": "number_input",
        "granularity": "radio",
    }
    assert made["warmup_epochs"].options["max_value"] == 100.0
    assert 0.0 in made["epsilon"].options["options"] and 0.0 not in made["base_lr"].options["options"]


def test_a_value_off_the_grid_is_among_the_options():
    made = by_key(controls.common_controls("cosine", design.DEFAULTS | {"base_lr": 0.0123}))
    assert 0.0123 in made["base_lr"].options["options"]


def test_fields_a_kind_does_not_take_are_disabled():
    made = by_key(controls.common_controls("one_cycle", design.DEFAULTS))
    assert {key for key, item in made.items() if item.options.get("disabled")} == {
        "warmup_epochs",
        "warmup_start_lr",
        "warmup_shape",
        "hold_epochs",
        "epsilon",
    }


def test_advanced_controls_come_in_their_order():
    shown, advanced = controls.split(controls.common_controls("cosine", design.DEFAULTS))
    assert [item.key for item in advanced] == list(controls.ADVANCED)
    # the steps per epoch decide every step count: in sight, by the total
    assert [item.key for item in shown] == [
        "base_lr",
        "total_epochs",
        "steps_per_epoch",
        "warmup_epochs",
        "hold_epochs",
        "epsilon",
    ]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_field_gets_a_control_by_its_rule(kind):
    for item, field in zip(controls.kind_controls(kind, design.DEFAULTS), KINDS[kind].fields, strict=True):
        expected = {
            "Choice": "radio" if len(getattr(field.rule, "options", ())) <= 3 else "selectbox",
            "Flag": "checkbox",
            "NumberList": "text_input",
            "Number": "number_input",
        }[type(field.rule).__name__]
        assert (item.key, item.widget) == (field.name, expected)


def test_the_baseline_controls_are_the_step_kinds_fields_prefixed():
    assert list(by_key(controls.baseline_controls(design.DEFAULTS))) == ["baseline_scaled"]
    made = by_key(controls.baseline_controls(design.DEFAULTS | {"baseline_scaled": False}))
    assert list(made) == ["baseline_scaled", "baseline_drop", "baseline_epochs_per_drop"]
    assert made["baseline_drop"].options["max_value"] == 1.0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kinds_starting_values_make_a_valid_document(kind):
    values = design.DEFAULTS | {"kind": kind} | controls.starting_values(kind)
    schedules.from_config(design.document(values))


def test_starting_values_are_the_kinds_own_not_a_namesakes():
    assert controls.starting_values("cyclic")["gamma"] == 1.0  # multi-step's gamma is 0.1
    assert controls.starting_values("inverse_time")["decay_rate"] == 1.0  # exponential's is 0.5
