"""Share links, every slider by keyboard, oversized uploads, and layouts from phone to desktop,
light and dark — in headless Chromium."""

import pytest

from tests.e2e.conftest import open_page, settled
from tests.e2e.test_designer_browser import first_line, move_slider_to, slider, wait_for_redraw

pytestmark = pytest.mark.browser


def test_each_slider_moves_by_keyboard_and_redraws(page):
    """The four sliders in turn, in one session: three → presses move each, and the chart follows."""
    for label in ("Base learning rate", "Warm-up epochs", "Hold epochs", "Epsilon (minimum lr)"):
        before = first_line(page)
        handle = slider(page, label)
        handle.focus()
        start = handle.input_value()
        for _ in range(3):
            handle.press("ArrowRight")
        wait_for_redraw(page, before)
        settled(page)  # the next slider's presses go to a page that is not redrawing
        assert handle.input_value() != start, label  # the slider moved, and the chart followed it
        assert page.locator('[data-testid="stException"]').count() == 0, label


def test_log_scale_toggle_switches_the_axis(page):
    page.get_by_text("Log scale").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(plot => plot._fullLayout && plot._fullLayout.yaxis.type === 'log')"
    )


def test_a_share_link_opened_in_a_new_context_reproduces_the_schedule(page, browser):
    move_slider_to(page, "Warm-up epochs", "7")
    page.wait_for_function("() => location.search.includes('warmup_epochs=7')")
    link = page.url
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.goto(link)
    other.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    assert slider(other, "Warm-up epochs").input_value() == "7"
    assert first_line(other) == first_line(page)
    other.context.close()


def test_a_tampered_link_shows_a_warning_and_the_defaults(context, server):
    tampered = open_page(context, f"{server}/?kind=cosine&base_lr=%3Cscript%3E&total_epochs=10&steps_per_epoch=10")
    tampered.get_by_text("could not be read").wait_for(timeout=60_000)
    # The warning comes first in the page's run; the controls and the chart with the defaults after it.
    tampered.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    settled(tampered)
    assert slider(tampered, "Warm-up epochs").input_value() == "5"
    assert tampered.locator("script:has-text('alert')").count() == 0
    tampered.close()


def test_a_5_mb_upload_is_refused_and_changes_nothing(page, tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b"{" + b" " * (5 * 1024 * 1024) + b"}")
    before = first_line(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    page.get_by_text("2.0MB or smaller").or_(page.get_by_text("File must be")).first.wait_for(timeout=20_000)
    assert first_line(page) == before
    assert page.locator('[data-testid="stException"]').count() == 0


def test_layout_fits_without_horizontal_scrolling_from_phone_to_desktop_light_and_dark(context, server):
    """One page resized and switched between its system's light and dark schemes, as a user turning
    a phone or changing the system's theme would: the Designer never scrolls sideways, and its
    background follows the scheme."""
    page = open_page(context, server)
    for width, height, scheme in ((1280, 800, "light"), (390, 844, "light"), (390, 844, "dark"), (1280, 800, "dark")):
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=scheme)
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
        page.get_by_role("button", name="Export JSON").wait_for()  # the last block of the page is drawn
        want_dark = scheme == "dark"
        page.wait_for_function(  # the theme follows the system's scheme without a reload
            "dark => { const [r, g, b] = getComputedStyle(document.querySelector('.stApp')).backgroundColor"
            ".match(/\\d+/g).map(Number); return (r + g + b < 200) === dark; }",
            arg=want_dark,
            timeout=10_000,
        )
        # The charts follow a new width a frame or two later: the overflow once it settles (≤ 5 s).
        overflow = page.evaluate(
            "async () => { const measure = () => [document.documentElement,"
            " document.querySelector('[data-testid=\"stMain\"]')].filter(Boolean)"
            ".map(e => e.scrollWidth - e.clientWidth);"
            " for (const end = Date.now() + 5000; Date.now() < end;) {"
            " if (Math.max(...measure()) <= 1) break; await new Promise(r => setTimeout(r, 100)); }"
            " return measure(); }"
        )
        assert max(overflow) <= 1, f"horizontal overflow {overflow} px at {width}px, {scheme}"
        page.screenshot(path=f"test-artifacts/designer-{width}-{scheme}.png")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
