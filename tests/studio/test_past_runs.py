"""Past runs side by side, without training: run folders forged with a record and an lr log."""

import json
import os

import numpy as np
import pytest

from studio import past_runs as past
from studio import presets
from tests.schedules.test_log_limits import VERSION, record, scalar_event
from training.options import RunOptions
from training.run_folders import RunResult, write_run_file


def forge_run(
    root, folder, preset="Cosine with warm-up, hold and epsilon", seed=0, epochs=4, steps_per_epoch=10, **labels
):
    """A finished run folder as the demo writes it: run.json and the lr at every step."""
    run_dir = root / folder
    (run_dir / "train").mkdir(parents=True)
    schedule = presets.preset(preset).with_steps_per_epoch(steps_per_epoch)
    history = [
        {"epoch": e, "loss": 1.0 / e, "val_loss": 1.2 / e, "val_accuracy": 0.5 + e / 10} for e in range(1, epochs + 1)
    ]
    result = RunResult(run_dir, "completed", steps_per_epoch=steps_per_epoch, history=history, **labels)
    write_run_file(result, schedule, RunOptions(epochs=epochs, seed=seed, optimizer="adam"))
    steps = np.arange(epochs * steps_per_epoch)
    events = record(VERSION) + b"".join(
        record(scalar_event(int(s), float(schedule.lr(s)), b"learning_rate")) for s in steps
    )
    (run_dir / "train" / "events.out.tfevents.1.host").write_bytes(events)
    return run_dir


def test_runs_overlay_with_legends_by_schedule_optimizer_and_seed(tmp_path):
    forge_run(tmp_path, "20260101-000000-cosine", seed=0)
    forge_run(tmp_path, "20260101-000100-1cycle", preset="1cycle", seed=1)
    forge_run(tmp_path, "20260101-000200-cosine", seed=0)  # the same schedule and seed again
    views, problems = past.load_views(tmp_path, sorted(os.listdir(tmp_path)))
    assert problems == []
    assert [view.label for view in views] == [
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 0",
        "1cycle, lr 0.1 · Adam · seed 1",
        "Cosine decay, lr 0.01, warm-up 5 · Adam · seed 0 (2)",
    ]
    lr = past.overlay_figure(views, "lr", "steps")
    assert [trace.name for trace in lr.data] == [view.label for view in views]
    assert lr.data[0].x.tolist() == list(range(40)) and lr.data[0].y[-1] == pytest.approx(views[0].lrs[-1])
    in_epochs = past.overlay_figure(views, "lr", "epochs")
    assert in_epochs.data[0].x[-1] == pytest.approx(3.9)
    loss = past.overlay_figure(views, "loss", "epochs")
    assert [trace.name for trace in loss.data][:2] == [f"{views[0].label} · training", f"{views[0].label} · validation"]
    assert loss.data[1].line.dash == "dash"


def test_smoothing_is_the_debiased_average_and_keeps_the_first_value(tmp_path):
    forge_run(tmp_path, "r", epochs=6)
    (view,), _ = past.load_views(tmp_path, ["r"])
    raw = past.overlay_figure([view], "loss", "epochs").data[0].y
    smooth = past.overlay_figure([view], "loss", "epochs", smoothing=0.5).data[0].y
    assert smooth[0] == raw[0] and smooth[-1] > raw[-1]  # the loss falls: its average lags above it
    assert "smoothed (0.5)" in past.overlay_figure([view], "loss", smoothing=0.5).layout.title.text


def test_a_bakeoff_run_is_named_by_its_schedule_in_the_set(tmp_path):
    forge_run(tmp_path, "b", name="<b>mine</b>", bakeoff="b")
    (view,), _ = past.load_views(tmp_path, ["b"])
    assert view.label.startswith("<b>mine</b>, lr 0.01")
    assert past.overlay_figure([view], "lr").data[0].name.startswith("&lt;b&gt;mine&lt;/b&gt;")  # stays text


def test_an_unreadable_run_is_one_sentence_and_the_others_still_draw(tmp_path):
    forge_run(tmp_path, "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "run.json").write_text("{not json")
    views, problems = past.load_views(tmp_path, ["bad", "good"])
    assert [view.run for view in views] == ["good"]
    (problem,) = problems
    assert problem.startswith("bad: run.json")


def test_delete_removes_a_finished_run_and_refuses_anything_else(tmp_path):
    run_dir = forge_run(tmp_path, "done")
    forge_run(tmp_path, "training")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "run.json").write_text("{}")
    (tmp_path / "link").symlink_to(outside)
    for name in ("..", "link", "missing", "done/train", ""):
        with pytest.raises(ValueError, match="is not a run folder"):
            past.delete_run(tmp_path, name)
    with pytest.raises(ValueError, match="still training"):
        past.delete_run(tmp_path, "training", active={"training"})
    assert (tmp_path / "training").is_dir() and outside.is_dir()
    assert past.delete_run(tmp_path, "done") == "Deleted the run done and its logs."
    assert not run_dir.exists()


def test_run_files_are_what_verify_takes_and_bounded(tmp_path):
    forge_run(tmp_path, "r")
    files = past.run_files(tmp_path, "r")
    assert [name for name, _ in files] == ["r/run.json", "r/train/events.out.tfevents.1.host"]
    assert json.loads(files[0][1])["status"] == "completed"
    with pytest.raises(ValueError, match="more than 0 MB"):
        past.run_files(tmp_path, "r", budget=100)


def test_verify_reads_the_run_against_its_own_design(tmp_path):
    from studio import verify  # noqa: PLC0415

    forge_run(tmp_path, "r")
    files = past.run_files(tmp_path, "r")
    (series,) = verify.series_from_uploads(files)
    design = verify.saved_design(files)
    diagnosis = verify.compare(series, design)
    assert diagnosis.matched.all()  # every step as designed; the run stopped at epoch 4 of 100:
    assert [finding["type"] for finding in diagnosis.findings] == ["ends_early"]
