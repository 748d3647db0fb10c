"""The Train page, run headless by AppTest: a short real run, the busy state, a bad RUNS_DIR."""

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from studio import presets
from tests.pages.conftest import ROOT, plain

pytestmark = pytest.mark.slow


def train_page(runs_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("RUNS_DIR", str(runs_dir))
    return AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=60).run()


def status_text(at: AppTest) -> str:
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def run_until(at: AppTest, done, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        if done(at):
            return at
        time.sleep(1)  # each rerun redraws the page (30–60 ms of CPU); an epoch takes longer
    raise AssertionError(f"timed out; last status: {status_text(at)!r}")


def finished(at: AppTest) -> bool:
    return status_text(at).startswith(("Completed", "Stopped", "Diverged", "Failed"))


def test_the_header_lists_only_the_fields_the_schedule_takes(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=60)
    at.session_state["schedule_document"] = presets.PRESETS["1cycle"]
    at.run()
    (header,) = [plain(item.value) for item in at.markdown if "from the Designer" in item.value]
    assert header.startswith("**1cycle** from the Designer: base lr 0.1, 30 epochs. Its epochs")
    assert "warm-up" not in header and "epsilon" not in header


def test_a_short_run_shows_progress_and_reads_the_lr_back(tmp_path, monkeypatch):
    at = train_page(tmp_path, monkeypatch)
    assert not at.exception
    at.number_input(key="train_epochs").set_value(2)
    at.button(key="train_start").click().run()
    assert not at.exception and not at.error
    assert at.button(key="train_start").disabled and not at.button(key="train_stop").disabled
    run_until(at, finished)
    assert status_text(at).startswith("Completed — epoch 2 of 2")
    (success,) = at.success
    assert "matches the design" in success.value
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert titles[:3] == ["Learning rate", "Loss", "Accuracy"]
    assert titles[3].endswith(": learning rate used at each step vs designed")  # headed by the run's name
    assert any("tensorboard --logdir" in code.value for code in at.code)
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name.endswith("-cosine") and (run_dir / "train").is_dir()


def test_a_second_session_waits_in_line_and_stop_ends_the_first_run_cleanly(tmp_path, monkeypatch):
    """One long run stopped by its session while a second session waits its turn (a run of its own
    for Stop alone would start TensorFlow once more for what this run shows)."""
    first, second = train_page(tmp_path, monkeypatch), train_page(tmp_path, monkeypatch)
    first.number_input(key="train_epochs").set_value(100)  # long enough to be running when the second asks
    first.button(key="train_start").click().run()
    run_until(first, lambda at: status_text(at).startswith("Running — epoch"))
    second.run()
    (info,) = second.info
    assert "is in progress" in info.value and first.session_state["session_label"] in info.value
    second.number_input(key="train_epochs").set_value(1)
    second.button(key="train_start").click().run()
    assert status_text(second) == "Waiting for the run in progress"
    assert "Yours is number 1 in line and starts after it." in plain(second.info[0].value)
    run_until(
        first,
        lambda at: (
            "epoch" in json.dumps([c.proto.spec for c in at.get("plotly_chart")]) or len(at.get("plotly_chart")) >= 2
        ),
    )
    first.button(key="train_stop").click().run()
    run_until(first, finished)
    status = status_text(first)
    assert status.startswith("Stopped — during epoch")  # where it stopped, in epochs
    ended = int(status.split("during epoch ")[1].split(" ")[0])
    pressed = int(status.split("pressed during epoch ")[1].split(";")[0])
    assert pressed <= ended <= pressed + 1  # the run stops within the epoch Stop was pressed in, or the next
    assert first.get("progress")[0].proto.value < 100  # the bar keeps the share reached
    run_until(second, finished, timeout=240)
    assert status_text(second).startswith("Completed")
    folders = sorted(tmp_path.iterdir(), key=lambda folder: json.loads((folder / "run.json").read_text())["status"])
    assert len(folders) == 2  # two runs, two folders
    completed, stopped = (json.loads((folder / "run.json").read_text()) for folder in folders)
    assert completed["status"] == "completed" and len(completed["history"]) == 1
    assert stopped["status"] == "stopped" and len(stopped["history"]) == ended


def test_an_unwritable_runs_dir_gives_one_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    at = train_page(blocker / "runs", monkeypatch)
    assert not at.exception
    (error,) = at.error
    assert plain(error.value).startswith("RUNS_DIR: cannot write training runs to")
    assert at.button(key="train_start").disabled
