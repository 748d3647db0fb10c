"""Under CI=true a peer test that skips for a missing library fails (tests/conftest.py); elsewhere it skips."""

import os
import subprocess
import sys

import pytest

from tests import ROOT

IN_TEST = "tests/frameworks/test_peer_conformance.py::TestTorch::test_step_is_steplr"  # skips while it runs
AT_COLLECTION = "tests/frameworks/test_optax.py"  # skips on import


def run_without_peers(tmp_path, ci: str, test: str) -> subprocess.CompletedProcess:
    for name in ("torch", "jax"):  # these shadow the installed libraries as if they were missing
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise ModuleNotFoundError('hidden', name='{name}')\n")
    env = os.environ | {"CI": ci, "PYTHONPATH": str(tmp_path)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header", test]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("test", "failure"),
    [
        (IN_TEST, f"FAILED {IN_TEST} - skipped under CI=true"),
        (AT_COLLECTION, f"ERROR {AT_COLLECTION} - skipped under CI=true"),
    ],
)
def test_a_missing_peer_library_fails_under_ci(tmp_path, test, failure):
    result = run_without_peers(tmp_path, "true", test)
    assert result.returncode != 0
    assert failure in result.stdout


@pytest.mark.parametrize("test", [IN_TEST, AT_COLLECTION])
def test_a_missing_peer_library_skips_elsewhere(tmp_path, test):
    result = run_without_peers(tmp_path, "false", test)
    assert result.returncode in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), result.stdout
    assert "skipped" in result.stdout
    assert "failed" not in result.stdout
