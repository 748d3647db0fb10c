"""Diagnosis: synthetic logs from engine schedules, each defect injected and named, numbers included."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import KINDS, from_config
from schedules.diagnose import diagnose, relative_difference, tolerance
from tests.strategies import example_document

DESIGN = from_config(
    {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 100,
        "schedule": {
            "kind": "cosine",
            "base_lr": 0.01,
            "total_epochs": 100,
            "warmup_epochs": 5,
            "hold_epochs": 10,
            "epsilon": 1e-6,
        },
    }
)
every_step = np.arange(DESIGN.total_steps)


def logged(values):
    """What TensorBoard keeps: float32."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def types(diagnosis):
    return [finding["type"] for finding in diagnosis.findings]


@pytest.mark.parametrize("kind", KINDS)
def test_a_clean_log_of_every_kind_matches(kind):
    schedule = from_config(example_document(kind, steps_per_epoch=100))
    steps = np.arange(min(schedule.total_steps, 200_000))
    diagnosis = diagnose(steps, logged(schedule.lr(steps)), schedule)
    assert diagnosis.match and diagnosis.first_mismatch is None and diagnosis.largest_mismatch is None
    assert diagnosis.max_rel_error < 1e-7
    assert types(diagnosis) in ([], ["ends_early"])


def test_off_by_one_logging():
    diagnosis = diagnose(every_step, logged(DESIGN.lr(every_step + 1)), DESIGN)
    assert not diagnosis.match
    assert diagnosis.findings[0] == {
        "type": "offset",
        "steps": 1,
        "sentence": "the log is 1 step ahead: it records the lr for the next step",
    }
    assert diagnosis.first_mismatch == 0  # the warm-up's first step already differs


def test_a_log_behind_by_two_steps():
    diagnosis = diagnose(every_step[2:], logged(DESIGN.lr(every_step[2:] - 2)), DESIGN)
    assert diagnosis.findings[0]["type"] == "offset" and diagnosis.findings[0]["steps"] == -2
    assert "2 steps behind" in diagnosis.findings[0]["sentence"]


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_gradient_accumulation_stretch(factor):
    diagnosis = diagnose(every_step, logged(DESIGN.lr(factor * every_step)), DESIGN)
    assert diagnosis.findings[0]["type"] == "stretch" and diagnosis.findings[0]["factor"] == factor
    assert f"runs {factor:.2f}× faster than designed" in diagnosis.findings[0]["sentence"]
    assert f"gradient accumulation {factor}?" in diagnosis.findings[0]["sentence"]


def test_a_scheduler_stepped_once_per_epoch_runs_slower():
    diagnosis = diagnose(every_step, logged(DESIGN.lr(every_step // 4)), DESIGN)
    assert diagnosis.findings[0]["type"] == "stretch" and diagnosis.findings[0]["factor"] == 0.25
    assert "4.00× slower" in diagnosis.findings[0]["sentence"]


def test_a_resume_that_restarted_the_schedule():
    restart = 6_000
    values = np.where(every_step < restart, DESIGN.lr(every_step), DESIGN.lr(every_step - restart))
    diagnosis = diagnose(every_step, logged(values), DESIGN)
    assert types(diagnosis) == ["restart"]
    assert diagnosis.findings[0]["step"] == restart
    assert diagnosis.findings[0]["sentence"] == (
        "the schedule restarted at step 6,000: a resume that did not restore the scheduler's state?"
    )
    assert diagnosis.first_mismatch == restart


def test_a_restart_under_gradient_accumulation():
    restart = 1_000
    values = np.where(every_step < restart, DESIGN.lr(4 * every_step), DESIGN.lr(4 * (every_step - restart)))
    assert types(diagnose(every_step, logged(values), DESIGN)) == ["stretch", "restart"]


def test_offset_and_restart_at_once():
    restart = 3_000
    values = np.where(every_step < restart, DESIGN.lr(every_step + 1), DESIGN.lr(every_step - restart + 1))
    diagnosis = diagnose(every_step, logged(values), DESIGN)
    assert types(diagnosis) == ["offset", "restart"]
    assert diagnosis.findings[1]["step"] == restart


def test_a_log_that_ends_early_still_matches():
    diagnosis = diagnose(every_step[:4_000], logged(DESIGN.lr(every_step[:4_000])), DESIGN)
    assert diagnosis.match
    assert diagnosis.findings == [
        {
            "type": "ends_early",
            "step": 3_999,
            "total_steps": 10_000,
            "sentence": "the log ends at step 3,999, before the schedule's end at step 10,000",
        }
    ]


def test_a_run_past_the_end():
    steps = np.arange(12_000)
    diagnosis = diagnose(steps, logged(DESIGN.lr(steps)), DESIGN)
    assert diagnosis.match and types(diagnosis) == ["runs_past_end"]
    assert diagnosis.findings[0]["step"] == 10_000 and diagnosis.findings[0]["last_step"] == 11_999


def test_a_constant_scale_factor():
    diagnosis = diagnose(every_step, logged(2.5 * DESIGN.lr(every_step)), DESIGN)
    assert types(diagnosis) == ["scale"]
    assert diagnosis.findings[0]["factor"] == pytest.approx(2.5, rel=1e-6)
    assert diagnosis.largest_mismatch is not None


def test_scale_and_offset_at_once():
    diagnosis = diagnose(every_step, logged(0.5 * DESIGN.lr(every_step + 1)), DESIGN)
    assert types(diagnosis) == ["scale", "offset"]


def test_a_different_floor():
    diagnosis = diagnose(every_step, logged(np.maximum(DESIGN.lr(every_step), 1e-4)), DESIGN)
    assert "floor" in types(diagnosis)
    floor = next(f for f in diagnosis.findings if f["type"] == "floor")
    assert floor["logged"] == pytest.approx(1e-4, rel=1e-6)
    assert floor["designed"] == pytest.approx(1e-6, rel=1e-3)


def with_changes(**changes):
    config = DESIGN.to_config()
    return from_config(config | {"schedule": config["schedule"] | changes})


def test_a_different_peak():
    other = with_changes(base_lr=0.02)
    diagnosis = diagnose(every_step, logged(other.lr(every_step)), DESIGN)
    peak = next(f for f in diagnosis.findings if f["type"] == "peak")
    assert peak["logged"] == pytest.approx(0.02, rel=1e-6) and peak["designed"] == 0.01
    assert peak["sentence"] == "the peak lr is 0.02, designed 0.01"


def test_a_different_warmup_length():
    other = with_changes(warmup_epochs=10, hold_epochs=5)
    diagnosis = diagnose(every_step, logged(other.lr(every_step)), DESIGN)
    warmup = next(f for f in diagnosis.findings if f["type"] == "warmup")
    assert warmup["logged_steps"] == 1_000 and warmup["designed_steps"] == 500
    assert warmup["sentence"] == (
        "the lr first reaches its peak at step 1,000, the design at step 500 (a warm-up of 500 steps)"
    )


def test_epoch_granularity_where_steps_were_designed():
    values = DESIGN.lr(every_step // 100 * 100)
    diagnosis = diagnose(every_step, logged(values), DESIGN)
    assert diagnosis.findings[0] == {
        "type": "granularity",
        "logged": "epoch",
        "designed": "step",
        "sentence": "the lr changes once per epoch, designed to change every step",
    }


def test_an_epoch_level_log_one_epoch_ahead():
    """Keras's TensorBoard callback logs the optimizer's lr after each epoch: the next epoch's."""
    epochs = np.arange(100)
    diagnosis = diagnose(epochs, logged(DESIGN.lr((epochs + 1) * 100)), DESIGN, unit="epoch")
    assert diagnosis.findings[0]["type"] == "offset" and diagnosis.findings[0]["steps"] == 100
    assert "100 steps (one epoch) ahead" in diagnosis.findings[0]["sentence"]
    assert diagnose(epochs, logged(DESIGN.lr(epochs * 100)), DESIGN, unit="epoch").match


def test_first_and_largest_mismatch_and_summary():
    values = DESIGN.lr(every_step).copy()
    values[700] *= 1.01
    values[900] *= 1.5
    diagnosis = diagnose(every_step, logged(values), DESIGN)
    assert diagnosis.first_mismatch == 700 and diagnosis.largest_mismatch == 900
    summary = diagnosis.summary()
    assert summary["points"] == 10_000 and summary["match"] is False
    assert summary["max_rel_error"] == pytest.approx(0.5, rel=1e-6)


def test_sparse_logging_every_fifty_steps():
    steps = every_step[::50]
    assert diagnose(steps, logged(DESIGN.lr(steps)), DESIGN).match
    assert types(diagnose(steps, logged(DESIGN.lr(steps + 1)), DESIGN))[0] == "offset"


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-8, 10.0), st.floats(-1.0, 1.0))
def test_float32_rounding_always_matches_and_a_relative_change_of_1e_5_never_does(lr, sign):
    designed = np.array([lr])
    assert np.abs(logged(designed) - designed) <= tolerance(designed, peak=lr)
    changed = designed * (1 + (1e-5 if sign >= 0 else -1e-5))
    assert np.abs(changed - designed) > tolerance(designed, peak=lr)
    assert abs(relative_difference(changed, designed, lr)[0]) == pytest.approx(1e-5, rel=1e-6)


# Writers' conventions, skipped steps, and what a sparse log cannot tell ------------------------
def test_keras_epoch_end_lr_is_its_convention_not_a_defect():
    epochs = np.arange(100)
    diagnosis = diagnose(epochs, logged(DESIGN.lr((epochs + 1) * 100)), DESIGN, unit="epoch", writer="keras")
    assert diagnosis.match and diagnosis.findings == []
    assert diagnosis.convention.startswith("it follows Keras's convention: each epoch's lr is written at its end")


@pytest.mark.parametrize(("shift", "which"), [(0, "before transformers#36973"), (-1, "since transformers#36973")])
def test_both_trainer_conventions_match_and_are_named(shift, which):
    steps = every_step[1::10]  # the Trainer logs from step logging_steps on
    diagnosis = diagnose(steps, logged(DESIGN.lr(steps + shift)), DESIGN, writer="transformers.Trainer")
    assert diagnosis.match and which in diagnosis.convention
    # The same log from a writer of no known convention is an off-by-one defect, said as one.
    plain = diagnose(steps, logged(DESIGN.lr(steps + shift)), DESIGN)
    assert plain.match is (shift == 0) and (shift == 0 or types(plain)[0] == "offset")


def test_skipped_steps_are_a_lag_growing_along_the_run_located_in_logged_steps():
    skipped = [3, 4, 30, 41, 800]  # optimizer steps a loss scaler skipped: the scheduler stood still
    lag = np.searchsorted(skipped, every_step, side="right")
    steps = every_step[::25]
    values = logged(DESIGN.lr(np.maximum(steps - lag[steps], 0)))
    finding = diagnose(steps, values, DESIGN).findings[0]
    assert finding["type"] == "skipped_steps"
    # Seen at the first record after each skip; the one at step 800 only once the hold has ended.
    assert finding["lags"] == [[25, 2], [50, 4], [1525, 5]]
    assert finding["sentence"] == (
        "the scheduler lags the step counter by 2 steps from step 25, 4 from step 50 and 5 from step 1,525: "
        "optimizer steps skipped by a mixed-precision loss scaler do not step the scheduler "
        "(Hugging Face Trainer, PyTorch GradScaler)"
    )


def test_a_sparse_log_reaches_the_peak_where_the_design_does_on_the_same_records():
    design = from_config(DESIGN.to_config() | {"schedule": DESIGN.to_config()["schedule"] | {"hold_epochs": 0}})
    steps = every_step[25::25]
    values = logged(design.lr(steps) * np.where(steps > 5_000, 1.02, 1.0))  # a defect later on
    assert "warmup" not in types(diagnose(steps, values, design))


def test_an_lr_that_never_decays_is_said_so_not_a_different_floor():
    flat = np.where(every_step < 500, DESIGN.lr(every_step), 0.01)  # DeepSpeed's WarmupLR in its place
    diagnosis = diagnose(every_step, logged(flat), DESIGN)
    assert "floor" not in types(diagnosis)
    never = next(f for f in diagnosis.findings if f["type"] == "never_decays")
    assert never["sentence"].startswith("the lr never decays: it stays at 0.01 from step 1,500 to the log's end")
