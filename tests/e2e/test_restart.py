"""A server restart under an open page: it reconnects by itself, and its link brings the schedule back."""

import urllib.parse

import pytest

from studio import share
from studio.presets import preset
from tests.e2e.conftest import free_port, serve, wait_healthy
from tests.e2e.test_designer_browser import first_line, slider, wait_for_redraw

pytestmark = pytest.mark.browser


def test_an_open_page_survives_a_server_restart(browser, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = serve(port, tmp_path)
    try:
        assert wait_healthy(url)
        schedule = preset("SGDR warm restarts")
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/?{urllib.parse.urlencode(share.to_query(schedule))}")
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
        drawn = first_line(page)

        process.terminate()
        process.wait(timeout=20)
        process = serve(port, tmp_path)
        assert wait_healthy(url)

        handle = slider(page, "Warm-up epochs")  # the page reconnects and answers input again
        page.wait_for_function(
            "(drawn) => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line');"
            " return p && p.getAttribute('d') === drawn; }",
            arg=drawn,
            timeout=60_000,
        )
        handle.focus()
        handle.press("ArrowRight")
        assert wait_for_redraw(page, drawn) != drawn
        assert page.get_by_text("Cosine with warm restarts (SGDR)").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        page.context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
