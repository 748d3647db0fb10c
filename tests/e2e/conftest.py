"""A real `streamlit run app.py` on a free local port, and Debian's Chromium driven by Playwright."""

import contextlib
import subprocess
from pathlib import Path

import pytest

from tasks import CHROMIUM, CHROMIUM_FLAGS, free_port, serve, wait_healthy  # the README's own commands

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def settled(page) -> None:
    """Wait until the page's script has finished its run (Streamlit's "running" state off): an
    open dropdown or a click during a rerun can be lost when the rerun redraws its widget."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)


def choose(page, select: str, option: str) -> None:
    """Pick ``option`` from the select labelled ``select`` as a keyboard user does: focus, ArrowDown
    opens the list, click the option. Under load a mouse click on the select could leave it focused
    and closed (seen in CI: no rerun, no list), and the click on the option then waited in vain."""
    settled(page)
    box = page.get_by_role("combobox", name=select, exact=True)
    box.focus()
    box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).click()


@contextlib.contextmanager
def studio_server(port: int, runs_dir: Path, log=subprocess.DEVNULL):
    """The studio served on ``port`` while the block runs, its URL given once healthy."""
    process = serve(port, runs_dir, log)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(url):
            pytest.fail("streamlit did not become healthy within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def server(worker_id):
    """The studio's URL, served for the whole session and stopped at its end; each parallel
    worker (pytest-xdist) has a server and a runs folder of its own."""
    ARTIFACTS.mkdir(exist_ok=True)
    suffix = "" if worker_id == "master" else f"-{worker_id}"
    with (
        ARTIFACTS.joinpath(f"streamlit{suffix}.log").open("w") as log,
        studio_server(free_port(), ARTIFACTS / f"runs{suffix}", log) as url,
    ):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (python3 tasks.py test installs it as root)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context for a worker's tests: each page in it is a new Streamlit session (its own
    websocket), and the context's cache keeps Chromium's compiled scripts, so a page load after the
    first costs about a fifth less CPU. Tests about a fresh browser (a link opened elsewhere, an
    export imported by another user) open a context of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context
    context.close()


def open_page(context, url: str, width: int = 1280, height: int = 900, scheme: str | None = None):
    """A new user (a new page of ``context``) at ``url``, ``width`` × ``height``, in the ``scheme``
    ("light" or "dark") its system prefers."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    if scheme:
        page.emulate_media(color_scheme=scheme)
    page.goto(url)
    return page


@pytest.fixture
def page(context, server):
    """A new user on the studio, with the Designer's two charts drawn."""
    page = open_page(context, server)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    # Both: the baseline's chart may draw first, and tests read the designed curve as the first line.
    page.wait_for_function(
        "() => { const plots = [...document.querySelectorAll('.js-plotly-plot')];"
        " return plots.length === 2 && plots.every(plot => plot.querySelector('.scatterlayer path.js-line')); }",
        timeout=60_000,
    )
    settled(page)  # a click during the first run can be lost
    yield page
    page.close()
