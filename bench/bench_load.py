"""Many users at once on one studio server, in headless Chromium.

    python -m bench.bench_load [--sessions 20] [--seconds 30]

1. One session alone, then ``--sessions`` browser contexts at once, each move the warm-up slider
   for ``--seconds``, a key press after each redraw. For every move: the time from the key press
   to the redrawn chart in the page, and the server's share of it — from the rerun request
   reaching the server to the script-finished message leaving it (bench/timed_server.py). Also:
   whether each session always shows its own curve (the warm-up marker sits at its own slider's
   value), CPU per redraw of the server and of the browsers, the server's peak memory.
2. Three sessions press Train at once: one runs, the others see it in progress and run after
   it; every run must complete into its own folder.

Deployed, the browsers run on the users' own machines. Here they are confined to one core, so
that the server always has a core of its own (Chromium sets its own process priorities, so a
lower priority would not hold); on that one core their rendering bounds the in-page redraw time.
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

import tasks
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port, serve, wait_healthy

TIMED_SERVE = ["-m", "bench.timed_server", *tasks.SERVE[2:]]  # tasks.SERVE, its reruns timed

LINE = ".js-plotly-plot .scatterlayer path.js-line"
REDRAWN = (
    "(before) => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line');"
    " return p && p.getAttribute('d') !== before; }"
)
MARKER = (
    "() => { const plot = document.querySelector('.js-plotly-plot');"
    " return plot && plot._fullLayout.shapes[0] && plot._fullLayout.shapes[0].x0; }"
)


@dataclasses.dataclass
class Moves:
    """What the sessions of one phase saw: seconds per move, and every wrong or missing redraw."""

    redraws: list[float] = dataclasses.field(default_factory=list)  # key press → chart redrawn
    server: list[float] = dataclasses.field(default_factory=list)  # rerun request → script finished
    wrong: list[str] = dataclasses.field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds per redraw
    browser_cpu: float = 0.0


@dataclasses.dataclass
class Studio:
    """The served studio and the file its server writes each rerun's time to."""

    process: subprocess.Popen
    url: str
    rerun_times: Path

    def reruns(self) -> list[float]:
        return [float(line) for line in self.rerun_times.read_text().split()]


def start_studio(scratch: Path) -> Studio:
    """The studio with its runs and its rerun times in ``scratch``."""
    port, rerun_times = free_port(), scratch / "rerun-times.txt"
    os.environ["RERUN_TIMES"] = str(rerun_times)
    rerun_times.touch()
    studio = Studio(serve(port, scratch / "runs", launcher=TIMED_SERVE), f"http://127.0.0.1:{port}", rerun_times)
    if not wait_healthy(studio.url):
        studio.process.kill()
        raise SystemExit("the studio did not become healthy within 60 s")
    return studio


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has just ended
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    tree, stack = [], [root]
    while stack:
        tree.append(pid := stack.pop())
        stack.extend(children[pid])
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def open_designer(context, url: str):
    page = await context.new_page()
    await page.goto(url, timeout=180_000)
    await page.wait_for_selector(LINE, timeout=180_000)
    return page


async def move_slider(page, seconds: float, moves: Moves, max_moves: int = 400) -> None:
    """Key presses on the warm-up slider for ``seconds``, each after the previous one's redraw."""
    handle = page.get_by_role("slider", name="Warm-up epochs")
    deadline, direction, count = time.monotonic() + seconds, "ArrowRight", 0
    while time.monotonic() < deadline and count < max_moves:
        before = await page.locator(LINE).first.get_attribute("d")
        await handle.focus()
        start = time.perf_counter()
        await handle.press(direction)
        try:
            await page.wait_for_function(REDRAWN, arg=before, timeout=20_000)
        except Exception:  # noqa: BLE001 - a redraw that never came counts as wrong
            moves.wrong.append("no redraw within 20 s")
            continue
        moves.redraws.append(time.perf_counter() - start)
        value = float(await handle.input_value())
        await page.wait_for_timeout(50)
        marker = await page.evaluate(MARKER)
        if marker is not None and abs(marker - value) > 1e-9 and value > 0:
            moves.wrong.append(f"slider {value} but marker {marker}")
        count += 1
        direction = "ArrowLeft" if value >= 9 else "ArrowRight" if value <= 1 else direction


def confine_to_one_core() -> int:
    """Run this process (and what it starts from now on) on one core, when there are several."""
    cores = os.sched_getaffinity(0)
    if len(cores) > 1:
        os.sched_setaffinity(0, {max(cores)})
        return 1
    return len(cores)


def p95(seconds: list[float]) -> float:
    return sorted(seconds)[int(0.95 * (len(seconds) - 1))]


def percentiles(seconds: list[float]) -> str:
    return f"p50 {statistics.median(seconds) * 1e3:.0f} ms, p95 {p95(seconds) * 1e3:.0f} ms"


async def slider_phase(browser, studio: Studio, sessions: int, seconds: float) -> Moves:
    """``sessions`` contexts, once all have loaded, moving sliders at once; prints their figures."""
    moves = Moves()
    contexts = [await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(sessions)]
    pages = await asyncio.gather(*(open_designer(context, studio.url) for context in contexts))
    await asyncio.gather(*(move_slider(page, 60, Moves(), max_moves=3) for page in pages))  # warm caches
    server_pids = process_tree(studio.process.pid)

    def browser_pids() -> list[int]:  # this process's children (Playwright, Chromium), not the server
        return [pid for pid in process_tree(os.getpid())[1:] if pid not in server_pids]

    reruns_before = len(studio.reruns())
    server_cpu, browser_cpu = cpu_seconds(server_pids), cpu_seconds(browser_pids())
    await asyncio.gather(*(move_slider(page, seconds, moves) for page in pages))
    server_cpu, browser_cpu = cpu_seconds(server_pids) - server_cpu, cpu_seconds(browser_pids()) - browser_cpu
    moves.server = studio.reruns()[reruns_before:]
    for context in contexts:
        await context.close()

    moves.server_cpu, moves.browser_cpu = (cpu / max(len(moves.redraws), 1) for cpu in (server_cpu, browser_cpu))
    moved = f"{len(moves.redraws)} slider moves, {len(moves.wrong)} wrong or missing"
    print(f"{sessions} session(s) × {seconds:.0f} s: {moved}")
    print(f"  server's share, rerun request → script finished: {percentiles(moves.server)}")
    print(f"  in the page, key press → redrawn chart:          {percentiles(moves.redraws)}")
    print(
        f"  CPU per redraw: server {moves.server_cpu * 1e3:.0f} ms, browser {moves.browser_cpu * 1e3:.0f} ms"
        f" (browser ÷ server {moves.browser_cpu / moves.server_cpu:.1f}×)"
    )
    for problem in moves.wrong[:5]:
        print("   ", problem)
    return moves


async def train_at_once(browser, url: str, runs_dir: Path) -> None:
    opened = []
    for _ in range(3):
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await page.goto(f"{url}/train", timeout=180_000)
        epochs = page.get_by_label("Epochs", exact=True)
        await epochs.wait_for(timeout=120_000)
        await epochs.fill("2")
        await epochs.press("Enter")
        await page.wait_for_timeout(1000)
        opened.append((context, page))
    await asyncio.gather(*(page.get_by_role("button", name="Train").click() for _, page in opened))
    saw_busy = 0
    for _, page in opened:
        try:
            await page.get_by_text("is in progress").wait_for(timeout=60_000)
            saw_busy += 1
        except Exception:  # noqa: BLE001 - the session whose run started first
            pass
    await asyncio.gather(*(page.get_by_text("Completed —").wait_for(timeout=300_000) for _, page in opened))
    folders = sorted(path.name for path in runs_dir.iterdir())
    runs = f"{len(folders)} runs completed into {len(set(folders))} folders"
    print(f"3 sessions pressed Train at once: {saw_busy} saw a run in progress; {runs}")
    for context, _ in opened:
        await context.close()


async def main(sessions: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        studio = start_studio(Path(scratch))
        browser_cores = confine_to_one_core()  # this process and the browsers it starts
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                alone = await slider_phase(browser, studio, 1, seconds)
                crowd = await slider_phase(browser, studio, sessions, seconds)
                print(f"server peak memory: {peak_memory_mb(studio.process.pid):.0f} MB")
                floor = sessions * alone.browser_cpu / browser_cores
                print(
                    f"{sessions} browsers here need {sessions} × {alone.browser_cpu * 1e3:.0f} ms of CPU per move each:"
                    f" on {browser_cores} core(s), no round of moves takes less than {floor * 1e3:.0f} ms"
                )
                expected = p95(crowd.server) + p95(alone.redraws)
                print(
                    f"a user among {sessions} whose browser has its own CPU: server's p95 under load"
                    f" + one session's p95 redraw = {expected * 1e3:.0f} ms (goal p95 <= 1000 ms)"
                )
                await train_at_once(browser, studio.url, Path(scratch, "runs"))
                await browser.close()
        finally:
            studio.process.terminate()
            studio.process.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sessions, arguments.seconds))
