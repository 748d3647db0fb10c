"""The range test on the demo, as users run it: `lr-studio find-lr` (``python -m training.find_lr``)."""

import json
import subprocess
import sys

import pytest

from schedules import range_test as rt
from tests import ROOT

pytestmark = pytest.mark.slow

DOC = {
    "format": "lr-schedule",
    "version": 1,
    "steps_per_epoch": 100,
    "schedule": {"kind": "cosine", "base_lr": 0.05, "total_epochs": 20, "warmup_epochs": 2},
}


def find_lr(*args):
    command = [sys.executable, "-m", "studio.cli", "find-lr", "--json", *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    return result, [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_two_seeds_on_the_digits_give_suggestions_and_a_file(tmp_path):
    out = tmp_path / "range.json"
    result, events = find_lr("--steps", "80", "--seeds", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert [e["seed"] for e in events if e["event"] == "seed"] == [0, 1]
    (document,) = [e["document"] for e in events if e["event"] == "result"]
    test = rt.loads(out.read_bytes())
    assert test.to_json() == document and len(test.curves) == 2
    assert {e["name"] for e in events if e["event"] == "suggestion"} == set(rt.SUGGESTIONS)
    assert test.suggestions["minimum"] is not None


def test_check_trains_the_schedule_at_a_third_once_and_three_times(tmp_path):
    config = tmp_path / "schedule.json"
    config.write_text(json.dumps(DOC))
    result, events = find_lr("--check", "0.05", "--config", str(config), "--steps", "60")
    assert result.returncode == 0, result.stderr[-3000:]
    checks = [e for e in events if e["event"] == "check"]
    assert [round(e["peak_lr"], 6) for e in checks] == [round(0.05 / 3, 6), 0.05, 0.15]
    assert all(e["steps"] == 60 and e["val_loss"] is not None for e in checks)  # 20 epochs × 3 steps


def test_a_diverging_check_says_so_instead_of_a_number(tmp_path):
    config = tmp_path / "schedule.json"
    config.write_text(json.dumps(DOC))
    result, events = find_lr("--check", "300", "--config", str(config), "--steps", "40")
    assert result.returncode == 0
    (last,) = [e for e in events if e["event"] == "check" and e["factor"] == 3.0]
    assert last["stopped"] and last["val_accuracy"] is None


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--end-lr", "1e-8"], "end_lr: must be above start_lr"),
        (["--steps", "3"], "steps: must be an integer in [10, 10000]"),
        (["--seeds", "0"], "seeds: must be an integer in [1, 20]"),
        (["--check", "0.1"], "config: --check needs --config"),
    ],
)
def test_invalid_arguments_are_one_sentence(args, sentence):
    result, events = find_lr(*args)
    assert result.returncode == 2
    (error,) = [e for e in events if e["event"] == "error"]
    assert sentence in error["message"] and "Traceback" not in result.stderr
