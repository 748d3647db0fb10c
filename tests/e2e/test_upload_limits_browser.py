"""Large logs and a zip bomb through the served page's real upload route, in headless Chromium,
with the server's peak memory read from the operating system (AppTest never goes through the
upload route, so only this test sees the server's own limit)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from schedules import from_config
from studio import design
from tasks import free_port, serve, wait_healthy
from tests.schedules.test_log_limits import deflated_zip

pytestmark = pytest.mark.browser

DESIGNED = from_config(design.document(design.DEFAULTS))
SERVER_BOUND = 2**30  # the server's peak resident memory after both uploads


def peak_rss(pid: int) -> int:
    """The process's peak resident set size (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    pytest.skip("no /proc/<pid>/status here to read a process's peak memory")


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own, so its peak memory is this test's alone."""
    process = serve(free_port_holder := free_port(), tmp_path / "runs", subprocess.DEVNULL)
    url = f"http://127.0.0.1:{free_port_holder}"
    try:
        if not wait_healthy(url):
            pytest.fail("streamlit did not become healthy within 60 s")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def large_csv(path: Path, megabytes: int) -> Path:
    """A CSV of step and the Designer's lr, ``megabytes`` long (the lr stays at its floor past the end)."""
    rows = megabytes * 2**20 // 16
    steps = np.arange(rows)
    values = np.float32(DESIGNED.lr(steps))
    with path.open("w") as file:
        file.write("step,lr\n")
        for start in range(0, rows, 500_000):
            chunk = zip(steps[start : start + 500_000].tolist(), values[start : start + 500_000].tolist(), strict=True)
            file.write("".join(f"{s},{v!r}\n" for s, v in chunk))
    return path


def test_a_50_mb_log_and_a_zip_bomb_through_the_real_upload_route(browser, own_server, tmp_path):
    url, pid = own_server
    log = large_csv(tmp_path / "metrics.csv", 50)
    assert log.stat().st_size > 50 * 10**6
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/verify")
    page.get_by_role("heading", name="Verify a training run").wait_for(timeout=60_000)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first

    uploader.set_input_files(str(log))
    # A fresh session fits the log first; then it is compared with the Designer's schedule.
    page.get_by_text("This schedule matches every logged step").wait_for(timeout=240_000)
    page.get_by_text("The Designer's schedule").click()
    page.get_by_text("Match: all").wait_for(timeout=240_000)
    assert page.get_by_text("AxiosError").count() == 0 and page.locator('[data-testid="stException"]').count() == 0
    after_log = peak_rss(pid)

    bomb = tmp_path / "run.zip"
    bomb.write_bytes(deflated_zip("run/metrics.csv", b"step,lr\n", b"0,0.1\n", 500 * 2**20))
    assert bomb.stat().st_size < 2**20
    uploader.set_input_files(str(bomb))
    page.get_by_text("Could not read the upload: run/metrics.csv: more than the 268,435,456 bytes read").wait_for(
        timeout=240_000
    )
    page.get_by_text("Match: all").wait_for(timeout=120_000)  # the last good log stays
    assert page.locator('[data-testid="stException"]').count() == 0
    after_bomb = peak_rss(pid)
    mib = f"{after_log / 2**20:.0f} MiB after the 50 MB log, {after_bomb / 2**20:.0f} MiB after the bomb"
    print(f"server peak memory: {mib}")
    assert after_log < SERVER_BOUND and after_bomb < SERVER_BOUND
    context.close()
