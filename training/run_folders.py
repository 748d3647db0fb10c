"""Run folders: where each training writes its logs and its ``run.json`` record.

No TensorFlow here: the studio lists and reads runs with this module alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from schedules import Schedule
from schedules.verify import RUN_RECORD
from training.options import RunOptions

RUN_FILE = RUN_RECORD  # a run folder's record: schedule, options, status, history; the engine reads its design
HEARTBEAT_FILE = "heartbeat"  # touched every HEARTBEAT_SECONDS while a process trains the run
HEARTBEAT_SECONDS = 5.0


class Heartbeat:
    """Touch ``run_dir/heartbeat`` every few seconds from a background thread until stopped, so
    any process reading the runs folder (another server sharing it) can tell a live run from one
    whose process died. The file names the host and process that train the run."""

    def __init__(self, run_dir: Path, seconds: float = HEARTBEAT_SECONDS):
        self.path = Path(run_dir) / HEARTBEAT_FILE
        self._stopped = threading.Event()
        self.path.write_text(f"{socket.gethostname()} {os.getpid()}\n")
        self._thread = threading.Thread(target=self._beat, args=(seconds,), name="run-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self, seconds: float) -> None:
        while not self._stopped.wait(seconds):
            self.path.touch()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        self.path.unlink(missing_ok=True)


def is_alive(run_dir: Path, now: float | None = None, seconds: float = HEARTBEAT_SECONDS) -> bool:
    """True while a process trains the run: its heartbeat is fresher than three beats and, when
    that process is on this host, it still exists (a killed one is seen at once)."""
    path = Path(run_dir) / HEARTBEAT_FILE
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
        host, pid = path.read_text().split()
    except (OSError, ValueError):
        return False
    if host == socket.gethostname() and not _process_exists(int(pid)):
        return False
    return age < 3 * seconds


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:  # there, but another user's
        return True
    return True


@dataclass
class RunResult:
    """What a run did: where it logged, how it ended, and its per-epoch metrics."""

    run_dir: Path
    status: str = "running"  # running → completed | stopped | diverged
    message: str = ""
    steps_per_epoch: int = 0
    initial_weights: str = ""  # sha256 of the starting weights: equal runs start equal
    name: str = ""  # the schedule's name in a bake-off's set
    bakeoff: str = ""  # the bake-off the run belongs to ("bakeoff-<timestamp>", shared by its runs)
    history: list[dict[str, float]] = field(default_factory=list)


def new_run_dir(root: str | Path, label: str, now: dt.datetime | None = None) -> Path:
    """A fresh folder ``root/<timestamp>-<label>``; never one that exists (a suffix is added).

    The label is reduced to letters, digits, ``-`` and ``_``, so no run can name a path outside
    ``root``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:40] or "run"
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        candidate = root / (f"{stamp}-{safe}" if attempt == 1 else f"{stamp}-{safe}-{attempt}")
        try:
            candidate.mkdir()  # atomic: two runs never get the same folder
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"no free run folder for {stamp}-{safe} under {root}")


def weights_digest(weights: list[np.ndarray]) -> str:
    digest = hashlib.sha256()
    for array in weights:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def write_run_file(result: RunResult, schedule: Schedule, options: RunOptions) -> None:
    """``run.json``: the schedule, options, status and history; rewritten atomically."""
    record = {
        "schedule": schedule.to_config(),
        "options": asdict(options),
        **{key: value for key, value in asdict(result).items() if key != "run_dir"},
    }
    temporary = result.run_dir / (RUN_FILE + ".tmp")
    temporary.write_text(json.dumps(record, indent=2, allow_nan=False, default=float))
    temporary.replace(result.run_dir / RUN_FILE)
