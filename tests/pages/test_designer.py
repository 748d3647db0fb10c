"""The designer page, run headless by Streamlit's AppTest."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from streamlit.testing.v1 import AppTest

import schedules
from studio import design, links, presets, share
from tests.pages.conftest import PAGES, ROOT, plain, traces
from tests.strategies import extreme_documents


@pytest.mark.parametrize("script", ["app.py", *PAGES])
def test_every_page_runs_without_exception(script):
    at = AppTest.from_file(str(ROOT / script), default_timeout=60).run()
    assert not at.exception
    assert at.title, "every page has a title"


def test_default_page_draws_designed_and_baseline_curves(app):
    designed, baseline = traces(app)
    assert designed[0]["name"] == "Cosine decay" and baseline[0]["name"] == "Step-decay baseline"
    expected = schedules.from_config(design.document(design.DEFAULTS)).lr(designed[0]["customdata"])
    np.testing.assert_allclose(designed[0]["y"], expected)
    assert not app.error


@pytest.mark.parametrize(
    ("widget", "key", "value", "chart"),
    [
        ("select_slider", "base_lr", 0.05, 0),
        ("number_input", "total_epochs", 60.0, 0),
        ("slider", "warmup_epochs", 20.0, 0),
        ("slider", "hold_epochs", 30.0, 0),
        ("select_slider", "epsilon", 0.001, 0),
        ("number_input", "steps_per_epoch", 7, 0),
        ("number_input", "warmup_start_lr", 0.002, 0),
        ("radio", "granularity", "epoch", 0),
        ("radio", "warmup_shape", "log", 0),
        ("selectbox", "kind", "constant", 0),
        ("toggle", "baseline_scaled", False, 1),
    ],
)
def test_each_control_redraws_its_curve(app, widget, key, value, chart):
    before = traces(app)[chart][0]
    getattr(app, widget)(key=key).set_value(value).run()
    assert not app.exception and not app.error
    after = traces(app)[chart][0]
    changed = (
        len(after["y"]) != len(before["y"])
        or not np.array_equal(after["y"], before["y"])
        or not np.array_equal(after["x"], before["x"])
    )
    assert changed, f"{key} = {value} did not change the plotted curve"
    assert app.session_state["schedule_document"] == design.document({k: app.session_state[k] for k in design.DEFAULTS})


@pytest.mark.parametrize(("key", "value"), [("baseline_drop", 0.5), ("baseline_epochs_per_drop", 10.0)])
def test_a_users_own_baseline_redraws_with_its_drop_and_period(app, key, value):
    app.toggle(key="baseline_scaled").set_value(False).run()
    before = traces(app)[1][0]["y"]
    app.number_input(key=key).set_value(value).run()
    assert not app.exception and not app.error
    assert not np.array_equal(traces(app)[1][0]["y"], before)
    assert app.session_state["baseline_document"]["schedule"][key.removeprefix("baseline_")] == value


@pytest.mark.parametrize("preset", ["1cycle", "ResNet step decay (×0.1 at 30/60/80)"])
def test_the_default_baseline_drops_twice_beside_any_preset(app, preset):
    app.selectbox(key="preset").set_value(preset).run()
    baseline = schedules.from_config(app.session_state["baseline_document"])
    designed = schedules.from_config(app.session_state["schedule_document"])
    thirds = [designed.total_steps // 3, 2 * designed.total_steps // 3]
    assert baseline.turning_steps().tolist() == thirds and baseline.peak_lr == designed.peak_lr
    stats = app.table[0].value["Step-decay baseline"]
    assert stats["Steps until lr ≤ 10% of peak"] == f"{thirds[0]:,}"
    (caption,) = [plain(c.value) for c in app.caption if plain(c.value).startswith("×0.1 at epochs")]
    assert "one third and two thirds of the decay" in caption


def test_the_preset_select_says_when_the_design_has_left_the_preset(app):
    app.selectbox(key="preset").set_value("ResNet step decay (×0.1 at 30/60/80)").run()
    assert not [c for c in app.caption if "no longer the preset" in c.value]
    app.selectbox(key="kind").set_value("cosine").run()
    (note,) = [plain(c.value) for c in app.caption if "no longer the preset" in plain(c.value)]
    assert note == 'Changed since chosen: no longer the preset "ResNet step decay (×0.1 at 30/60/80)".'


def test_the_steps_per_epoch_are_in_sight_not_in_a_collapsed_section(app):
    assert app.number_input(key="steps_per_epoch").value == 100
    for expander in app.expander:
        assert "steps_per_epoch" not in [widget.key for widget in expander.number_input]


def test_log_scale_and_overlay_toggles(app):
    app.toggle(key="log_scale").set_value(True).run()
    assert all(json.loads(c.proto.spec)["layout"]["yaxis"]["type"] == "log" for c in app.get("plotly_chart"))
    app.toggle(key="overlay").set_value(True).run()
    (overlay,) = traces(app)
    assert [trace["name"] for trace in overlay] == ["Cosine decay", "Step-decay baseline"]


def test_invalid_combination_shows_one_sentence_and_keeps_the_last_curve(app):
    app.slider(key="warmup_epochs").set_value(50.0).run()
    good = traces(app)[0][0]
    app.slider(key="hold_epochs").set_value(60.0).run()
    assert len(app.error) == 1
    assert "schedule.hold_epochs: warmup_epochs + hold_epochs (110) must not exceed total_epochs (100)" in plain(
        app.error[0].value
    )
    np.testing.assert_array_equal(traces(app)[0][0]["y"], good["y"])
    assert app.session_state["schedule_document"]["schedule"]["hold_epochs"] == 10.0
    assert not app.exception


def test_export_serves_the_current_document(app):
    app.select_slider(key="base_lr").set_value(0.003).run()
    button, csv_button = app.get("download_button")
    assert button.proto.label == "Export JSON" and button.proto.url.endswith(".json")
    assert csv_button.proto.label == "Curve as CSV"
    exported = schedules.from_config(app.session_state["schedule_document"])
    assert exported.params["base_lr"] == 0.003
    assert schedules.loads(schedules.dumps(exported)) == exported


def test_imported_controls_are_restored_and_drawn():
    text = json.dumps(
        {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": 50,
            "granularity": "step",
            "schedule": {
                "kind": "cosine",
                "base_lr": 0.0123,
                "total_epochs": 30,
                "warmup_epochs": 2.5,
                "hold_epochs": 4,
                "epsilon": 1e-5,
            },
        }
    )
    state = dict(design.DEFAULTS)
    design.import_into(state, text)  # what the uploader's callback does, before the page reruns
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception and not app.error
    assert app.select_slider(key="base_lr").value == 0.0123  # off the log grid, kept exact
    assert app.slider(key="warmup_epochs").value == 2.5
    assert app.number_input(key="steps_per_epoch").value == 50
    assert traces(app)[0][0]["customdata"][-1] == 30 * 50 - 1
    assert schedules.from_config(app.session_state["schedule_document"]) == schedules.loads(text)


def test_a_million_steps_stay_within_the_point_budget(app):
    app.number_input(key="steps_per_epoch").set_value(10_000).run()
    assert app.session_state["schedule_document"]["steps_per_epoch"] * 100 == 10**6
    for chart in traces(app):
        assert all(len(trace["y"]) <= 4000 for trace in chart)
    designed = traces(app)[0][0]
    for boundary in (5 * 10_000, 15 * 10_000):  # end of warm-up, end of hold
        assert boundary in designed["customdata"]


def test_settings_survive_a_visit_to_another_page(app):
    app.slider(key="warmup_epochs").set_value(12.0).run()
    app.switch_page("pages/reference.py").run()
    assert not app.exception
    app.switch_page("pages/designer.py").run()
    assert app.slider(key="warmup_epochs").value == 12.0
    assert app.session_state["schedule_document"]["schedule"]["warmup_epochs"] == 12.0


def test_designer_never_imports_tensorflow():
    probe = textwrap.dedent(
        f"""
        import sys
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=60).run()
        assert not at.exception
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras")))
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", sorted(schedules.KINDS))
def test_every_kind_draws_from_its_starting_values(app, kind):
    app.selectbox(key="kind").set_value(kind).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    designed = traces(app)[0][0]
    assert designed["name"] == schedules.KINDS[kind].title
    expected = schedules.from_config(app.session_state["schedule_document"]).lr(designed["customdata"])
    np.testing.assert_allclose(designed["y"], expected)


def test_multistep_milestones_are_typed_as_a_list(app):
    app.selectbox(key="kind").set_value("multistep").run()
    app.text_input(key="milestones_epochs").input("20, 50").run()
    assert app.session_state["schedule_document"]["schedule"]["milestones_epochs"] == [20.0, 50.0]
    app.text_input(key="milestones_epochs").input("50, 20").run()
    (error,) = app.error
    assert plain(error.value).startswith("schedule.milestones_epochs: must be a non-empty, strictly ascending list")


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_each_preset_fills_the_controls_and_draws(app, name):
    app.selectbox(key="preset").set_value(name).run()
    assert not app.exception and not app.error
    assert schedules.from_config(app.session_state["schedule_document"]) == presets.preset(name)
    assert traces(app)[0][0]["name"] == presets.preset(name).kind.title


def test_a_share_link_reopens_its_schedule():
    schedule = presets.preset("SGDR warm restarts")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in share.to_query(schedule).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not app.warning
    assert schedules.from_config(app.session_state["schedule_document"]) == schedule
    assert app.selectbox(key="kind").value == "cosine_restarts"


def test_the_address_bar_follows_the_controls(app):
    app.slider(key="warmup_epochs").set_value(7.0).run()
    assert app.query_params["warmup_epochs"] == "7.0"
    schedule, view = links.from_link(app.query_params)
    assert schedule == schedules.from_config(app.session_state["schedule_document"])
    assert view == {"baseline_scaled": True, "log_scale": False, "overlay": False}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "cosine", "base_lr": "lots", "total_epochs": "10", "steps_per_epoch": "10"}, "schedule.base_lr"),
        ({"kind": "rm -rf", "steps_per_epoch": "10"}, "schedule.kind"),
        (
            {"kind": "cosine", "base_lr": "0.1", "total_epochs": "10", "steps_per_epoch": "10", "evil": "1"},
            "schedule.evil",
        ),
        ({"kind": "cosine", "base_lr": "nan", "total_epochs": "10", "steps_per_epoch": "10"}, "schedule.base_lr"),
    ],
)
def test_a_tampered_link_falls_back_to_the_defaults_with_a_warning(params, field):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    (warning,) = app.warning
    assert field in plain(warning.value) and "showing the defaults" in plain(warning.value)
    assert app.session_state["schedule_document"] == design.document(design.DEFAULTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_documents())
def test_any_valid_document_survives_the_page_itself(doc):
    """Link → the Designer's real widgets → document: the identity, for extreme but valid documents
    (steps per epoch up to 10⁹, lrs from 1e-30 to 1e30, runs), nothing reset or rounded by a widget."""
    schedule = schedules.from_config(doc)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in share.to_query(schedule).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not app.warning, [w.value for w in app.warning]
    assert schedules.from_config(app.session_state["schedule_document"]).to_config() == schedule.to_config()
