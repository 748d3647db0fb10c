"""The Designer's Run section in headless Chromium: plan from the data, read the chart in samples."""

import pytest

from tests.e2e.conftest import choose, settled

pytestmark = pytest.mark.browser

IMAGENET = [  # (control, value, the derivation the page shows once the rerun has happened)
    ("Dataset size (samples)", 1_281_167, "1,281,167 samples ÷ 128 = 10,009 optimizer steps per epoch"),
    ("Micro-batch per device", 64, "1,281,167 samples ÷ 64 = 20,018 optimizer steps per epoch"),
    ("Gradient-accumulation steps", 4, "1,281,167 samples ÷ (64 × 4 accumulation) = 5,004 optimizer steps"),
    ("Devices", 8, "1,281,167 samples ÷ (64 × 4 accumulation × 8 devices) = 625 optimizer steps per epoch"),
]
AXIS_TITLES = "() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => plot._fullLayout.xaxis.title.text)"


def test_plan_from_the_data_and_read_the_chart_in_samples(page):
    page.set_viewport_size({"width": 1280, "height": 1700})  # the chart and the whole Run section
    assert set(page.evaluate(AXIS_TITLES)) == {"epoch"}
    page.get_by_text("Run: data and batch").click()
    page.get_by_text("Plan from the data").click()
    for label, value, derivation in IMAGENET:
        box = page.get_by_role("spinbutton", name=label, exact=True)
        box.fill(str(value))
        box.press("Enter")
        page.get_by_text(derivation).wait_for(timeout=20_000)

    choose(page, "x-axis", "x-axis: samples")
    page.wait_for_function(f"() => ({AXIS_TITLES})().every(title => title === 'samples seen')", timeout=20_000)
    assert len(page.evaluate(AXIS_TITLES)) == 2
    page.wait_for_function("() => location.search.includes('studio.x_unit=samples')")

    settled(page)
    page.get_by_role("button", name="Set base lr").click()
    page.get_by_text("Base lr set to 0.8 by the linear rule: 0.1 × 2048 / 256 = 0.8.").wait_for(timeout=20_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("combobox", name="x-axis").blur()  # no focus ring in the README's picture
    page.screenshot(path="test-artifacts/designer-run.png")
