"""Work bounded by what is shown: the Compare page with six schedules of 10⁴ and of 10⁹ steps, and
the engine's envelope and statistics at every size, in one process.

    python -m bench.bench_scale

Caches are cleared before each rerun. Compare's sessions take turns (machine noise hits both
alike); each rerun's peak allocation comes from tracemalloc, to which NumPy reports its arrays.
Goal: a 10⁹-step rerun within 2× of a 10⁴-step one, and memory bounded by the points drawn
(~100 MB per schedule at most), not by the steps.
"""

from __future__ import annotations

import logging
import resource
import statistics
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

import schedules
from bench.timing import compile_scripts_once, interleaved_medians, measure_rerun
from schedules.envelope import envelope
from schedules.stats import summarize_schedule
from studio.presets import PRESETS

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "compare.py")
RERUNS = 15
SIX = list(PRESETS)[:6]


def at_steps(name: str, total_steps: int) -> dict:
    """The preset ``name`` stretched to about ``total_steps`` steps (its epochs kept)."""
    doc = schedules.from_config(PRESETS[name]).to_config()
    doc["steps_per_epoch"] = max(1, total_steps // int(doc["schedule"]["total_epochs"]))
    return schedules.from_config(doc).to_config()


def compare_session(total_steps: int) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=300)
    app.session_state["compare_items"] = [
        {"id": index, "name": name, "document": at_steps(name, total_steps), "follows": None, "error": None}
        for index, name in enumerate(SIX, start=1)
    ]
    app.session_state["compare_next_id"] = len(SIX)
    app.run()
    assert not app.exception, app.exception
    return app


def rerun(app: AppTest, traced: bool = False) -> float:
    """Seconds of one rerun with nothing cached — every curve and statistic computed again — or,
    traced, its peak bytes allocated."""
    st.cache_data.clear()
    return measure_rerun(app, traced)


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    compile_scripts_once()
    sizes = {"10^4": 10_000, "10^9": 1_000_000_000}
    apps = {label: compare_session(steps) for label, steps in sizes.items()}
    times: dict[str, list[float]] = {label: [] for label in sizes}
    peaks = dict.fromkeys(sizes, 0)
    for _ in range(RERUNS):
        for label, app in apps.items():  # in turns
            times[label].append(rerun(app))
    for label, app in apps.items():
        peaks[label] = max(rerun(app, traced=True) for _ in range(3))
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"Compare page, six schedules, rerun median of {RERUNS} in turns:")
    for label in sizes:
        print(f"  {label} steps each: {medians[label] * 1e3:6.0f} ms, peak allocation {peaks[label] / 2**20:6.1f} MiB")
    print(f"  ratio 10^9 / 10^4 = {medians['10^9'] / medians['10^4']:.2f}x (goal <= 2x)")

    print("engine, one cosine schedule with warm-up and hold (envelope of 2,000 buckets; statistics):")
    for label, steps_per_epoch in (("10^4", 100), ("10^6", 10_000), ("10^9", 10_000_000)):
        s = schedules.from_config(at_steps("Cosine with warm-up, hold and epsilon", 100 * steps_per_epoch))
        medians = interleaved_medians(
            {"envelope": lambda s=s: envelope(s, 2000), "stats": lambda s=s: summarize_schedule(s)}, rounds=5
        )
        envelope_ms, stats_ms = medians["envelope"] * 1e3, medians["stats"] * 1e3
        print(f"  {label} steps: envelope {envelope_ms:6.1f} ms, statistics {stats_ms:6.1f} ms")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
