"""Trained results in headless Chromium: three past runs overlaid on the Train page, and a bake-off
of three schedules on the Compare page finishing with its table."""

import secrets

import pytest

from tests.e2e.conftest import ARTIFACTS, choose, settled
from tests.studio.test_past_runs import forge_run

pytestmark = pytest.mark.browser

TITLES = "() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => plot._fullLayout.title.text)"
LEGEND = (
    "title => ([...document.querySelectorAll('.js-plotly-plot')]"
    ".find(plot => plot._fullLayout.title.text.includes(title))?._fullData.map(trace => trace.name) ?? [])"
)


def charts_drawn(page, *titles: str) -> None:
    """Wait until a chart with each of ``titles`` is drawn: Plotly draws after the page's text."""
    page.wait_for_function(
        f"titles => {{ const shown = ({TITLES})().join(' | '); return titles.every(title => shown.includes(title)); }}",
        arg=list(titles),
        timeout=30_000,
    )


def test_three_past_runs_overlaid_with_legends_by_schedule(page, worker_id):
    runs_dir = ARTIFACTS / ("runs" if worker_id == "master" else f"runs-{worker_id}")
    tag = secrets.token_hex(3)  # the server's runs folder is shared with other tests
    names = [f"29990101-00000{index}-{tag}" for index in range(3)]
    cosine = "Cosine with warm-up, hold and epsilon"
    for name, (preset, seed) in zip(names, [(cosine, 0), ("1cycle", 1), (cosine, 2)], strict=True):
        forge_run(runs_dir, name, preset=preset, seed=seed)
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Past runs").wait_for(timeout=30_000)
    runs = page.get_by_role("combobox", name="Runs side by side")
    for name in names:
        settled(page)  # each choice reruns the page; typing during a rerun can be lost
        runs.click()
        runs.fill(name)
        runs.press("Enter")
        page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({LEGEND})('Learning rate').length >= 3", timeout=30_000)
    legend = page.evaluate(f"({LEGEND})('Learning rate')")
    assert {
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 0",
        "1cycle, lr 0.1 · Adam · seed 1",
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 2",
    } <= set(legend)
    charts_drawn(page, "Learning rate", "Loss", "Validation accuracy")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path="test-artifacts/train-past-runs.png", full_page=True)


def test_a_bakeoff_of_three_schedules_finishes_with_its_table(page):
    """One seed of each (the page test trains two seeds and checks their spread and weights)."""
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.get_by_role("link", name="Compare").click()
    page.get_by_role("heading", name="Compare schedules").wait_for(timeout=30_000)
    choose(page, "Add a schedule", "1cycle")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("button", name="Train the set (9 runs of 20 epochs)").wait_for(timeout=30_000)
    choose(page, "Seeds", "1")
    page.get_by_role("button", name="Train the set (3 runs of 20 epochs)").wait_for(timeout=30_000)
    settled(page)
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("3")
    epochs.press("Enter")
    page.get_by_role("button", name="Train the set (3 runs of 3 epochs)").click()  # once the page has both
    page.get_by_text("trained 3 schedules × 1 seed").wait_for(timeout=300_000)
    table = page.locator('[data-testid="stTable"]').last
    for name in ("Designer", "Step-decay baseline", "1cycle"):
        assert name in table.inner_text()
    assert table.inner_text().count("1 of 1") == 3
    # Three runs of one seed may tie.
    page.get_by_text("ends with the best mean validation accuracy").or_(
        page.get_by_text("end with the same mean validation accuracy")
    ).first.wait_for(timeout=30_000)
    charts_drawn(page, "Final validation accuracy", "Validation loss over training")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Train them: a bake-off").scroll_into_view_if_needed()
    page.screenshot(path="test-artifacts/compare-bakeoff.png", full_page=True)
