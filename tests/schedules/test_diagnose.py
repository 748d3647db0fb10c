"""Diagnosis: synthetic logs from engine schedules, each defect injected and named, numbers included."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import KINDS, from_config
from schedules.diagnose import (
    LINE_RECORDS,
    diagnose,
    ends_a_fraction_in,
    lags_on_straight_lines,
    relative_difference,
    skipped_in_log,
    tolerance,
)
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
    assert diagnosis.first_defect == restart and diagnosis.largest_mismatch != restart


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
    assert diagnosis.first_defect == 0  # the offset, from the start, comes first


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
    assert diagnosis.first_defect == 700  # no finding names a step: the first mismatch
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


# Without a design: what the log alone shows ------------------------------------------------------
def skipping(at: dict[int, int]) -> np.ndarray:
    """The scheduler's count at each step when ``at`` maps a step to the optimizer steps skipped
    from it on (the lr holds still for them)."""
    behind = sum(np.clip(every_step - step, 0, count) for step, count in at.items())
    return every_step - behind


def test_skipped_steps_are_read_off_a_per_step_log_without_its_design():
    """Three steps skipped in a row at 3,000 and one at 7,000 hold the lr still where the cosine
    around them moves: found at the records that fall behind, where the design's lags grow."""
    values = logged(DESIGN.lr(skipping({3_000: 3, 7_000: 1})))
    found = skipped_in_log(every_step, values)
    assert found["skipped"] == [[3_001, 1], [3_002, 1], [3_003, 1], [7_001, 1]] and found["total"] == 4
    assert found["sentence"] == (
        "the lr falls 4 steps behind its steady course, by 3 steps between steps 3,000 and 3,003 and 1 more "
        "between steps 7,000 and 7,001: optimizer steps skipped by a mixed-precision loss scaler, which do not "
        "step the scheduler?"
    )
    lags = diagnose(every_step, values, DESIGN).findings[0]["lags"]
    assert lags == [[3_001, 1], [3_002, 2], [3_003, 3], [7_001, 4]]  # the same places, with the design


def test_skipped_steps_are_found_across_the_chunks_a_long_log_is_read_in(monkeypatch):
    from schedules import diagnose as module

    values = logged(DESIGN.lr(skipping({2_998: 3, 7_000: 1})))  # three skips straddling step 3,000
    whole = skipped_in_log(every_step, values)
    monkeypatch.setattr(module, "SKIPPED_CHUNK", 1_000)
    assert skipped_in_log(every_step, values) == whole
    assert whole["skipped"] == [[2_999, 1], [3_000, 1], [3_001, 1], [7_001, 1]]


def test_skipped_steps_between_records_of_a_linear_stretch():
    """Logged every 25 steps, a linear decay moves 25 steps' worth between records, and 23 where
    two steps were skipped. A curve logged as sparsely cannot tell and is not said to."""
    linear = from_config(DESIGN.to_config() | {"schedule": {"kind": "linear", "base_lr": 0.01, "total_epochs": 100}})
    sparse = every_step[::25]
    values = logged(linear.lr(skipping({4_010: 2}))[::25])
    assert skipped_in_log(sparse, values)["skipped"] == [[4_025, 2]]
    assert skipped_in_log(sparse, logged(DESIGN.lr(skipping({4_010: 2}))[::25])) is None


@pytest.mark.parametrize(
    ("case", "values"),
    [
        ("a clean cosine, float32", logged(DESIGN.lr(every_step))),
        ("its warm-up's end and hold", logged(DESIGN.lr(every_step))[:2_000]),
        ("a staircase: the lr changes every other step", np.repeat(np.linspace(1.0, 0.5, 5_000), 2)),
        ("noise", np.random.default_rng(0).random(every_step.size)),
        ("noise in steps of 0.01", np.round(np.random.default_rng(1).random(every_step.size), 2)),
        ("a slow cosine: float32 rounds some of its steps away", logged(0.1 * np.cos(every_step * 1e-5))),
    ],
)
def test_no_skipped_steps_where_the_log_does_not_show_them(case, values):
    assert skipped_in_log(every_step[: values.size], values) is None, case


def test_a_schedule_ending_a_whole_fraction_into_the_log_is_a_stretch():
    """Stepped per micro-batch under accumulation 4, a 40-step schedule ends at step 10 and the log
    holds its final lr to step 40; a design that ends early by itself is no fraction of the log."""
    fitted = from_config(
        DESIGN.to_config() | {"steps_per_epoch": 1, "schedule": {"kind": "linear", "base_lr": 1e-3, "total_epochs": 10}}
    )
    steps = np.arange(1, 41)
    found = ends_a_fraction_in(steps, fitted.lr(steps), fitted)
    assert found["factor"] == 4.0 and found["sentence"] == (
        "the schedule ends at step 10 and the log goes on at its final lr to step 40, 4× as far: was the "
        "scheduler stepped per micro-batch, e.g. gradient accumulation 4?"
    )
    assert ends_a_fraction_in(steps[:33], fitted.lr(steps[:33]), fitted) is None  # 3.3×: no whole fraction
    assert ends_a_fraction_in(steps[:9], fitted.lr(steps[:9]), fitted) is None  # the log ends before it


def test_lags_are_read_off_straight_lines_up_to_their_bound_and_not_beyond():
    """Each record's lag, the first one's too, from a linear warm-up from 0 and a decay to the
    stated total; a log longer than LINE_RECORDS is left to skipped_in_log (bounded work)."""
    steps = np.arange(1, 1001)
    behind = np.where(steps < 600, 2, 3)  # 2 skipped before the first record, 1 more at step 600
    lr = 1e-3 * np.minimum((steps - behind) / 100, (1000 - steps + behind) / 900)
    lags = lags_on_straight_lines(steps, lr.astype(np.float32), total=1000)
    assert lags[0] == 2 and lags[-1] == 3 and lags[steps == 599] == 2 and lags[steps == 600] == 3
    assert lags_on_straight_lines(steps, lr, total=None) is None  # the decay's records on no line
    assert lags_on_straight_lines(np.arange(1, LINE_RECORDS + 2), np.ones(LINE_RECORDS + 1), 10**6) is None
