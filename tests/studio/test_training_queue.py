"""The training queue's bookkeeping and the past runs' records, without training: events,
outcomes, past runs, read-back."""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from studio import design
from studio.past_runs import Readback, past_runs, read_back, readback_summary, shown_path, tensorboard_command
from studio.training_queue import Job, TrainingQueue, TrainRequest, check_writable
from training.run_folders import Heartbeat, is_alive

DOC = design.document(design.DEFAULTS)


def test_job_follows_the_demo_events():
    job = Job(1, TrainRequest(DOC, epochs=2, baseline=True))
    job.handle({"event": "start", "run": "a", "run_dir": "/x/a"})
    job.handle({"event": "epoch", "run": "a", "epoch": 1, "loss": 1.0, "message": "…"})
    job.handle({"event": "note", "message": "maps onto 45 steps"})
    assert job.runs[0].epochs == [{"epoch": 1, "loss": 1.0}]
    job.handle({"event": "end", "run": "a", "status": "diverged", "message": "diverged at epoch 1, step 3"})
    assert job.runs[0].status == "diverged" and job.notes == ["maps onto 45 steps"]


def test_request_command_carries_every_option(tmp_path):
    request = TrainRequest(DOC, epochs=3, batch_size=64, optimizer="adam", seed=7, dataset="spirals", baseline=True)
    command = request.command(tmp_path / "c.json", tmp_path)
    for flag, value in (
        ("--epochs", "3"),
        ("--batch-size", "64"),
        ("--optimizer", "adam"),
        ("--seed", "7"),
        ("--dataset", "spirals"),
    ):
        assert command[command.index(flag) + 1] == value
    assert "--baseline" in command and command[command.index("--logdir") + 1] == str(tmp_path)


def test_the_scaled_baseline_passes_no_drop_and_a_users_own_passes_both(tmp_path):
    scaled = TrainRequest(DOC, epochs=3, baseline=True).command(tmp_path / "c.json", tmp_path)
    assert "--baseline" in scaled and not any(part.startswith("--baseline-") for part in scaled)
    own = TrainRequest(DOC, epochs=3, baseline=True, baseline_drop=0.5, baseline_epochs_per_drop=20.0)
    command = own.command(tmp_path / "c.json", tmp_path)
    assert command[command.index("--baseline-drop") + 1] == "0.5"
    assert command[command.index("--baseline-epochs-per-drop") + 1] == "20.0"


def test_a_run_left_running_by_a_dead_process_is_incomplete(tmp_path):
    for name, status in (("1-cosine", "running"), ("2-cosine", "running"), ("3-step", "completed")):
        (tmp_path / name).mkdir()
        history = [{"epoch": 1, "val_accuracy": 0.5}]
        (tmp_path / name / "run.json").write_text(json.dumps({"status": status, "history": history, "schedule": DOC}))
    (tmp_path / "4-broken").mkdir()
    (tmp_path / "4-broken" / "run.json").write_text("{cut sho")
    rows = {row["run"]: row["status"] for row in past_runs(tmp_path, active={"2-cosine"})}
    assert rows == {"1-cosine": "incomplete", "2-cosine": "running", "3-step": "completed", "4-broken": "unreadable"}


def test_a_run_another_server_is_training_shows_as_running_until_its_heartbeat_stops(tmp_path):
    (tmp_path / "1-cosine").mkdir()
    (tmp_path / "1-cosine" / "run.json").write_text(json.dumps({"status": "running", "history": [], "schedule": DOC}))
    beat = Heartbeat(tmp_path / "1-cosine", seconds=60)
    assert past_runs(tmp_path)[0]["status"] == "running"  # not ours, but its heartbeat is fresh
    beat.stop()
    assert past_runs(tmp_path)[0]["status"] == "incomplete"
    heartbeat = tmp_path / "1-cosine" / "heartbeat"
    heartbeat.write_text("another-host 12345\n")  # a server elsewhere, sharing the folder
    assert is_alive(tmp_path / "1-cosine")
    old = time.time() - 60
    os.utime(heartbeat, (old, old))
    assert not is_alive(tmp_path / "1-cosine")  # it stopped beating


def test_a_killed_worker_on_this_host_is_seen_at_once(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    (tmp_path / "heartbeat").write_text(f"{socket.gethostname()} {process.pid}\n")
    assert is_alive(tmp_path)
    process.kill()
    process.wait()
    assert not is_alive(tmp_path)  # fresh, but its process is gone


@pytest.mark.parametrize(
    "record", ["null", "[]", '{"schedule": null}', '{"status": 1, "schedule": {}}', '"text"', "\xff", "{}"]
)
def test_foreign_run_records_are_listed_as_unreadable_and_never_break_the_list(tmp_path, record):
    (tmp_path / "1-x").mkdir()
    (tmp_path / "1-x" / "run.json").write_bytes(record.encode("latin-1"))
    (row,) = past_runs(tmp_path)
    assert row["status"] == "unreadable" and row["note"].startswith("run.json")
    with pytest.raises(ValueError, match="^run.json"):
        read_back(tmp_path / "1-x")


def test_a_killed_worker_is_named_by_its_signal():
    job = Job(1, TrainRequest(DOC, epochs=2))
    assert TrainingQueue._outcome(job, -9, "W0000 some TensorFlow log line") == (
        "failed",
        "the training process was killed (signal 9, SIGKILL)",
    )
    job.handle({"event": "error", "message": "invalid config: schedule.x: y"})
    assert TrainingQueue._outcome(job, 2, "Traceback …") == ("failed", "invalid config: schedule.x: y")


def test_commands_shown_are_shell_quoted(tmp_path):
    assert tensorboard_command(tmp_path / "my runs") == f"tensorboard --logdir '{tmp_path / 'my runs'}'"


def test_readback_wording_holds_for_zero_and_one():
    empty = np.array([], dtype=np.int64)
    one = np.array([0])
    assert readback_summary(Readback(10, empty, empty, empty, empty)) == "No learning rate was logged for this run yet."
    assert readback_summary(Readback(10, one, one, one, empty)).endswith("at the one step.")
    assert "at 1 of 2 steps" in readback_summary(Readback(10, np.arange(2), one, one, one))


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new") is None
    (tmp_path / "file").write_text("")
    assert check_writable(tmp_path / "file" / "runs").startswith("RUNS_DIR: cannot write training runs to")


def test_shown_path_is_relative_below_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "runs") == "runs"
    assert shown_path(tmp_path.parent) == str(tmp_path.parent)
