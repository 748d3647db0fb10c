"""Keras under MultiWorkerMirroredStrategy, two worker processes on loopback: every worker applies the
engine's lr at every global step, and only the chief writes the lr log."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import schedules
from tests import ROOT

pytest.importorskip("tensorflow")
pytestmark = pytest.mark.slow

WORKERS = 2


def free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def test_every_worker_applies_the_engines_lr_and_only_the_chief_logs(tmp_path):
    s = schedules.from_config(
        {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": 8,  # global steps: one global batch (both workers' shares) each
            "schedule": {"kind": "cosine", "base_lr": 0.05, "total_epochs": 3, "warmup_epochs": 1, "epsilon": 1e-3},
        }
    )
    (tmp_path / "doc.json").write_text(schedules.dumps(s))
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(WORKERS)]}
    processes = []
    for index in range(WORKERS):
        env = os.environ | {
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
        args = [tmp_path / "doc.json", tmp_path / f"logs{index}", tmp_path / f"worker{index}.json"]
        command = [sys.executable, "-m", "tests.frameworks.keras_multiworker", *map(str, args)]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True))
    try:
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    from training.events import read_scalars  # NumPy alone

    steps = np.arange(s.total_steps)
    answers = [json.loads((tmp_path / f"worker{index}.json").read_text()) for index in range(WORKERS)]
    assert [answer["replicas"] for answer in answers] == [WORKERS, WORKERS]
    assert answers[0]["weights"] == answers[1]["weights"]  # they trained as one model
    seen = [answer["seen"] for answer in answers]
    assert seen[0] == seen[1]  # the same lr on both workers at every step
    assert [step for step, _ in seen[0]] == steps.tolist()
    np.testing.assert_allclose([lr for _, lr in seen[0]], s.lr(steps), rtol=1e-6, atol=1e-9)

    logged_steps, logged = read_scalars(tmp_path / "logs0")
    assert logged_steps.tolist() == steps.tolist()
    np.testing.assert_allclose(logged, s.lr(steps), rtol=1e-6, atol=1e-9)
    assert not (tmp_path / "logs1").exists()  # the other worker wrote no log
