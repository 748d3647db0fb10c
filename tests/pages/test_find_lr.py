"""The Find the lr page, run headless by AppTest: a real range test with its suggestions, Check it,
Use as base lr reaching the Designer, and a range test from the PyTorch API imported."""

import json
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from schedules import range_test as rt
from tests.pages.conftest import ROOT, plain

pytestmark = pytest.mark.slow


def find_page(runs_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("RUNS_DIR", str(runs_dir))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    return app.switch_page("pages/find_lr.py").run()


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def run_until(at: AppTest, done, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(1)  # each rerun redraws the page; a training step takes longer
    raise AssertionError(f"timed out; charts: {chart_titles(at)}, errors: {[e.value for e in at.error]}")


def test_a_range_test_suggests_checks_and_sets_the_designers_base_lr(tmp_path, monkeypatch):
    at = find_page(tmp_path, monkeypatch)
    assert not at.exception
    at.select_slider(key="find_steps").set_value(100)
    at.number_input(key="find_seeds").set_value(2)
    at.button(key="find_start").click().run()
    run_until(at, lambda at: "Loss against learning rate" in chart_titles(at))

    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Loss against" in c.proto.spec]
    assert chart["layout"]["xaxis"]["type"] == "log"
    names = [trace["name"] for trace in chart["data"]]
    assert {"seed 0: loss", "seed 0: smoothed", "seed 1: loss", "seed 1: smoothed"} <= set(names)
    marked = {trace["name"] for trace in chart["data"] if trace.get("mode") == "markers+text"}
    assert marked and marked <= set(rt.TITLES.values())
    (table,) = at.table
    assert list(table.value.index) == list(rt.TITLES.values())
    assert all(caption.value.startswith("seed") for caption in at.caption if "seed " in caption.value[:6])

    at.button(key="find_check").click().run()
    run_until(at, lambda at: any("validation loss" in plain(info.value) for info in at.info), timeout=400)
    check_table = at.table[1].value
    assert list(check_table.index) == ["suggestion ÷ 3", "suggestion", "suggestion × 3"]
    assert "Check it: training loss at each step" in chart_titles(at)

    chosen = at.radio(key="find_choice").value
    at.button(key="find_use").click().run()
    (success,) = at.success
    assert plain(success.value).startswith("Base lr set to") and rt.TITLES[chosen] in plain(success.value)
    lr = at.session_state["base_lr"]
    designer = at.switch_page("pages/designer.py").run()
    assert not designer.exception
    assert designer.select_slider(key="base_lr").value == lr
    assert designer.session_state["schedule_document"]["schedule"]["base_lr"] == lr


def test_a_range_test_from_the_pytorch_api_shows_as_the_pages_own(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    from frameworks.torch import lr_range_test  # noqa: PLC0415

    torch.manual_seed(0)
    inputs, labels = torch.randn(256, 6), torch.randint(0, 3, (256,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(inputs, labels), batch_size=32)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    path = tmp_path / "my-range-test.json"
    result = lr_range_test(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        loader,
        torch.nn.functional.cross_entropy,
        steps=80,
        seeds=[0, 1, 2],
        path=path,
    )

    at = find_page(tmp_path / "runs", monkeypatch)
    at.file_uploader(key="find_file_0").set_value(("my-range-test.json", path.read_bytes(), "application/json"))
    at.run()
    assert not at.exception and not at.error
    assert any("Imported my-range-test.json (from torch)" in plain(m.value) for m in at.markdown)
    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    smoothed = [t for t in chart["data"] if t["name"] == "seed 0: smoothed"][0]
    assert len(smoothed["x"]) == result.lrs.size or isinstance(smoothed["x"], dict)
    shown = list(at.table[0].value["lr"])
    from studio.find_lr import lr_text  # noqa: PLC0415

    assert shown == [lr_text(result.spreads[name].lr) for name in rt.SUGGESTIONS]


def test_a_broken_file_is_one_sentence(tmp_path, monkeypatch):
    at = find_page(tmp_path, monkeypatch)
    at.file_uploader(key="find_file_0").set_value(("x.json", b'{"format": "lr-schedule"}', "application/json"))
    at.run()
    assert not at.exception
    (error,) = at.error
    assert plain(error.value).startswith("Could not import x.json: format: must be")


def test_nan_in_an_imported_curve_is_dropped(tmp_path, monkeypatch):
    lrs = rt.sweep(1e-6, 1.0, 60)
    losses = 2.0 - np.tanh(np.log10(lrs) + 3) + np.exp(np.log10(lrs) * 3)
    losses[20] = np.nan
    test = rt.RangeTest(rt.Settings(1e-6, 1.0, 60), (rt.Curve(lrs, losses, "", 0),), "keras")
    at = find_page(tmp_path, monkeypatch)
    at.file_uploader(key="find_file_0").set_value(("nan.json", test.dumps().encode(), "application/json"))
    at.run()
    assert not at.exception and not at.error
    assert "—" not in list(at.table[0].value["lr"])
