"""How long the designer takes to redraw after a slider change, run headless by AppTest.

    python -m bench.bench_designer

Each rerun moves the warm-up slider to a new value (no cache hits), at 10⁴ and at 10⁶ total steps;
the ratio shows what a hundred times more steps cost. Goal: median ≤ 100 ms at 10⁶ steps.
"""

from __future__ import annotations

import itertools
import logging
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
RERUNS = 25


def rerun_times(steps_per_epoch: int) -> list[float]:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["steps_per_epoch"] = steps_per_epoch
    app.run()
    times = []
    for warmup in itertools.islice(itertools.cycle(range(1, 40)), RERUNS):
        app.slider(key="warmup_epochs").set_value(float(warmup))
        start = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - start)
        assert not app.exception
    return times


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    small, large = statistics.median(rerun_times(100)), statistics.median(rerun_times(10_000))
    print(f"designer rerun after a slider change, median of {RERUNS}:")
    print(f"  10^4 steps: {small * 1e3:.0f} ms   10^6 steps: {large * 1e3:.0f} ms (goal <= 100 ms)")
    print(f"  ratio 10^6 / 10^4 steps = {large / small:.2f}x")


if __name__ == "__main__":
    main()
