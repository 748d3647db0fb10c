"""How long the designer takes to redraw after a slider change, and how much memory a rerun
takes, at 10⁴, 10⁶ and 10⁹ steps, run headless by AppTest in one process.

    python -m bench.bench_designer

Each rerun moves the warm-up slider to a new value (no cache hits). The three sessions take turns,
so machine noise hits them alike; the ratios show what a hundred and a hundred thousand times more
steps cost. Goals: the 10⁹-step rerun within 2× of the 10⁴-step one; its memory bounded (NumPy
reports its allocations to tracemalloc, so the peak below is the rerun's own).
"""

from __future__ import annotations

import itertools
import logging
import statistics
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.timing import compile_scripts_once, measure_rerun

APP = str(Path(__file__).resolve().parents[1] / "app.py")
RERUNS = 25
SIZES = {"10^4": 100, "10^6": 10_000, "10^9": 10_000_000}  # steps per epoch, over 100 epochs


def session(steps_per_epoch: int) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["steps_per_epoch"] = steps_per_epoch
    app.run()
    assert not app.exception, app.exception
    return app


def rerun(app: AppTest, warmup: float, traced: bool = False) -> float:
    """Seconds of one rerun after the warm-up slider moves, or, traced, its peak bytes allocated."""
    app.slider(key="warmup_epochs").set_value(warmup)
    return measure_rerun(app, traced)


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    compile_scripts_once()
    apps = {label: session(steps) for label, steps in SIZES.items()}
    times: dict[str, list[float]] = {label: [] for label in SIZES}
    peaks: dict[str, int] = dict.fromkeys(SIZES, 0)
    for warmup in itertools.islice(itertools.cycle(range(1, 40)), RERUNS):
        for label, app in apps.items():  # in turns
            times[label].append(rerun(app, float(warmup)))
    for label, app in apps.items():
        peaks[label] = max(rerun(app, float(warmup), traced=True) for warmup in (41, 42, 43))
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"designer rerun after a slider change, median of {RERUNS}, sessions in turns:")
    for label in SIZES:
        print(f"  {label} steps: {medians[label] * 1e3:6.0f} ms, peak allocation {peaks[label] / 2**20:6.1f} MiB")
    print(f"  ratio 10^6 / 10^4 = {medians['10^6'] / medians['10^4']:.2f}x")
    print(f"  ratio 10^9 / 10^4 = {medians['10^9'] / medians['10^4']:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
