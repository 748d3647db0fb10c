#!/usr/bin/env python3
"""The studio's two commands (and the docs ones), on any machine with Python 3.10+:

    python3 tasks.py app          # create .venv, install requirements.txt, serve the studio on :8501
    python3 tasks.py test         # create .venv, install requirements-dev.txt (+ Chromium), run every test
    python3 tasks.py docs         # rewrite the catalog table from the registry, serve the docs on :8000
    python3 tasks.py docs build   # the same, then build the docs into site/ with --strict

Extra arguments go to streamlit (app), pytest (test) or mkdocs serve / mkdocs build (docs).
Installs are skipped while the requirement files are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
# Debian's old headless shell: the same Blink without the browser's own UI, about a fifth less CPU
# to draw a studio page (6.9 against 8.4 core-seconds a page load, measured), which the browser tests repeat.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium-headless-shell")
SERVE = ["-m", "streamlit", "run", "app.py", "--server.headless", "true"]  # the Dockerfile runs the same


# The browser tests and the load bench drive Debian's Chromium headless; without the networking
# flags it keeps trying hosts a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, runs_dir: Path, log=subprocess.DEVNULL, launcher=SERVE) -> subprocess.Popen:
    """`streamlit run app.py` as the README starts it (SERVE, or a ``launcher`` taking its
    arguments), on 127.0.0.1:``port``."""
    command = [sys.executable, *launcher, "--server.port", str(port), "--server.address", "127.0.0.1"]
    env = os.environ | {"RUNS_DIR": str(runs_dir)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, seconds: float = 60) -> bool:
    """True once the server's health check answers "ok", False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.3)
    return False


REWRITE_CATALOG = "from studio.reference import rewrite_catalog; rewrite_catalog('docs/catalog.md')"
# Material for MkDocs 9.7+ prints a banner about MkDocs 2 on every build and serve.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}


def mkdocs(extra: list[str], python: str | Path = PYTHON) -> list[str]:
    """`mkdocs serve` on 127.0.0.1:8000 or, after ``build``, `mkdocs build --strict` (into site/,
    mkdocs.yml's site_dir): a broken link, a missing page or API object fails the build."""
    if extra[:1] == ["build"]:
        return [str(python), "-m", "mkdocs", "build", "--strict", *extra[1:]]
    return [str(python), "-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *extra]


def ensure_venv(requirements: str) -> None:
    """Create .venv and install ``requirements`` unless that exact set is already installed."""
    files = sorted(ROOT.glob("requirements*.txt"))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in files) + requirements.encode()).hexdigest()
    stamp = VENV / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not PYTHON.exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print(f"Installing {requirements} …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(ROOT / requirements)], check=True)
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Install Debian's Chromium headless shell for the browser tests when it is missing and we may
    (root + apt)."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Chromium for the browser tests …", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium-headless-shell"], check=False, env=env)
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not at {CHROMIUM}: the browser tests will be skipped.", flush=True)


def parallel() -> list[str]:
    """pytest-xdist's arguments: a worker per core and one more, up to 4 (each may run a server, a
    browser and a training; a good part of a test waits on them, so one more keeps the cores busy:
    9 min against 11 on two cores), a test file's tests kept on one worker (they share its fixtures),
    handed out in collection order (tests/conftest.py puts the heavy folders first), not by test count,
    which left the files of few long trainings to run last, side by side, after everything else."""
    workers = min((os.cpu_count() or 1) + 1, 4)
    return ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]


def main(argv: list[str]) -> int:
    command, extra = (argv[0], argv[1:]) if argv else ("", [])
    if command == "app":
        ensure_venv("requirements.txt")
        return subprocess.call([str(PYTHON), *SERVE, *extra], cwd=ROOT)
    if command == "test":
        ensure_venv("requirements-dev.txt")
        ensure_chromium()
        lint = subprocess.call([str(PYTHON), "-m", "ruff", "check", "."], cwd=ROOT)
        tests = subprocess.call([str(PYTHON), "-m", "pytest", *parallel(), *extra], cwd=ROOT)
        return tests or lint
    if command == "docs":
        ensure_venv("requirements-dev.txt")
        return subprocess.call([str(PYTHON), "-c", REWRITE_CATALOG], cwd=ROOT) or subprocess.call(
            mkdocs(extra), cwd=ROOT, env=os.environ | MKDOCS_ENV
        )
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
