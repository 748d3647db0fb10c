"""What a first-time user trips over, checked on the pages themselves (AppTest)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from schedules.document import MAX_TEXT_BYTES
from studio import design, links, presets, share
from tests.pages.conftest import ROOT, plain, traces


def element_order(at: AppTest) -> list[tuple[str, str | None]]:
    """(type, key) of every element in the order the page draws them."""
    found = []

    def walk(node):
        found.append((getattr(node, "type", None), getattr(node, "key", None)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def test_step_decay_designed_beside_the_step_baseline_keeps_two_names(app):
    app.selectbox(key="kind").set_value("step").run()
    assert not app.exception and not app.error
    designed, baseline = traces(app)
    assert designed[0]["name"] == "Step decay" and baseline[0]["name"] == "Step-decay baseline"
    app.toggle(key="overlay").set_value(True).run()
    assert chart_titles(app) == ["Step decay vs Step-decay baseline"]
    assert list(app.table[0].value.columns) == ["Step decay", "Step-decay baseline"]


def test_an_invalid_setting_is_shown_above_the_chart_marked_as_the_last_valid(app):
    app.slider(key="warmup_epochs").set_value(100.0).run()
    (error,) = app.error
    assert "warmup_epochs + hold_epochs (110) must not exceed total_epochs (100)" in plain(error.value)
    order = element_order(app)
    assert order.index(("error", None)) < order.index(("plotly_chart", "chart_designed"))
    assert order.index(("error", None)) < order.index(("slider", "warmup_epochs"))  # above the controls too
    assert all(title.endswith("last valid schedule") for title in chart_titles(app))
    assert app.session_state["schedule_document"]["schedule"]["warmup_epochs"] == 5.0
    app.slider(key="warmup_epochs").set_value(6.0).run()
    assert not app.error and not any("last valid" in title for title in chart_titles(app))


@pytest.mark.parametrize(
    ("first", "then", "field", "expected"),
    [("multistep", "cyclic", "gamma", 1.0), ("inverse_time", "exponential", "decay_rate", 0.5)],
)
def test_each_kind_starts_from_its_own_defaults(app, first, then, field, expected):
    app.selectbox(key="kind").set_value(first).run()
    app.selectbox(key="kind").set_value(then).run()
    assert app.session_state[field] == expected
    assert app.session_state["schedule_document"]["schedule"][field] == expected


def test_common_controls_keep_their_keys_and_kinds():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for widget, key in [
        ("select_slider", "base_lr"),
        ("number_input", "total_epochs"),
        ("slider", "warmup_epochs"),
        ("slider", "hold_epochs"),
        ("select_slider", "epsilon"),
        ("number_input", "warmup_start_lr"),
        ("radio", "warmup_shape"),
        ("number_input", "steps_per_epoch"),
        ("radio", "granularity"),
        ("toggle", "baseline_scaled"),
    ]:
        assert getattr(at, widget)(key=key).value == design.DEFAULTS[key]


def test_the_link_carries_the_baseline_log_scale_and_overlay(app):
    app.toggle(key="baseline_scaled").set_value(False).run()
    app.number_input(key="baseline_drop").set_value(0.5).run()
    app.toggle(key="log_scale").set_value(True).run()
    app.toggle(key="overlay").set_value(True).run()
    params = {key: value[-1] if isinstance(value, list) else value for key, value in app.query_params.items()}
    assert params["studio.baseline_drop"] == "0.5" and params["studio.log_scale"] == "true"
    reopened = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        reopened.query_params[key] = value
    reopened.run()
    assert not reopened.exception and not reopened.warning
    assert not reopened.toggle(key="baseline_scaled").value and reopened.number_input(key="baseline_drop").value == 0.5
    assert reopened.toggle(key="log_scale").value and reopened.toggle(key="overlay").value
    assert len(reopened.get("plotly_chart")) == 1  # overlaid


def test_an_older_link_keeps_its_explicit_baseline():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    older = share.to_query(presets.preset("1cycle")) | {
        "studio.baseline_drop": "0.1",
        "studio.baseline_epochs_per_drop": "30.0",
        "studio.log_scale": "false",
        "studio.overlay": "false",
    }
    for key, value in older.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.warning
    assert not at.toggle(key="baseline_scaled").value
    fields = at.session_state["baseline_document"]["schedule"]
    assert (fields["kind"], fields["drop"], fields["epochs_per_drop"]) == ("step", 0.1, 30.0)


def test_a_bad_view_setting_in_a_link_is_named():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in links.to_link(presets.preset("1cycle"), design.DEFAULTS).items():
        at.query_params[key] = value
    at.query_params["studio.baseline_drop"] = "3"
    at.run()
    (warning,) = at.warning
    assert "studio.baseline_drop: must be a number in (0, 1], got 3" in plain(warning.value)


def test_a_link_without_steps_per_epoch_names_that_field():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"kind": "cosine", "base_lr": "0.1", "total_epochs": "10"}.items():
        at.query_params[key] = value
    at.run()
    (warning,) = at.warning
    assert "steps_per_epoch: is required)" in plain(warning.value)


def test_the_uploader_limit_is_the_engines(app):
    (uploader,) = app.get("file_uploader")
    assert uploader.proto.max_upload_size_mb * 2**20 >= MAX_TEXT_BYTES > (uploader.proto.max_upload_size_mb - 1) * 2**20
    assert f"{MAX_TEXT_BYTES:,} bytes" in uploader.proto.help


def test_compare_follows_the_designers_current_schedule(app):
    app.switch_page("pages/compare.py").run()
    first = app.session_state["compare_items"][0]
    assert first["name"] == "Designer" and first["document"]["schedule"]["base_lr"] == 0.01
    app.switch_page("pages/designer.py").run()
    app.select_slider(key="base_lr").set_value(0.05).run()
    app.toggle(key="baseline_scaled").set_value(False).run()
    app.number_input(key="baseline_drop").set_value(0.5).run()
    app.switch_page("pages/compare.py").run()
    designer, baseline = app.session_state["compare_items"]
    assert designer["document"]["schedule"]["base_lr"] == 0.05
    assert baseline["document"]["schedule"]["drop"] == 0.5
    uid = designer["id"]
    assert json.loads(app.text_area(key=f"compare_doc_{uid}").value)["schedule"]["base_lr"] == 0.05
    assert [trace["y"].max() for trace in traces(app)[0]] == [0.05, 0.05]


def test_compare_in_a_fresh_session_shows_the_designers_default_baseline():
    page = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=60).run()
    baseline = page.session_state["compare_items"][1]["document"]
    assert baseline == design.baseline_document(design.DEFAULTS)
    assert (baseline["schedule"]["milestones_epochs"], baseline["schedule"]["gamma"]) == ([28.33, 56.67], 0.1)


def test_an_edited_designer_entry_stops_following(app):
    app.switch_page("pages/compare.py").run()
    uid = app.session_state["compare_items"][0]["id"]
    app.text_area(key=f"compare_doc_{uid}").input(json.dumps(presets.PRESETS["1cycle"])).run()
    app.switch_page("pages/designer.py").run()
    app.select_slider(key="base_lr").set_value(0.05).run()
    app.switch_page("pages/compare.py").run()
    assert app.session_state["compare_items"][0]["document"]["schedule"]["kind"] == "one_cycle"


def test_train_defaults_to_the_schedules_own_epochs(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/train.py").run()
    assert at.number_input(key="train_epochs").value == 100
    assert any("the schedule's own 100 epochs" in caption.value for caption in at.caption)
    at.switch_page("pages/designer.py").run()
    at.selectbox(key="preset").set_value("1cycle").run()  # 30 epochs
    at.switch_page("pages/train.py").run()
    assert at.number_input(key="train_epochs").value == 30
    at.number_input(key="train_epochs").set_value(10).run()
    assert any("10 of the schedule's 30 epochs" in caption.value for caption in at.caption)
