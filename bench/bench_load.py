"""Many users at once on one studio server, in headless Chromium.

    python -m bench.bench_load [--sessions 20] [--seconds 30]

Every session moves the warm-up slider for ``--seconds``, one move after the previous redraw,
and must always show its own curve (the warm-up marker at its own slider's value). For every
move: the time from input to redrawn chart, and the server's share of it — from the rerun
request reaching the server to the script-finished message leaving it (bench/timed_server.py);
CPU per move of the server and of the browsers; at the end, the server's peak memory.

1. One browser session alone.
2. ``--sessions`` browser sessions (contexts) at once.
3. One browser session among ``--sessions - 1`` users whose browsers run elsewhere
   (bench/streamlit_client.py): each moves again once its own browser would have drawn the chart
   (phase 1's draw time; ``--remote-pause 0``: at once, as busy as they can make the server).
   The browser session's redraw time is the figure the p95 <= 1 s goal is about.
4. Three sessions press Train at once: one runs, the others see it in progress and run after
   it; every run must complete into its own folder.

Deployed, the browsers run on the users' own machines. Here all of them are confined to one core
so that the server always has a core of its own (Chromium sets its own process priorities, so a
lower priority would not hold); in phase 2, twenty renderers on that core bound the redraw time.
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

import tasks
from bench.streamlit_client import DesignerClient
from tasks import CHROMIUM, CHROMIUM_FLAGS, free_port, serve, wait_healthy

TIMED_SERVE = ["-m", "bench.timed_server", *tasks.SERVE[2:]]  # tasks.SERVE, its reruns timed

LINE = ".js-plotly-plot .scatterlayer path.js-line"
REDRAWN = f"(before) => {{ const p = document.querySelector('{LINE}'); return p && p.getAttribute('d') !== before; }}"
MARKER = (
    "() => { const plot = document.querySelector('.js-plotly-plot');"
    " return plot && plot._fullLayout.shapes[0] && plot._fullLayout.shapes[0].x0; }"
)


@dataclasses.dataclass
class Moves:
    """What the sessions of one phase saw: seconds per move, and every wrong or missing redraw."""

    redraws: list[float] = dataclasses.field(default_factory=list)  # input → chart redrawn (remotely: its data in)
    server: list[float] = dataclasses.field(default_factory=list)  # rerun request → script finished
    wrong: list[str] = dataclasses.field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds per move
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


def stat_fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name; none if the process has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children = collections.defaultdict(list)
    for proc in Path("/proc").glob("[0-9]*"):
        if fields := stat_fields(proc.name):
            children[int(fields[1])].append(int(proc.name))
    tree, stack = [], [root]
    while stack:
        tree.append(pid := stack.pop())
        stack.extend(children[pid])
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = sum(int(fields[11]) + int(fields[12]) for pid in pids if (fields := stat_fields(pid)))
    return ticks / os.sysconf("SC_CLK_TCK")


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


async def measure(studio: Studio, moves: Moves, sessions_moving) -> None:
    """Await the sessions' moves; record the server's share of each and the CPU per move."""
    server_pids = process_tree(studio.process.pid)

    def browser_pids() -> list[int]:  # this process's children (Playwright, Chromium), not the server
        return [pid for pid in process_tree(os.getpid())[1:] if pid not in server_pids]

    reruns_before = len(studio.reruns())
    server_cpu, browser_cpu = cpu_seconds(server_pids), cpu_seconds(browser_pids())
    await sessions_moving
    server_cpu, browser_cpu = cpu_seconds(server_pids) - server_cpu, cpu_seconds(browser_pids()) - browser_cpu
    moves.server = studio.reruns()[reruns_before:]
    moves.server_cpu, moves.browser_cpu = (cpu / max(len(moves.redraws), 1) for cpu in (server_cpu, browser_cpu))


def report(title: str, moves: Moves, redraw: str, browsers: bool = True) -> None:
    print(f"{title}: {len(moves.redraws)} slider moves, {len(moves.wrong)} wrong or missing")
    print(f"  server's share, rerun request → script finished: {percentiles(moves.server)}")
    print(f"  {redraw}: {percentiles(moves.redraws)}")
    cpu = f"  CPU per move: server {moves.server_cpu * 1e3:.0f} ms"
    if browsers:
        cpu += f", browsers {moves.browser_cpu * 1e3:.0f} ms ({moves.browser_cpu / moves.server_cpu:.1f}× the server's)"
    print(cpu)
    for problem in moves.wrong[:5]:
        print("   ", problem)


async def browser_phase(browser, studio: Studio, sessions: int, seconds: float) -> Moves:
    """``sessions`` browser contexts, once all have loaded, moving the slider at once."""
    moves = Moves()
    contexts = [await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(sessions)]
    pages = await asyncio.gather(*(open_designer(context, studio.url) for context in contexts))
    await asyncio.gather(*(move_slider(page, 60, Moves(), max_moves=3) for page in pages))  # warm caches
    await measure(studio, moves, asyncio.gather(*(move_slider(page, seconds, moves) for page in pages)))
    for context in contexts:
        await context.close()
    title = f"{sessions} browser session{'s' * (sessions > 1)} × {seconds:.0f} s"
    report(title, moves, "in the page, key press → redrawn chart")
    return moves


async def move_remotely(
    user: DesignerClient, first: float, seconds: float, moves: Moves, pause: float = 0.0, max_moves: int = 2000
) -> None:
    """Slider moves from ``first`` in half epochs, back and forth, each ``pause`` s after the previous rerun."""
    value, step, deadline = first, 0.5, time.monotonic() + seconds
    for _ in range(max_moves):
        if time.monotonic() >= deadline:
            break
        if not 0.5 <= value + step <= 9.5:
            step = -step
        value += step
        chart_after, marker = await user.rerun(value)
        moves.redraws.append(chart_after)
        if marker is None or abs(marker - value) > 1e-9:
            moves.wrong.append(f"slider {value} but marker {marker}")
        await asyncio.sleep(pause)


async def busy_server_phase(browser, studio: Studio, sessions: int, seconds: float, pause: float) -> Moves:
    """One browser session here among ``sessions - 1`` users whose browsers run elsewhere.

    The others move again ``pause`` seconds after each rerun — the time their own browser takes
    to draw, or 0 to make the server as busy as they can. The browser session has the bench's core
    to itself (but for those clients), as a user's browser has its own machine.
    """
    remote, watched = Moves(), Moves()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await open_designer(context, studio.url)
    async with contextlib.AsyncExitStack() as stack:
        users = [await stack.enter_async_context(DesignerClient(studio.url)) for _ in range(sessions - 1)]
        firsts = [1 + index % 17 * 0.5 for index in range(sessions - 1)]  # users start on different curves
        warm = (move_remotely(user, first, 60, Moves(), max_moves=3) for user, first in zip(users, firsts, strict=True))
        await asyncio.gather(*warm, move_slider(page, 60, Moves(), max_moves=3))
        moving = (move_remotely(user, first, seconds, remote, pause) for user, first in zip(users, firsts, strict=True))
        await measure(studio, remote, asyncio.gather(*moving, move_slider(page, seconds, watched)))
    await context.close()
    title = (
        f"{sessions - 1} sessions with browsers elsewhere, {pause * 1e3:.0f} ms between moves, + 1 browser session here"
    )
    report(f"{title}, {seconds:.0f} s", remote, "others: slider value sent → chart's data received", browsers=False)
    print(f"  the browser session: {len(watched.redraws)} moves, {len(watched.wrong)} wrong or missing")
    print(f"  the browser session, key press → redrawn chart: {percentiles(watched.redraws)} (goal p95 <= 1000 ms)")
    for problem in watched.wrong[:5]:
        print("   ", problem)
    return watched


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


async def main(sessions: int, seconds: float, remote_pause: float | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        studio = start_studio(Path(scratch))
        browser_cores = confine_to_one_core()  # this process and the browsers it starts
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                alone = await browser_phase(browser, studio, 1, seconds)
                await browser_phase(browser, studio, sessions, seconds)
                drawing = statistics.median(alone.redraws) - statistics.median(alone.server)  # the browser's part
                pause = drawing if remote_pause is None else remote_pause
                await busy_server_phase(browser, studio, sessions, seconds, pause)
                print(f"server peak memory: {peak_memory_mb(studio.process.pid):.0f} MB")
                floor = sessions * alone.browser_cpu / browser_cores
                print(
                    f"{sessions} browsers here need {sessions} × {alone.browser_cpu * 1e3:.0f} ms of CPU per move each:"
                    f" on {browser_cores} core(s), no round of moves takes less than {floor * 1e3:.0f} ms"
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
    parser.add_argument(
        "--remote-pause",
        type=float,
        help="seconds the users with browsers elsewhere wait after each rerun (default: one browser's draw time)",
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sessions, arguments.seconds, arguments.remote_pause))
