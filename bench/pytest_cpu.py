"""Where the test suite's CPU goes: each test's cost in core-seconds of the whole machine.

    .venv/bin/python -m pytest -n 0 -p bench.pytest_cpu

Run it in one process on an otherwise idle machine. It reads the busy time of every core
(``/proc/stat``, Linux) before and after each test, setup and teardown included, so the browser,
server and training processes a test starts count towards it, and so would anything else
running. At the end it prints the total, each test folder's share, collection and the costliest
tests.
"""

from __future__ import annotations

import collections
import os
import time
from pathlib import Path

import pytest

STAT = Path("/proc/stat")
COSTLIEST = 15


def busy_seconds() -> float:
    """Core-seconds every core has spent busy since boot (all but idle and I/O wait)."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, STAT.read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuCost:
    def __init__(self) -> None:
        self.tests: dict[str, tuple[float, float]] = {}  # node id -> (core-seconds, wall seconds)
        self.collection = 0.0

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collection(self, session):
        before = busy_seconds()
        yield
        self.collection = busy_seconds() - before

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        before, start = busy_seconds(), time.monotonic()
        yield
        self.tests[item.nodeid] = (busy_seconds() - before, time.monotonic() - start)

    def pytest_terminal_summary(self, terminalreporter):
        write = terminalreporter.write_line
        total = sum(cpu for cpu, _ in self.tests.values())
        if not self.tests or total <= 0:
            return
        terminalreporter.section("CPU, in core-seconds of the whole machine")
        write(f"{total:8.1f}  {len(self.tests)} tests; collection {self.collection:.1f}")
        folders: collections.Counter[str] = collections.Counter()
        for nodeid, (cpu, _) in self.tests.items():
            folders[nodeid.split("::")[0].rsplit("/", 1)[0]] += cpu
        for folder, cpu in folders.most_common():
            write(f"{cpu:8.1f}  {100 * cpu / total:3.0f} %  {folder}/")
        write(f"the {COSTLIEST} costliest tests (core-seconds, wall seconds):")
        for nodeid, (cpu, wall) in sorted(self.tests.items(), key=lambda item: -item[1][0])[:COSTLIEST]:
            write(f"{cpu:8.1f}  {wall:6.1f}  {nodeid}")


def pytest_configure(config):
    if not STAT.exists():
        raise pytest.UsageError("bench.pytest_cpu reads /proc/stat: Linux only")
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("bench.pytest_cpu measures one test at a time: add -n 0")
    config.pluginmanager.register(CpuCost(), "cpu-cost")
