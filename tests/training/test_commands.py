"""The training commands' exit: their status, everything they printed, and every exit function
registered while they ran, without the interpreter's teardown (``training.demo.run_command``)."""

import subprocess
import sys

from tests import ROOT

PROBE = """
import atexit, sys
from training.demo import run_command

def main():
    atexit.register(lambda: print("closed by an exit function", file=sys.stderr))
    sys.stdout.write("buffered, never flushed")  # no newline, no flush
    return int(sys.argv[1])

run_command(main)
"""


def run(*args: str, probe: str = PROBE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_the_status_the_output_and_the_exit_functions_all_arrive():
    for status in (0, 1, 2):
        result = run(str(status))
        assert result.returncode == status
        assert result.stdout == "buffered, never flushed"
        assert result.stderr == "closed by an exit function\n"


def test_a_failure_exits_as_python_does_with_its_traceback():
    result = run("not a number")
    assert result.returncode == 1 and "ValueError" in result.stderr and result.stdout == "buffered, never flushed"


def test_a_command_refuses_the_optional_imports_it_never_uses():
    """JAX (which TensorFlow's lite converter imports when installed) and pandas (Keras's, for
    DataFrames) cost a training process 0.8 s and 170 MiB; the demo runs in tests/training prove
    Keras trains without them."""
    probe = (
        "import sys\nfrom training.demo import run_command\n"
        "def main():\n"
        "    for name in ('jax', 'pandas'):\n"
        "        try:\n"
        "            __import__(name)\n"
        "        except ImportError:\n"
        "            print(name, 'refused')\n"
        "    return 0\n"
        "run_command(main)\n"
    )
    result = run(probe=probe)
    assert result.returncode == 0 and result.stdout.splitlines() == ["jax refused", "pandas refused"]
