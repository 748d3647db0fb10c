"""Many users at once on one studio server, in headless Chromium.

    python -m bench.bench_load [--sessions 20] [--seconds 30]

1. ``--sessions`` browser contexts each move the warm-up slider for ``--seconds``: the time from
   a key press to the redrawn chart (p50, p95), whether each session always shows its own curve
   (the warm-up marker sits at its own slider's value), and the server's peak memory.
2. Three sessions press Train at once: one runs, the others see it in progress and run after
   it; every run must complete into its own folder.

Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port, serve, wait_healthy

LINE = ".js-plotly-plot .scatterlayer path.js-line"
MARKER = (
    "() => { const plot = document.querySelector('.js-plotly-plot');"
    " return plot && plot._fullLayout.shapes[0] && plot._fullLayout.shapes[0].x0; }"
)


def start_server(runs_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server, url = serve(port, Path(runs_dir)), f"http://127.0.0.1:{port}"
    if not wait_healthy(url):
        server.kill()
        raise SystemExit("the studio did not become healthy within 60 s")
    return server, url


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def slider_session(browser, url: str, seconds: float, latencies: list[float], wrong: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(url, timeout=180_000)
    await page.wait_for_selector(LINE, timeout=180_000)
    handle = page.get_by_role("slider", name="Warm-up epochs")
    deadline, direction, moves = time.monotonic() + seconds, "ArrowRight", 0
    while time.monotonic() < deadline and moves < 400:
        before = await page.locator(LINE).first.get_attribute("d")
        await handle.focus()
        start = time.perf_counter()
        await handle.press(direction)
        try:
            await page.wait_for_function(
                "(before) => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line');"
                " return p && p.getAttribute('d') !== before; }",
                arg=before,
                timeout=20_000,
            )
        except Exception:  # noqa: BLE001 - a redraw that never came counts as wrong
            wrong.append("no redraw within 20 s")
            continue
        latencies.append(time.perf_counter() - start)
        value = float(await handle.input_value())
        await page.wait_for_timeout(50)
        marker = await page.evaluate(MARKER)
        if marker is not None and abs(marker - value) > 1e-9 and value > 0:
            wrong.append(f"slider {value} but marker {marker}")
        moves += 1
        direction = "ArrowLeft" if value >= 9 else "ArrowRight" if value <= 1 else direction
    await context.close()


async def train_session(browser, url: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{url}/train", timeout=180_000)
    epochs = page.get_by_label("Epochs", exact=True)
    await epochs.wait_for(timeout=120_000)
    await epochs.fill("2")
    await epochs.press("Enter")
    await page.wait_for_timeout(1000)
    return context, page


async def main(sessions: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as runs_dir:
        server, url = start_server(runs_dir)
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                latencies: list[float] = []
                wrong: list[str] = []
                cpu_start, wall_start = cpu_seconds(server.pid), time.monotonic()
                await asyncio.gather(
                    *(slider_session(browser, url, seconds, latencies, wrong) for _ in range(sessions))
                )
                server_share = (cpu_seconds(server.pid) - cpu_start) / (time.monotonic() - wall_start)
                latencies.sort()
                p50 = statistics.median(latencies)
                p95 = latencies[int(0.95 * (len(latencies) - 1))]
                moves = f"{len(latencies)} slider moves, {len(wrong)} wrong or missing redraws"
                print(f"{sessions} sessions × {seconds:.0f} s: {moves}")
                print(f"input → redrawn chart: p50 {p50 * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms (goal p95 <= 1000 ms)")
                memory = peak_memory_mb(server.pid)
                print(f"server peak memory: {memory:.0f} MB; server CPU {server_share:.0%} of one core")
                print("(the browsers share the same 2 cores: what is left of them bounds the redraw time)")
                for problem in wrong[:5]:
                    print("  ", problem)

                opened = [await train_session(browser, url) for _ in range(3)]
                await asyncio.gather(*(page.get_by_role("button", name="Train").click() for _, page in opened))
                saw_busy = 0
                for _, page in opened:
                    try:
                        await page.get_by_text("is in progress").wait_for(timeout=15_000)
                        saw_busy += 1
                    except Exception:  # noqa: BLE001 - the session whose run started first
                        pass
                await asyncio.gather(*(page.get_by_text("Completed —").wait_for(timeout=300_000) for _, page in opened))
                folders = sorted(path.name for path in Path(runs_dir).iterdir())
                runs = f"{len(folders)} runs completed into {len(set(folders))} folders"
                print(f"3 sessions pressed Train at once: {saw_busy} saw a run in progress; {runs}")
                for context, _ in opened:
                    await context.close()
                await browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sessions, arguments.seconds))
