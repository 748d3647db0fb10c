"""Interleaved timing: candidates take turns, so machine noise hits each of them alike."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable


def interleaved_medians(candidates: dict[str, Callable[[], object]], rounds: int = 15) -> dict[str, float]:
    """Median seconds per call of each candidate, measured in turns within one process."""
    for run in candidates.values():  # warm caches and lazy imports once
        run()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def compile_scripts_once() -> None:
    """AppTest compiles app.py and its page on every run, a third of a Designer rerun; the served
    studio compiles each script once (its runtime keeps one script cache). Run pages as it serves
    them: the page benches, and the tests (tests/conftest.py)."""
    from streamlit.testing.v1 import app_test  # noqa: PLC0415 — only the page benches use AppTest

    compiled = app_test.ScriptCache()
    app_test.ScriptCache = lambda: compiled


def measure_rerun(app, traced: bool = False) -> float:
    """Seconds of one AppTest rerun of ``app``, or, traced, its peak bytes allocated (NumPy reports
    its arrays to tracemalloc; tracing slows Python severalfold, so times are taken untraced)."""
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    app.run()
    measured = time.perf_counter() - start
    if traced:
        measured = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert not app.exception, app.exception
    return measured
