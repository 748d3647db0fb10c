"""Compare's bake-off, run headless by AppTest: three schedules × two seeds trained to the end."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT, plain
from tests.pages.test_train import run_until, status_text

pytestmark = pytest.mark.slow  # trains six short runs in the worker


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=60).run()
    at.selectbox(key="compare_source").set_value("1cycle")
    at.button(key="compare_add").click().run()
    return at


def test_a_bakeoff_of_three_schedules_and_two_seeds_ends_with_its_table(page, tmp_path):
    page.number_input(key="bakeoff_epochs").set_value(3)
    page.selectbox(key="bakeoff_seeds").set_value(2).run()
    assert page.button(key="bakeoff_start").label == "Train the set (6 runs of 3 epochs)"
    page.button(key="bakeoff_start").click().run()
    assert not page.exception and not page.error
    assert page.button(key="bakeoff_start").disabled and not page.button(key="bakeoff_stop").disabled
    run_until(page, lambda at: status_text(at).startswith(("Completed", "Failed", "Stopped")), timeout=300)
    assert plain(status_text(page)) == "Completed — trained 3 schedules × 2 seeds"
    table = page.table[-1].value  # after the stats table
    assert [plain(name) for name in table.index] == ["Designer", "Step-decay baseline", "1cycle"]
    assert list(table["seeds completed"]) == ["2 of 2"] * 3
    assert all(" ± " in cell and cell.endswith(" %") for cell in table["validation accuracy"])
    assert any("ends with the best mean validation accuracy" in plain(m.value) for m in page.markdown)
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in page.get("plotly_chart")]
    assert {"Final validation accuracy", "Validation loss over training"} <= set(titles)
    records = [json.loads(path.read_text()) for path in tmp_path.glob("*/run.json")]
    assert sorted((r["name"], r["options"]["seed"]) for r in records) == sorted(
        (name, seed) for name in ("Designer", "Step-decay baseline", "1cycle") for seed in (0, 1)
    )
    assert len({r["bakeoff"] for r in records}) == 1
    # Each seed starts every schedule from the same weights; the two seeds from different ones.
    starts = {(r["options"]["seed"], r["initial_weights"]) for r in records}
    assert len(starts) == 2 and len({seed for seed, _ in starts}) == 2
    assert not page.button(key="bakeoff_start").disabled


def test_too_few_epochs_for_a_schedule_is_one_sentence_and_nothing_trains(page, tmp_path):
    page.number_input(key="bakeoff_epochs").set_value(1).run()  # 45 steps for a 100-epoch schedule
    page.button(key="bakeoff_start").click().run()
    run_until(page, lambda at: bool(at.error))
    (error,) = page.error
    assert plain(error.value) == (
        "invalid bake-off: epochs: must be at least 3 here: a schedule of 100 epochs needs a step for each"
    )
    assert not list(tmp_path.iterdir())
