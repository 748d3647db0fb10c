"""The Designer's link: the schedule and its view settings, and back; tampered values are named."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules import ConfigError
from studio import links, presets, share

VIEW = {
    "baseline_scaled": False,
    "baseline_drop": 0.25,
    "baseline_epochs_per_drop": 12.5,
    "log_scale": True,
    "overlay": False,
}


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_and_a_view_round_trip(name):
    schedule = presets.preset(name)
    assert links.from_link(links.to_link(schedule, VIEW)) == (schedule, VIEW)


@given(
    drop=st.floats(min_value=1e-6, max_value=1.0),
    period=st.floats(min_value=1e-3, max_value=1e4),
    log_scale=st.booleans(),
    overlay=st.booleans(),
)
def test_any_valid_view_round_trips(drop, period, log_scale, overlay):
    view = {"baseline_drop": drop, "baseline_epochs_per_drop": period, "log_scale": log_scale, "overlay": overlay}
    view["baseline_scaled"] = False
    schedule = presets.preset("1cycle")
    assert links.from_link(links.to_link(schedule, view))[1] == view


def test_the_scaled_baseline_leaves_its_drop_and_period_out_of_the_link():
    params = links.to_link(presets.preset("1cycle"), VIEW | {"baseline_scaled": True})
    assert not any(key.startswith("studio.baseline") for key in params)
    assert links.from_link(params)[1] == {"baseline_scaled": True, "log_scale": True, "overlay": False}


def test_an_older_link_keeps_its_explicit_baseline():
    older = share.to_query(presets.preset("1cycle")) | {
        "studio.baseline_drop": "0.1",
        "studio.baseline_epochs_per_drop": "30.0",
        "studio.log_scale": "false",
        "studio.overlay": "false",
    }
    view = links.from_link(older)[1]
    assert (view["baseline_scaled"], view["baseline_drop"], view["baseline_epochs_per_drop"]) == (False, 0.1, 30.0)


def test_an_older_link_without_view_settings_still_opens():
    schedule = presets.preset("SGDR warm restarts")
    assert links.from_link(share.to_query(schedule)) == (schedule, {})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"studio.baseline_drop": "0"}, "studio.baseline_drop"),
        ({"studio.baseline_epochs_per_drop": "soon"}, "studio.baseline_epochs_per_drop"),
        ({"studio.log_scale": "yes"}, "studio.log_scale"),
        ({"studio.theme": "dark"}, "studio"),
        ({"studio.overlay": "x" * 500}, "studio.overlay"),
    ],
)
def test_a_tampered_view_setting_is_named(change, field):
    params = links.to_link(presets.preset("1cycle"), VIEW) | change
    with pytest.raises(ConfigError) as raised:
        links.from_link(params)
    assert raised.value.field == field


@pytest.mark.parametrize(("missing", "field"), [("kind", "schedule.kind"), ("steps_per_epoch", "steps_per_epoch")])
def test_a_missing_required_field_is_named_as_required(missing, field):
    params = links.to_link(presets.preset("1cycle"), VIEW)
    del params[missing]
    with pytest.raises(ConfigError) as raised:
        links.from_link(params)
    assert raised.value.field == field and raised.value.rule == "is required"


def test_an_overlong_value_is_named_by_its_whole_path():
    params = links.to_link(presets.preset("1cycle"), VIEW) | {"base_lr": "1" * 500}
    with pytest.raises(ConfigError) as raised:
        links.from_link(params)
    assert raised.value.field == "schedule.base_lr"  # share.from_query alone says "base_lr"


@pytest.mark.parametrize("unit", ["steps", "samples", "tokens"])
def test_the_x_axis_unit_round_trips(unit):
    view = VIEW | {"x_unit": unit}
    params = links.to_link(presets.preset("1cycle"), view)
    assert params["studio.x_unit"] == unit and links.from_link(params)[1] == view


def test_the_default_epoch_axis_stays_out_of_the_link():
    params = links.to_link(presets.preset("1cycle"), VIEW | {"x_unit": "epochs"})
    assert "studio.x_unit" not in params and links.from_link(params)[1] == VIEW


def test_a_tampered_x_axis_unit_is_named():
    params = links.to_link(presets.preset("1cycle"), VIEW) | {"studio.x_unit": "parsecs"}
    with pytest.raises(ConfigError) as raised:
        links.from_link(params)
    assert str(raised.value) == 'studio.x_unit: must be one of "epochs", "steps", "samples", "tokens", got \'parsecs\''
