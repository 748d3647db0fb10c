"""`python -m schedules.verify` as a user's CI runs it: real processes, exit codes, what they print."""

import json
import subprocess
import sys

import numpy as np
import pytest

from schedules import dumps, from_config
from tests import ROOT

DOC = {
    "format": "lr-schedule",
    "version": 1,
    "steps_per_epoch": 50,
    "schedule": {"kind": "cosine", "base_lr": 0.1, "total_epochs": 20, "warmup_epochs": 2, "epsilon": 1e-4},
}
DESIGN = from_config(DOC)


def csv_log(path, values, column="lr"):
    steps = np.arange(len(values))
    lines = [f"step,{column}"] + [f"{s},{float(np.float32(v))!r}" for s, v in zip(steps, values, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def verify(*args):
    command = [sys.executable, "-m", "schedules.verify", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "lr-schedule.json"
    path.write_text(dumps(DESIGN))
    return path


def test_a_matching_run_exits_0(tmp_path, config):
    log = csv_log(tmp_path / "metrics.csv", DESIGN.lr(np.arange(DESIGN.total_steps)))
    result = verify(log, "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("match: all 1,000 logged steps of 'lr' follow the design")


def test_a_mismatch_exits_1_with_its_findings_one_a_line(tmp_path, config):
    log = csv_log(tmp_path / "metrics.csv", DESIGN.lr(4 * np.arange(DESIGN.total_steps)))
    result = verify(log, "--config", config)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mismatch: ") and "first at step 1," in lines[0]
    assert lines[1] == (
        "- the schedule runs 4.00× faster than designed: was the total counted in micro-batches, "
        "e.g. gradient accumulation 4?"
    )


def test_json_output_is_one_object(tmp_path, config):
    log = csv_log(tmp_path / "metrics.csv", DESIGN.lr(np.arange(DESIGN.total_steps) + 1))
    result = verify(log, "--config", config, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["points"] == 1000 and report["match"] is False and report["max_rel_error"] > 0
    assert report["findings"][0]["type"] == "offset" and report["findings"][0]["steps"] == 1
    assert from_config(report["fitted"]).kind.name == "cosine"  # the log's own schedule, found


def test_without_a_config_the_fitted_document_is_printed(tmp_path):
    log = csv_log(tmp_path / "metrics.csv", DESIGN.lr(np.arange(DESIGN.total_steps)))
    result = verify(log, "--steps-per-epoch", 50)
    assert result.returncode == 0, result.stderr
    fitted = from_config(json.loads(result.stdout))
    assert fitted.kind.name == "cosine" and fitted.warmup_steps == 100 and fitted.total_steps == 1000
    assert "matches every logged step" in result.stderr


def test_without_a_config_a_micro_batch_stretch_is_read_off_the_log(tmp_path):
    """A scheduler stepped per micro-batch under accumulation 4 (a real PyTorch loop's log): the
    fitted schedule ends at step 10 of a 40-step log, said on stderr and in --json."""
    log = ROOT / "tests" / "data" / "real_logs" / "gen-torch-scheduler-per-micro-batch" / "lr.csv"
    result = verify(log)
    assert result.returncode == 0, result.stderr
    assert (
        "- the schedule ends at step 10 and the log goes on at its final lr to step 40, 4× as far: was the "
        "scheduler stepped per micro-batch, e.g. gradient accumulation 4?"
    ) in result.stderr.splitlines()
    summary = json.loads(verify(log, "--json").stdout)
    assert [(f["type"], f["factor"]) for f in summary["findings"]] == [("stretch", 4.0)]


def test_without_a_config_a_run_with_skipped_steps_prints_its_design_and_says_so():
    """A real GradScaler loop's log: the design with the skipped steps taken out is printed (the
    run's cosine), and stderr says it is that design, its differences measured as logged."""
    log = ROOT / "tests" / "data" / "real_logs" / "gen-torch-gradscaler-skipped-steps" / "lr.csv"
    result = verify(log)
    assert result.returncode == 0, result.stderr
    fitted = json.loads(result.stdout)["schedule"]
    assert (fitted["kind"], fitted["base_lr"], fitted["total_epochs"], fitted["warmup_epochs"]) == (
        "cosine",
        0.001,
        40.0,
        5.0,
    )
    verdict = result.stderr.splitlines()[0]
    assert verdict.startswith("fitted to 40 points of 'lr': is the design it fits with its skipped steps taken out")
    assert "(as logged: largest relative difference " in verdict
    assert "optimizer steps skipped by a mixed-precision loss scaler" in result.stderr


def test_steps_per_epoch_overrides_the_config(tmp_path, config):
    other = from_config(DOC | {"steps_per_epoch": 25})
    log = csv_log(tmp_path / "metrics.csv", other.lr(np.arange(other.total_steps)))
    assert verify(log, "--config", config).returncode == 1
    assert verify(log, "--config", config, "--steps-per-epoch", 25).returncode == 0


def test_several_series_without_a_tag_exit_2_naming_them(tmp_path, config):
    values = DESIGN.lr(np.arange(DESIGN.total_steps))
    lines = ["step,lr-SGD/pg1,lr-SGD/pg2"] + [f"{s},{float(v)!r},{float(2 * v)!r}" for s, v in enumerate(values)]
    log = tmp_path / "metrics.csv"
    log.write_text("\n".join(lines) + "\n")
    result = verify(log, "--config", config)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "the log holds 2 learning-rate series, choose one: 'lr-SGD/pg1' (1,000 points, steps 0–999), "
        "'lr-SGD/pg2' (1,000 points, steps 0–999) (--tag NAME)"
    )
    assert verify(log, "--config", config, "--tag", "lr-SGD/pg1").returncode == 0
    assert verify(log, "--config", config, "--tag", "lr-SGD/pg2").returncode == 1


def written(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nowhere", "nowhere: no such file or folder"),
        (lambda d: written(d / "model.bin", b"\x00\x01"), "model.bin: not a log"),
        (lambda d: written(d / "empty.csv", b""), "empty.csv: the file is empty"),
    ],
)
def test_an_unreadable_log_exits_2_with_one_sentence(tmp_path, config, make, message):
    result = verify(make(tmp_path), "--config", config)
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_invalid_config_exits_2_naming_the_file_and_field(tmp_path):
    log = csv_log(tmp_path / "metrics.csv", [0.1, 0.1])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(DOC | {"schedule": DOC["schedule"] | {"epsilon": 1.0}}))
    result = verify(log, "--config", bad)
    assert result.returncode == 2
    assert result.stderr.strip() == "bad.json: schedule.epsilon: must not exceed base_lr (0.1), got 1.0"
    result = verify(log, "--config", tmp_path / "missing.json")
    assert result.returncode == 2 and result.stderr.strip() == "missing.json: no such file or folder"


def test_an_event_folder_from_a_writer(tmp_path, config):
    """The same check on TensorBoard event files in a run folder (written by TensorBoard's writer)."""
    event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
    summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(tmp_path / "run" / "train"))
    for step, value in enumerate(DESIGN.lr(np.arange(DESIGN.total_steps))):
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="learning_rate", simple_value=value)])
        writer.add_event(event_pb2.Event(step=step, wall_time=1.0, summary=summary))
    writer.close()
    result = verify(tmp_path / "run", "--config", config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_verification_needs_numpy_alone():
    """The readers, diagnosis, fit and CLI load no TensorFlow, TensorBoard, SciPy, pandas or Streamlit."""
    heavy = ("tensorflow", "tensorboard", "scipy", "pandas", "streamlit", "plotly", "torch", "keras", "google")
    probe = (
        "import sys, schedules.logs, schedules.diagnose, schedules.fit, schedules.verify; "
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & set({heavy!r})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
