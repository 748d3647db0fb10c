"""The headless demo, as users run it: `python -m training.demo`."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import schedules
from tests import ROOT
from training.events import read_scalars

pytestmark = pytest.mark.slow

DOC = {
    "format": "lr-schedule",
    "version": 1,
    "steps_per_epoch": 100,
    "schedule": {"kind": "cosine", "base_lr": 0.05, "total_epochs": 2, "warmup_epochs": 0.5, "hold_epochs": 0.5},
}


def demo(tmp_path, *args, doc=DOC):
    config = tmp_path / "schedule.json"
    config.write_text(json.dumps(doc) if isinstance(doc, dict) else doc)
    command = [
        sys.executable,
        "-m",
        "training.demo",
        "--config",
        str(config),
        "--logdir",
        str(tmp_path / "runs"),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    return result, [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """One two-epoch run on digits and its step-decay baseline."""
    tmp_path = tmp_path_factory.mktemp("demo")
    result, events = demo(tmp_path, "--json", "--baseline", "--epochs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp_path, events


def test_logs_every_steps_learning_rate_exactly(two_runs):
    _, events = two_runs
    for start in (event for event in events if event["event"] == "start"):
        run_dir = start["run_dir"]
        record = json.loads((Path(run_dir) / "run.json").read_text())
        schedule = schedules.from_config(record["schedule"])
        steps, logged = read_scalars(run_dir)
        assert steps.tolist() == list(range(2 * record["steps_per_epoch"]))
        expected = schedule.lr(steps)
        np.testing.assert_allclose(logged, expected, rtol=1e-6, atol=1e-6 * schedule.params["base_lr"] * 1e-3)
        assert read_scalars(run_dir, "epoch_loss")[0].tolist() == [0, 1]


def test_maps_epochs_onto_the_real_steps_and_says_so(two_runs):
    _, events = two_runs
    (note,) = [event for event in events if event["event"] == "note"]
    assert note["steps_per_epoch"] == 45 and "not the file's 100" in note["message"]


def test_beats_chance_and_the_baseline_starts_from_the_same_weights(two_runs):
    _, events = two_runs
    ends = [event for event in events if event["event"] == "end"]
    assert [end["status"] for end in ends] == ["completed", "completed"]
    assert ends[0]["initial_weights"] == ends[1]["initial_weights"]
    last_epochs = [event for event in events if event["event"] == "epoch" and event["epoch"] == 2]
    assert all(epoch["val_accuracy"] > 0.5 for epoch in last_epochs)  # chance is 0.1
    names = [event["run"] for event in events if event["event"] == "start"]
    assert names[0].endswith("-cosine") and names[1].endswith("-step-baseline") and names[0] != names[1]


def test_same_seed_same_result(two_runs, tmp_path):
    _, first = two_runs
    result, again = demo(tmp_path, "--json", "--epochs", "2")
    assert result.returncode == 0
    history = [[e["loss"], e["val_accuracy"]] for e in first if e["event"] == "epoch" and e["run"].endswith("cosine")]
    assert history == [[e["loss"], e["val_accuracy"]] for e in again if e["event"] == "epoch"]


def test_divergence_stops_with_a_message_and_keeps_the_logs(tmp_path):
    doc = json.loads(json.dumps(DOC))
    doc["schedule"].update(base_lr=1e6, warmup_epochs=0, hold_epochs=0)
    result, events = demo(tmp_path, "--epochs", "3", doc=doc)
    assert result.returncode == 1
    assert "diverged at epoch 1, step" in result.stdout and "try a lower base lr" in result.stdout
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert json.loads((run_dir / "run.json").read_text())["status"] == "diverged"
    assert read_scalars(run_dir)[0].size > 0
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**DOC, "version": 3}, "invalid config: version: must be 1, got 3"),
        ("{not json", "invalid config: document: is not valid JSON"),
        (  # valid at 100 steps per epoch, but 0.01 epochs spans no step at the run's 45
            {**DOC, "schedule": {**DOC["schedule"], "warmup_epochs": 0.01}},
            "invalid config at the run's 45 steps per epoch: schedule.warmup_epochs: 0.01 epochs is shorter",
        ),
    ],
)
def test_invalid_config_exits_2_with_the_sentence(tmp_path, doc, message):
    result, _ = demo(tmp_path, doc=doc)
    assert result.returncode == 2
    assert result.stderr.strip() == message or result.stderr.strip().startswith(message)
    assert "Traceback" not in result.stderr and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("epochs", ["0", "-3", "10001"])
def test_out_of_range_epochs_are_refused_not_replaced(tmp_path, epochs):
    result, _ = demo(tmp_path, "--epochs", epochs)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("invalid argument: epochs: must be an integer in [1, 10000]")
    assert not (tmp_path / "runs").exists()


def test_a_killed_run_leaves_readable_logs_and_reads_as_incomplete(tmp_path):
    from studio.past_runs import past_runs

    config = tmp_path / "schedule.json"
    config.write_text(json.dumps(DOC))
    command = [sys.executable, "-m", "training.demo", "--json", "--config", str(config), "--epochs", "500"]
    process = subprocess.Popen(
        [*command, "--logdir", str(tmp_path / "runs")], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    epochs = 0
    for line in process.stdout:
        epochs += json.loads(line)["event"] == "epoch"
        if epochs == 2:
            break
    process.kill()  # no chance to clean up: SIGKILL mid-run
    process.wait(timeout=30)
    (run_dir,) = (tmp_path / "runs").iterdir()
    steps, _ = read_scalars(run_dir)
    assert steps.size >= 45 and steps.tolist() == list(range(steps.size))  # at least the first epoch
    assert [row["status"] for row in past_runs(tmp_path / "runs")] == ["incomplete"]


def test_the_baseline_is_scaled_to_the_schedule_unless_given_its_own(tmp_path):
    from training.demo import parse_args, read_runs  # noqa: PLC0415 - no training here

    config = tmp_path / "schedule.json"
    config.write_text(json.dumps(DOC))
    (_, scaled) = read_runs(parse_args(["--config", str(config), "--baseline"]))[1]
    assert scaled.kind.name == "multistep" and scaled.turning_steps().tolist() == [100 + 33, 100 + 67]
    args = parse_args(
        ["--config", str(config), "--baseline", "--baseline-drop", "0.5", "--baseline-epochs-per-drop", "1"]
    )
    (_, own) = read_runs(args)[1]
    assert (own.kind.name, own.params["drop"], own.params["epochs_per_drop"]) == ("step", 0.5, 1.0)
