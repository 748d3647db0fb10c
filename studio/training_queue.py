"""The training queue: demo trainings, range tests and bake-offs started from the browser, one at
a time per server process, each in a worker process.

Each request runs ``python -m training.demo --json`` in its own process, so the studio's server
never imports TensorFlow and a Stop is a clean SIGTERM the demo answers by ending its run. Requests
made while a run is in progress wait in line and start in turn. Nothing here imports Streamlit.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schedules import from_config

ROOT = Path(__file__).resolve().parents[1]
FINISHED = ("completed", "stopped", "diverged", "failed")


def runs_root() -> Path:
    """Where runs are written: ``$RUNS_DIR``, or ``runs/`` beside the app."""
    return Path(os.environ.get("RUNS_DIR") or ROOT / "runs").resolve()


def check_writable(root: Path) -> str | None:
    """None when runs can be written under ``root``; otherwise one sentence saying why not."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-check-"):
            pass
    except OSError as error:
        return f"RUNS_DIR: cannot write training runs to {root} ({error.strerror or error})."
    return None


@dataclass(frozen=True)
class TrainRequest:
    """What a user asked to train, and who asked (a short label of their session)."""

    document: dict
    epochs: int
    batch_size: int = 32
    optimizer: str = "sgd"
    seed: int = 0
    dataset: str = "digits"
    baseline: bool = False
    # The user's own baseline; both None: the scaled one (``schedules.document.step_baseline``).
    baseline_drop: float | None = None
    baseline_epochs_per_drop: float | None = None
    owner: str = ""

    @property
    def total_work(self) -> int:
        """What the progress bar counts: epochs over all runs."""
        return self.epochs * (2 if self.baseline else 1)

    def done_message(self, job: Job) -> str:
        return "completed 1 run" if len(job.runs) == 1 else f"completed {len(job.runs)} runs"

    def command(self, config_path: Path, runs_dir: Path) -> list[str]:
        command = [sys.executable, "-m", "training.demo", "--json", "--config", str(config_path)]
        command += ["--epochs", str(self.epochs), "--batch-size", str(self.batch_size), "--optimizer", self.optimizer]
        command += ["--seed", str(self.seed), "--dataset", self.dataset, "--logdir", str(runs_dir)]
        if self.baseline:
            command += ["--baseline"]
            if self.baseline_drop is not None:
                command += ["--baseline-drop", str(self.baseline_drop)]
            if self.baseline_epochs_per_drop is not None:
                command += ["--baseline-epochs-per-drop", str(self.baseline_epochs_per_drop)]
        return command


@dataclass
class RunProgress:
    """One run of a job (the schedule, or its baseline) as its events arrive."""

    name: str  # its folder's name
    run_dir: str
    status: str = "running"
    message: str = ""
    epochs: list[dict[str, Any]] = field(default_factory=list)
    schedule: str = ""  # in a bake-off: the schedule's name in the set, and the seed
    seed: int | None = None


@dataclass
class Job:
    """A request in line or training, with everything its worker process reported."""

    id: int
    request: TrainRequest
    status: str = "queued"  # queued → running → completed | stopped | diverged | failed
    message: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""  # the demo's own one-sentence error, when it refused to run
    runs: list[RunProgress] = field(default_factory=list)
    process: subprocess.Popen | None = None
    stop_requested: bool = False
    stop_pressed_in: int | None = None  # the epoch the run was in when Stop reached the queue
    events: list[dict[str, Any]] = field(default_factory=list)  # every line the worker printed

    @property
    def total_epochs(self) -> int:
        return self.request.total_work

    def handle(self, event: dict[str, Any]) -> None:
        """Apply one JSON line of the worker (``training.demo --json`` or ``training.find_lr --json``)."""
        self.events.append(event)
        kind = event.get("event")
        if kind == "start":
            self.runs.append(
                RunProgress(event["run"], event["run_dir"], schedule=event.get("name", ""), seed=event.get("seed"))
            )
        elif kind == "epoch" and self.runs:
            self.runs[-1].epochs.append({k: v for k, v in event.items() if k not in ("event", "message", "run")})
        elif kind == "end" and self.runs:
            self.runs[-1].status, self.runs[-1].message = event["status"], event["message"]
        elif kind in ("note", "error"):
            self.notes.append(event["message"])
            if kind == "error":
                self.error = event["message"]


class TrainingQueue:
    """Runs jobs one at a time, in the order they were submitted; safe to share between sessions."""

    def __init__(self, root: Path | None = None):
        self.root = root or runs_root()
        self._lock = threading.Lock()
        self._waiting: collections.deque[Job] = collections.deque()
        self._current: Job | None = None
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}

    # What sessions see --------------------------------------------------------------------------
    @property
    def current(self) -> Job | None:
        return self._current

    def job(self, job_id: int | None) -> Job | None:
        return self._jobs.get(job_id) if job_id is not None else None

    def position(self, job: Job) -> int:
        """0 while running or done, 1 for next in line, and so on."""
        with self._lock:
            return next((index + 1 for index, waiting in enumerate(self._waiting) if waiting is job), 0)

    # What sessions do ---------------------------------------------------------------------------
    def submit(self, request: TrainRequest) -> Job:
        """Queue a request (validated first: a bad schedule raises ConfigError and queues nothing)."""
        request.check() if hasattr(request, "check") else from_config(request.document)
        job = Job(next(self._ids), request)
        with self._lock:
            self._jobs[job.id] = job
            self._waiting.append(job)
            start = self._current is None
        if start:
            threading.Thread(target=self._work, name="training-queue", daemon=True).start()
        return job

    def stop(self, job: Job) -> None:
        """End a job: a queued one leaves the line, a running one gets SIGTERM and ends cleanly."""
        with self._lock:
            job.stop_requested = True
            if job.runs and job.stop_pressed_in is None:
                job.stop_pressed_in = len(job.runs[-1].epochs) + 1
            if job in self._waiting:
                self._waiting.remove(job)
                job.status, job.message = "stopped", "removed from the queue before it started"
                return
        if job.process is not None and job.process.poll() is None:
            job.process.send_signal(signal.SIGTERM)

    # The worker ---------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._current = None
                    return
                job = self._current = self._waiting.popleft()
            self._run(job)

    def _run(self, job: Job) -> None:
        job.status = "running"
        problem = check_writable(self.root)
        if problem:
            job.status, job.message = "failed", problem
            return
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
            # The worker's --config (a document), or its --set (a bake-off's).
            request = job.request
            config.write(request.config_text() if hasattr(request, "config_text") else json.dumps(request.document))
        env = os.environ | {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
        try:
            job.process = subprocess.Popen(
                job.request.command(Path(config.name), self.root),
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for line in job.process.stdout:
                try:
                    job.handle(json.loads(line))
                except (ValueError, KeyError):
                    continue  # not one of the demo's JSON lines
            stderr = job.process.stderr.read()
            code = job.process.wait()
        finally:
            Path(config.name).unlink(missing_ok=True)
        job.status, job.message = self._outcome(job, code, stderr)

    @staticmethod
    def _outcome(job: Job, code: int, stderr: str) -> tuple[str, str]:
        statuses = [run.status for run in job.runs]
        if "diverged" in statuses:
            return "diverged", next(run.message for run in job.runs if run.status == "diverged")
        if job.stop_requested or "stopped" in statuses:
            pressed = f" pressed during epoch {job.stop_pressed_in}" if job.stop_pressed_in else ""
            return "stopped", f"stopped on request{pressed}; what was logged is kept"
        if code == 0:
            return "completed", job.request.done_message(job)
        if code < 0:  # ended by a signal nobody here sent: the system, or a user with kill
            try:
                name = f", {signal.Signals(-code).name}"
            except ValueError:  # a real-time signal has no name
                name = ""
            return "failed", f"the training process was killed (signal {-code}{name})"
        if job.error:  # the demo's own sentence, never TensorFlow's log lines
            return "failed", job.error
        last_line = (stderr.strip().splitlines() or ["no output"])[-1]
        return "failed", f"the training process ended with status {code}: {last_line[:300]}"
