"""What users click, in headless Chromium against the running studio."""

import json

import pytest

import schedules
from tests.e2e.conftest import choose, settled

pytestmark = pytest.mark.browser


def first_line(page) -> str:
    """The SVG path of the designed curve: it changes whenever the curve is redrawn differently."""
    return page.locator(".js-plotly-plot .scatterlayer path.js-line").first.get_attribute("d")


def wait_for_redraw(page, before: str, timeout: float = 20_000) -> str:
    page.wait_for_function(
        "(before) => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line');"
        " return p && p.getAttribute('d') !== before; }",
        arg=before,
        timeout=timeout,
    )
    return first_line(page)


def slider(page, label: str):
    return page.get_by_role("slider", name=label)


def move_slider_to(page, label: str, target: str) -> None:
    """Press → on a slider, one redraw at a time, until it reads ``target`` (at most 40 presses):
    keys pressed faster than the page reruns may be folded into one change."""
    handle = slider(page, label)
    for _ in range(40):
        if handle.input_value() == target:
            return
        before = first_line(page)
        handle.focus()
        handle.press("ArrowRight")
        wait_for_redraw(page, before)
    raise AssertionError(f"{label} never reached {target}; it reads {handle.input_value()}")


def test_the_chart_redraws_after_keys_and_after_a_drag_of_the_warmup_slider(page):
    """One user: both charts drawn and no exception box, then → pressed six times on the warm-up
    slider, then the slider dragged: each moves it, and the chart follows."""
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path="test-artifacts/designer-1280.png", full_page=True)

    before = first_line(page)
    handle = slider(page, "Warm-up epochs")
    handle.focus()
    start = float(handle.input_value())
    for _ in range(6):
        handle.press("ArrowRight")
    before = wait_for_redraw(page, before)
    settled(page)
    keyed = float(handle.input_value())
    assert keyed > start  # the slider moved, and the chart followed it

    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    wait_for_redraw(page, before)
    assert float(handle.input_value()) > keyed
    assert page.locator('[data-testid="stException"]').count() == 0


def test_export_then_import_in_a_fresh_session_restores_the_controls(page, browser, server, tmp_path):
    move_slider_to(page, "Hold epochs", "12")  # waits for the rerun that also refreshes the export
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export JSON").click()
    exported = tmp_path / "exported.json"
    download_info.value.save_as(exported)
    doc = json.loads(exported.read_text())
    assert schedules.loads(exported.read_bytes()).params["hold_epochs"] == 12.0
    assert doc["schedule"]["kind"] == "cosine"

    fresh = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    fresh.goto(server)
    fresh.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    assert slider(fresh, "Hold epochs").input_value() == "10"
    fresh.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(exported))
    fresh.get_by_text("Imported exported.json").wait_for(timeout=20_000)
    assert slider(fresh, "Hold epochs").input_value() == "12"
    fresh.context.close()


BROKEN_IMPORTS = [
    ("notjson.json", b"{ this is not json", "document: is not valid JSON"),
    ("v2.json", json.dumps({"format": "lr-schedule", "version": 2}).encode(), "version: must be 1, got 2"),
    ("nan.json", b'{"format": "lr-schedule", "version": 1, "steps_per_epoch": NaN}', "NaN is not a JSON number"),
]


def test_each_broken_import_shows_one_error_and_changes_nothing(page, tmp_path):
    """Three broken files dropped one after another in one session: each replaces the last one's
    error with its own sentence, and the design stays as it was."""
    before = first_line(page)
    alert = page.locator('[data-testid="stAlertContentError"]')
    for name, content, expected in BROKEN_IMPORTS:
        path = tmp_path / name
        path.write_bytes(content)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        alert.filter(has_text=expected).wait_for(timeout=20_000)
        settled(page)
        assert alert.count() == 1, name
        assert first_line(page) == before, name
        assert slider(page, "Warm-up epochs").input_value() == "5", name
        assert page.locator('[data-testid="stException"]').count() == 0, name


def test_a_short_training_run_shows_progress_and_the_lr_read_back(page, server):
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train a demo model").wait_for(timeout=30_000)
    epochs = page.get_by_label("Epochs", exact=True)
    epochs.wait_for(timeout=30_000)
    epochs.fill("2")
    epochs.press("Enter")
    page.get_by_text("2 of the schedule").first.wait_for(timeout=30_000)  # the page has taken the new value
    page.get_by_role("button", name="Train").click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=30_000)
    page.get_by_text("matches the design").first.wait_for(timeout=180_000)
    assert page.get_by_text("Completed").count() >= 1
    titles = (  # as they read: Streamlit's theme sets them in bold
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".map(plot => plot._fullLayout.title.text.replace(/<\\/?b>/g, ''))"
    )
    page.wait_for_function(f"() => ({titles})().some(title => title.endsWith('vs designed'))", timeout=30_000)
    shown = page.evaluate(titles)
    assert {"Learning rate", "Loss", "Accuracy"} <= set(shown)  # drawn live, epoch by epoch
    assert [title for title in shown if title.endswith("learning rate used at each step vs designed")]
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1280, "height": 1500})  # the whole page, read-back chart included
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    page.screenshot(path="test-artifacts/train-1280.png", full_page=True)


def test_a_comparison_of_three_schedules(page):
    page.get_by_role("link", name="Compare").click()
    page.get_by_role("heading", name="Compare schedules").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    choose(page, "Add a schedule", "1cycle")
    page.get_by_role("button", name="Add").click()
    page.get_by_text("1cycle — 1cycle").wait_for(timeout=20_000)
    overlay = page.locator(".js-plotly-plot").first
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('.scatterlayer .trace').length === 3"
    )
    assert overlay.locator(".legendtext").all_text_contents()[:3] == ["Designer", "Step-decay baseline", "1cycle"]
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1280, "height": 1300})  # the chart with its legend and the table
    page.screenshot(path="test-artifacts/compare-1280.png", full_page=True)
