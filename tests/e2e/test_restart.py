"""A fresh or restarted server under real browser pages: deep links get the app, an open page
reconnects by itself, and its link brings the schedule back."""

import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from studio import share
from studio.presets import preset
from tasks import free_port
from tests.e2e.conftest import studio_server
from tests.e2e.test_designer_browser import first_line, slider, wait_for_redraw

pytestmark = pytest.mark.browser


def test_an_open_page_survives_a_server_restart(browser, tmp_path):
    port = free_port()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    with studio_server(port, tmp_path) as url:
        page.goto(f"{url}/?{urllib.parse.urlencode(share.to_query(preset('SGDR warm restarts')))}")
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
        drawn = first_line(page)

    with studio_server(port, tmp_path):  # the same address, a new process
        handle = slider(page, "Warm-up epochs")  # the page reconnects by itself and answers again
        for _ in range(30):  # a key pressed before the reconnection is lost: press until one lands
            handle.focus()
            handle.press("ArrowRight")
            try:
                wait_for_redraw(page, drawn, timeout=2_000)
                break
            except PlaywrightTimeout:
                continue
        assert first_line(page) != drawn, "the page never answered after the restart"
        # redrawn by the new server from the link in the address bar: still the shared schedule
        assert page.locator(".js-plotly-plot .gtitle").first.text_content() == "Cosine with warm restarts (SGDR)"
        assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()


def test_a_deep_link_as_a_fresh_servers_first_request_gets_the_app(browser, tmp_path):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    with studio_server(free_port(), tmp_path) as url:
        page.goto(f"{url}/reference")
        page.get_by_role("heading", name="Schedule format reference").wait_for(timeout=60_000)
        navigation = page.locator('[data-testid="stSidebarNav"]')
        navigation.get_by_text("Format reference").wait_for(timeout=30_000)
        assert navigation.get_by_text("Designer").count() == 1
        assert navigation.get_by_text("app", exact=True).count() == 0  # not the bare pages/ folder
    page.context.close()
