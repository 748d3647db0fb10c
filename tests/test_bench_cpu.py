"""The suite's CPU meter (``-p bench.pytest_cpu``) counts what a test spends, in any process it starts.
(It reads the whole machine's busy time, so what else runs adds to it: no upper bound is asserted.)"""

import subprocess
import sys
import textwrap

import pytest

from tests import ROOT

SPIN = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
BURN = textwrap.dedent(
    f"""
    import subprocess, sys

    def test_burns_half_a_second_in_a_child():
        subprocess.run([sys.executable, "-c", {SPIN!r}], check=True)
    """
)


def meter(tmp_path, *args) -> subprocess.CompletedProcess:
    (tmp_path / "test_burn.py").write_text(BURN)
    command = [sys.executable, "-m", "pytest", "-p", "bench.pytest_cpu", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(
        [*command, str(tmp_path / "test_burn.py"), "--rootdir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the meter reads /proc/stat")
def test_a_childs_cpu_counts_towards_its_test(tmp_path):
    result = meter(tmp_path, "-n", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {
        line.split()[-1].split("::")[-1]: float(line.split()[0]) for line in result.stdout.splitlines() if "::" in line
    }
    assert rows["test_burns_half_a_second_in_a_child"] >= 0.45
    assert "CPU, in core-seconds of the whole machine" in result.stdout


def test_it_refuses_parallel_workers(tmp_path):
    result = meter(tmp_path, "-n", "2")
    assert result.returncode != 0 and "measures one test at a time: add -n 0" in result.stderr
