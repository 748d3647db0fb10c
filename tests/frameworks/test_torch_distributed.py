"""Two processes train under DistributedDataParallel (gloo, loopback): every rank sets the engine's lr
at every step, and a checkpoint resumed on both ranks continues exactly."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import schedules
from tests import ROOT

pytest.importorskip("torch", reason="PyTorch is not installed (pip install -r requirements-peers.txt)")
pytestmark = pytest.mark.slow

WORLD_SIZE = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(tmp_path, name, *args) -> list[dict]:
    """Run tests/frameworks/torch_worker.py on two ranks at once; each rank's JSON answer."""
    port = free_port()
    processes = []
    for rank in range(WORLD_SIZE):
        env = os.environ | {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            "GLOO_SOCKET_IFNAME": "lo",  # gloo talks over the loopback interface only
            "RANK": str(rank),
            "WORLD_SIZE": str(WORLD_SIZE),
            "OMP_NUM_THREADS": "1",
        }
        out = tmp_path / f"{name}-rank{rank}.json"
        command = [sys.executable, "-m", "tests.frameworks.torch_worker", "--document", str(tmp_path / "doc.json")]
        processes.append(
            (
                out,
                subprocess.Popen(
                    [*command, "--out", str(out), *args],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    answers = []
    try:
        for out, process in processes:
            _, stderr = process.communicate(timeout=180)
            assert process.returncode == 0, stderr
            answers.append(json.loads(out.read_text()))
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return answers


def test_every_rank_sets_the_engines_lr_and_resumes_exactly(tmp_path):
    s = schedules.from_config(
        {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": 6,  # global steps: each rank takes one per global batch
            "schedule": {"kind": "cosine", "base_lr": 0.05, "total_epochs": 5, "warmup_epochs": 1, "epsilon": 1e-4},
        }
    )
    (tmp_path / "doc.json").write_text(schedules.dumps(s))
    checkpoint = str(tmp_path / "ckpt.pt")

    unbroken = launch(tmp_path, "unbroken")
    first = launch(tmp_path, "first", "--stop", "13", "--checkpoint", checkpoint)
    second = launch(tmp_path, "second", "--checkpoint", checkpoint, "--resume")

    expected = s.lr(np.arange(s.total_steps))
    expected = np.stack([expected, expected * 0.5], axis=1)  # the worker's two groups: multipliers 1, 0.5
    for rank in range(WORLD_SIZE):
        assert [first[rank]["rank"], second[rank]["start"]] == [rank, 13]
        np.testing.assert_array_equal(np.array(unbroken[rank]["lrs"]), expected)
        np.testing.assert_array_equal(np.array(first[rank]["lrs"] + second[rank]["lrs"]), expected)
        # DDP averaged the gradients: every rank holds the same weights, resumed or not.
        assert second[rank]["weights"] == unbroken[rank]["weights"] == unbroken[0]["weights"]
