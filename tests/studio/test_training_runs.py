"""The training queue's bookkeeping, without training: events, outcomes, past runs, read-back."""

import json

from studio import design
from studio.training_runs import Job, TrainRequest, check_writable, past_runs, shown_path

DOC = design.document(design.DEFAULTS)


def test_job_follows_the_demo_events():
    job = Job(1, TrainRequest(DOC, epochs=2, baseline=True))
    job.handle({"event": "start", "run": "a", "run_dir": "/x/a"})
    job.handle({"event": "epoch", "run": "a", "epoch": 1, "loss": 1.0, "message": "…"})
    job.handle({"event": "note", "message": "maps onto 45 steps"})
    assert job.progress == 0.25 and job.runs[0].epochs == [{"epoch": 1, "loss": 1.0}]
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


def test_a_run_left_running_by_a_dead_process_is_incomplete(tmp_path):
    for name, status in (("1-cosine", "running"), ("2-cosine", "running"), ("3-step", "completed")):
        (tmp_path / name).mkdir()
        history = [{"epoch": 1, "val_accuracy": 0.5}]
        (tmp_path / name / "run.json").write_text(json.dumps({"status": status, "history": history, "schedule": DOC}))
    (tmp_path / "4-broken").mkdir()
    (tmp_path / "4-broken" / "run.json").write_text("{cut sho")
    rows = {row["run"]: row["status"] for row in past_runs(tmp_path, active={"2-cosine"})}
    assert rows == {"1-cosine": "incomplete", "2-cosine": "running", "3-step": "completed"}


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new") is None
    (tmp_path / "file").write_text("")
    assert check_writable(tmp_path / "file" / "runs").startswith("RUNS_DIR: cannot write training runs to")


def test_shown_path_is_relative_below_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "runs") == "runs"
    assert shown_path(tmp_path.parent) == str(tmp_path.parent)
