"""The bake-off's bookkeeping, without training: requests, outcomes over seeds, the verdict."""

from types import SimpleNamespace

import pytest

from schedules import ConfigError
from studio import bakeoff, design, presets

DOC = design.document(design.DEFAULTS)


def run(schedule, seed, status="completed", accuracies=(0.9, 0.95), loss=0.2):
    epochs = [{"epoch": i + 1, "val_accuracy": a, "val_loss": loss, "loss": loss} for i, a in enumerate(accuracies)]
    return SimpleNamespace(schedule=schedule, seed=seed, status=status, epochs=epochs)


def test_the_request_carries_the_set_and_every_option(tmp_path):
    request = bakeoff.request_for(
        [("cosine", DOC), ("1cycle", presets.PRESETS["1cycle"])], epochs=7, seeds=2, optimizer="adam", dataset="spirals"
    )
    assert request.names == ["cosine", "1cycle"] and request.total_work == 7 * 2 * 2
    command = request.command(tmp_path / "set.json", tmp_path)
    for flag, value in (("--epochs", "7"), ("--seeds", "2"), ("--optimizer", "adam"), ("--dataset", "spirals")):
        assert command[command.index(flag) + 1] == value
    assert command[command.index("--set") + 1] == str(tmp_path / "set.json")


def test_a_document_that_does_not_read_is_refused_before_anything_queues():
    broken = DOC | {"schedule": DOC["schedule"] | {"base_lr": -1}}
    with pytest.raises(ConfigError, match="base_lr"):
        bakeoff.request_for([("a", DOC), ("b", broken)])


def test_outcomes_count_completed_seeds_and_leave_a_diverged_run_out_of_the_numbers():
    runs = [
        run("a", 0, accuracies=(0.5, 0.9)),
        run("b", 0, status="diverged", accuracies=(0.3, None)),
        run("a", 1, accuracies=(0.5, 0.8)),
        run("b", 1, accuracies=(0.5, 0.7)),
        run("a", 2, status="running", accuracies=(0.4,)),
    ]
    a, b = bakeoff.outcomes(runs, ["a", "b"], seeds=3)
    assert a.finals["val_accuracy"] == [0.9, 0.8] and a.completed == 2 and a.diverged == 0
    assert b.finals["val_accuracy"] == [0.7] and b.completed == 1 and b.diverged == 1
    rows = bakeoff.table_rows([a, b])
    assert rows[0]["seeds completed"] == "2 of 3" and rows[0]["validation accuracy"] == "85 ± 7.07 %"
    assert rows[1]["seeds completed"] == "1 of 3 (1 diverged)" and rows[1]["validation accuracy"] == "70 % (one seed)"
    assert bakeoff.verdict([a, b]).endswith("with one seed, the spread between seeds is not known.")


def test_a_gap_inside_the_seeds_spread_is_called_so():
    a = bakeoff.Outcome("a", {"val_accuracy": [0.90, 0.96]}, 2, 0, 2)
    b = bakeoff.Outcome("b", {"val_accuracy": [0.91, 0.93]}, 2, 0, 2)
    assert bakeoff.verdict([a, b]).endswith("within the spread between seeds (4.24 points): more seeds would tell.")
    nothing = bakeoff.Outcome("c", {"val_accuracy": []}, 0, 1, 2)
    assert bakeoff.verdict([a, nothing]) is None  # no finished seed of c: nothing to say yet


def test_curves_show_the_mean_and_a_band_over_the_epochs_every_seed_reached():
    runs = [run("a", 0, accuracies=(0.5, 0.9)), run("a", 1, accuracies=(0.7, 0.8, 0.85))]
    figure = bakeoff.curves_figure(runs, ["a"], "val_accuracy")
    upper, lower, mean = figure.data
    assert list(upper.y) == [0.7, 0.9] and list(lower.y) == [0.5, 0.8] and lower.fill == "tonexty"
    assert list(mean.y) == pytest.approx([0.6, 0.85]) and mean.name == "a · mean of 2 seeds"


def test_names_stay_text_in_the_charts():
    outcome = bakeoff.Outcome("<b>x</b>", {"val_accuracy": [0.9], "val_loss": [0.1], "loss": [0.1]}, 1, 0, 1)
    figure = bakeoff.finals_figure([outcome])
    assert figure.data[0].name == "&lt;b&gt;x&lt;/b&gt;"
