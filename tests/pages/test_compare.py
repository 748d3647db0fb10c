"""The Compare page, run headless by AppTest."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from schedules import from_config
from studio import compare
from studio.presets import PRESETS
from tests.pages.conftest import ROOT, plain, traces


@pytest.fixture
def page():
    return AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=60).run()


def test_starts_with_the_designers_schedule_and_its_baseline(page):
    assert not page.exception and not page.error
    (overlay,) = traces(page)[:1]
    assert [trace["name"] for trace in overlay] == ["Designer", "Step-decay baseline"]
    assert [plain(name) for name in page.table[0].value.columns] == ["Designer", "Step-decay baseline"]


def test_add_up_to_six_then_remove_down_to_two(page):
    for name in list(PRESETS)[:4]:
        page.selectbox(key="compare_source").set_value(name)
        page.button(key="compare_add").click().run()
    assert len(traces(page)[0]) == 6 and page.button(key="compare_add").disabled
    ids = [item["id"] for item in page.session_state["compare_items"]]
    for uid in ids[:4]:
        page.button(key=f"compare_remove_{uid}").click().run()
    assert len(traces(page)[0]) == 2
    assert all(button.disabled for button in page.button if button.key.startswith("compare_remove_"))


def test_small_multiples_draw_one_chart_per_schedule(page):
    page.toggle(key="compare_multiples").set_value(True).run()
    assert len([chart for chart in traces(page) if len(chart) == 1]) >= 2


def layouts(page) -> list[dict]:
    return [json.loads(chart.proto.spec)["layout"] for chart in page.get("plotly_chart")]


def test_small_multiples_share_the_x_axis_and_scale_each_lr_axis(page):
    page.selectbox(key="compare_source").set_value("Warm-up–stable–decay (WSD)").run()  # 3e-4 beside 0.01
    page.button(key="compare_add").click().run()
    page.toggle(key="compare_multiples").set_value(True).run()
    by_title = {layout["title"]["text"]: layout for layout in layouts(page)}
    designer, wsd = by_title["Designer"], by_title["Warm-up–stable–decay (WSD)"]
    assert designer["xaxis"]["range"] == wsd["xaxis"]["range"]
    assert wsd["yaxis"]["range"][1] == pytest.approx(3e-4 * 1.05, rel=0.05)  # its own peak, not 0.01's
    assert designer["yaxis"]["range"][1] == pytest.approx(0.01 * 1.05, rel=0.05)


def test_the_x_axis_can_count_steps(page):
    page.selectbox(key="compare_x_unit").set_value("steps").run()
    (overlay,) = traces(page)[:1]
    assert layouts(page)[0]["xaxis"]["title"]["text"] == "step"
    assert overlay[0]["x"][-1] == 100 * 100 - 1  # the Designer's 100 epochs of 100 steps


def test_a_bad_edit_shows_one_error_beside_the_text_it_keeps(page):
    uid = page.session_state["compare_items"][0]["id"]
    before = page.session_state["compare_items"][0]["document"]
    bad = '{"format": "lr-schedule", "version": 2}'
    page.text_area(key=f"compare_doc_{uid}").input(bad).run()
    (error,) = page.error
    assert "version: must be 1, got 2" in plain(error.value)
    assert page.session_state["compare_items"][0]["document"] == before  # the chart keeps the last valid one
    assert page.text_area(key=f"compare_doc_{uid}").value == bad  # the typed text stays, to be fixed
    page.run()  # and stays on the next rerun
    assert page.text_area(key=f"compare_doc_{uid}").value == bad and len(page.error) == 1


def test_a_good_edit_redraws(page):
    uid = page.session_state["compare_items"][0]["id"]
    page.text_area(key=f"compare_doc_{uid}").input(json.dumps(PRESETS["1cycle"])).run()
    assert not page.error
    assert page.session_state["compare_items"][0]["document"]["schedule"]["kind"] == "one_cycle"


def test_difference_between_any_two(page):
    page.selectbox(key="compare_second").set_value("Designer").run()
    diff = traces(page)[-1][0]
    assert diff["name"] == "Designer − Designer" and not diff["y"].any()


def test_the_exported_set_reads_back(page):
    items = [compare.Named(item["name"], from_config(item["document"])) for item in page.session_state["compare_items"]]
    assert [entry.name for entry in compare.load_set(compare.dump_set(items))] == ["Designer", "Step-decay baseline"]
    assert page.get("download_button")[0].proto.label == "Export set"
