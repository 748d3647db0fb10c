"""The Train page's words about a job: progress in epochs, default length, past runs."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio import train_view


def runs(*counts):
    return [SimpleNamespace(name=f"run{index}", epochs=[{}] * count) for index, count in enumerate(counts)]


@given(done=st.integers(0, 200), total=st.integers(1, 200))
def test_a_stopped_run_keeps_the_share_it_reached(done, total):
    done = min(done, total)
    assert train_view.progress_fraction("stopped", done, total) == done / total
    assert train_view.progress_fraction("completed", done, total) == 1.0


def test_stopped_at_17_percent_shows_17_percent():
    assert train_view.progress_fraction("stopped", 5, 30) == pytest.approx(0.1667, abs=1e-3)


@pytest.mark.parametrize(
    ("status", "counts", "run_count", "expected"),
    [
        ("running", (5,), 1, "Running — epoch 5 of 30"),
        ("completed", (30,), 1, "Completed — epoch 30 of 30: done"),
        ("stopped", (20,), 1, "Stopped — during epoch 20 of 30: done"),
        ("running", (30, 4), 2, "Running — run 2 of 2 (run1), epoch 4 of 30"),
        ("running", (), 1, "Running — starting…"),
        ("queued", (), 1, "Waiting for the run in progress"),
    ],
)
def test_progress_text_counts_epochs(status, counts, run_count, expected):
    message = "" if status in ("running", "queued") else "done"
    assert train_view.progress_text(status, message, runs(*counts), 30, run_count) == expected


@pytest.mark.parametrize(("total", "expected"), [(100, 100), (30, 30), (0.5, 1), (2.5, 3), (90.0, 90), (1000, 100)])
def test_the_default_run_covers_the_schedule_up_to_the_cap(total, expected):
    assert train_view.default_epochs(total) == expected


def test_a_short_run_says_what_it_misses():
    assert train_view.epochs_note(30, 100).startswith("30 of the schedule's 100 epochs")
    assert "the default stops at 100" in train_view.epochs_note(100, 300)
    assert train_view.epochs_note(100, 100) is None


def test_past_runs_say_how_far_each_run_trained():
    rows = [
        {"run": "a", "status": "completed", "epochs": 30, "val_accuracy": 0.98, "kind": "cosine"},
        {"run": "b", "status": "stopped", "epochs": 19.02, "val_accuracy": 0.9, "kind": "cosine"},
        {"run": "c", "status": "unreadable", "epochs": 0, "val_accuracy": None, "kind": "?", "note": "run.json: …"},
    ]
    shown = [(row["epochs trained"], row["note"]) for row in train_view.past_run_rows(rows)]
    assert shown == [("30", ""), ("19.02", ""), ("0", "run.json: …")]


def test_another_sessions_run_is_described_in_epochs():
    note = train_view.someone_else_note("session 1a2b", 3, 60, None)
    assert "3 of 60 epochs done" in note and note.endswith("Yours can start after it.")
