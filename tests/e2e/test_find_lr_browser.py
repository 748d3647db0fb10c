"""Find the lr in headless Chromium: a range test with its suggestions, Check it, Use as base lr
reaching the Designer, and a range test from the PyTorch API imported."""

import pytest

from tests.e2e.conftest import settled

pytestmark = pytest.mark.browser


def open_find_the_lr(page):
    page.get_by_role("link", name="Find the lr").click()
    page.get_by_role("heading", name="Find the lr").wait_for(timeout=30_000)


def test_a_range_test_with_its_suggestions_checked_and_used_as_base_lr(page):
    open_find_the_lr(page)
    # The shortest sweep and two seeds, set as a user would: the range test and the three checks
    # train the steps chosen here (the page test runs the same; the defaults train twice as long).
    steps = page.get_by_role("slider", name="Steps")
    steps.focus()
    steps.press("Home")
    page.locator('input[aria-label="Steps"][aria-valuetext="100"]').wait_for(timeout=10_000)
    settled(page)
    seeds = page.get_by_role("spinbutton", name="Seeds")
    seeds.fill("2")
    seeds.press("Enter")
    settled(page)
    page.get_by_role("button", name="Run the range test").click()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=240_000)
    page.get_by_text("steepest descent", exact=True).first.wait_for(timeout=30_000)
    legend = chart.locator(".legendtext").all_text_contents()
    assert {"seed 0: loss", "seed 0: smoothed", "seed 1: smoothed"} <= set(legend)
    assert "seed 2: smoothed" not in legend
    assert chart.locator(".scatterlayer .trace").count() >= 4 + 2  # 2 seeds × 2 lines, and the marks

    page.get_by_role("button", name="Check it").click()
    page.get_by_text("reached the lowest validation loss").or_(
        page.get_by_text("All three trainings diverged")
    ).wait_for(timeout=300_000)
    assert page.get_by_text("suggestion × 3").count() >= 1
    page.set_viewport_size({"width": 1280, "height": 1900})
    page.screenshot(path="test-artifacts/find-lr.png", full_page=True)

    page.get_by_role("button", name="Use as base lr").click()
    message = page.get_by_text("Base lr set to")
    message.wait_for(timeout=30_000)
    lr = message.inner_text().split("Base lr set to ")[1].split(" ")[0]
    page.get_by_role("link", name="Designer").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    slider = page.get_by_role("slider", name="Base learning rate")
    assert float(slider.get_attribute("aria-valuetext") or slider.get_attribute("aria-valuenow")) == pytest.approx(
        float(lr)
    )
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_range_test_file_from_the_pytorch_api_shows_on_the_page(page, tmp_path):
    torch = pytest.importorskip("torch")
    from frameworks.torch import lr_range_test  # noqa: PLC0415

    torch.manual_seed(0)
    inputs, labels = torch.randn(256, 6), torch.randint(0, 3, (256,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(inputs, labels), batch_size=32)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    path = tmp_path / "torch-range-test.json"
    lr_range_test(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        loader,
        torch.nn.functional.cross_entropy,
        steps=100,
        seeds=[0, 1],
        path=path,
    )

    open_find_the_lr(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Imported torch-range-test.json (from torch)").wait_for(timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    assert {"seed 0: smoothed", "seed 1: smoothed"} <= set(chart.locator(".legendtext").all_text_contents())
    page.get_by_text("valley", exact=True).first.wait_for(timeout=10_000)
    assert page.locator('[data-testid="stException"]').count() == 0
