"""The Train page's past runs, run headless by AppTest on run folders the demo's way: three runs
overlaid, one opened in Verify and in the Designer, one deleted after a confirmation."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT, plain
from tests.studio.test_past_runs import forge_run

RUNS = ("20260101-000000-cosine", "20260101-000100-1cycle", "20260101-000200-cosine-2")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    forge_run(tmp_path, RUNS[0], seed=0)
    forge_run(tmp_path, RUNS[1], preset="1cycle", seed=1)
    forge_run(tmp_path, RUNS[2], seed=2)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    return at.switch_page("pages/train.py").run()


def chart(at: AppTest, key: str) -> dict:
    (found,) = [
        element for element in at.get("plotly_chart") if element.proto.id.endswith(key) or key in str(element.proto)
    ]
    return json.loads(found.proto.spec)


def titles(at: AppTest) -> list[str]:
    return [json.loads(element.proto.spec)["layout"]["title"]["text"] for element in at.get("plotly_chart")]


def test_three_past_runs_overlay_with_legends_by_schedule(app):
    assert not app.exception
    assert app.multiselect(key="past_selected").value == [RUNS[2]]  # the newest, until the user picks
    app.multiselect(key="past_selected").set_value(list(RUNS)).run()
    assert not app.exception and not app.warning
    specs = [json.loads(element.proto.spec) for element in app.get("plotly_chart")]
    lr = next(spec for spec in specs if spec["layout"]["title"]["text"] == "Learning rate")
    assert [trace["name"] for trace in lr["data"]] == [
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 0",
        "1cycle, lr 0.1 · Adam · seed 1",
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 2",
    ]
    assert lr["layout"]["xaxis"]["title"]["text"] == "epoch"
    app.radio(key="past_x_unit").set_value("steps")
    app.slider(key="past_smoothing").set_value(0.5).run()
    assert {"Loss, smoothed (0.5)", "Validation accuracy, smoothed (0.5)"} <= set(titles(app))
    specs = [json.loads(element.proto.spec) for element in app.get("plotly_chart")]
    assert all(spec["layout"]["xaxis"]["title"]["text"] == "step" for spec in specs)


def test_a_run_opens_in_verify_against_its_own_design(app):
    app.selectbox(key="past_run").set_value(RUNS[1])
    app.button(key="past_verify").click().run()
    assert not app.exception
    captions = [plain(caption.value) for caption in app.caption]
    assert f"The run {RUNS[1]} from the Train page. Upload files to check another log." in captions
    assert app.radio(key="verify_source").value == "The run's own design (run.json)"
    assert not app.error


def test_a_runs_design_opens_in_the_designer(app):
    app.selectbox(key="past_run").set_value(RUNS[1])
    app.button(key="past_designer").click().run()
    assert not app.exception
    assert app.session_state["kind"] == "one_cycle"


def test_delete_asks_first_and_cancel_keeps_the_run(app, tmp_path):
    app.selectbox(key="past_run").set_value(RUNS[0])
    app.button(key="past_delete").click().run()
    (question,) = app.warning
    assert plain(question.value) == f"Delete the run {RUNS[0]} and all its logs? This cannot be undone."
    app.button(key="past_delete_cancel").click().run()
    assert not app.warning and (tmp_path / RUNS[0]).is_dir()
    app.button(key="past_delete").click().run()
    app.button(key="past_delete_confirm").click().run()
    assert not (tmp_path / RUNS[0]).exists()
    assert [plain(s.value) for s in app.success] == [f"Deleted the run {RUNS[0]} and its logs."]
    assert RUNS[0] not in app.multiselect(key="past_selected").options
