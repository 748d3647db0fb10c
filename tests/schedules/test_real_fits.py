"""The fit on real logs: the kind and the numbers the run used, from the log alone (and what its
file states), every other field said to be undetermined — never an invented warm-up, floor or total.

Each log of ``tests/data/real_logs`` with a ``design.json`` (what its repository states, or the
exact design of a run generated here) is fitted with no design given and compared with it.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from schedules import from_config
from schedules.fit import fit
from schedules.logs import Series, choose, read_path
from schedules.verify import fit_log, fits_without_skips

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_logs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
WITH_DESIGN = sorted(name for name in MANIFEST if (CORPUS / name / "design.json").exists())

# fp16 runs whose loss scaler skipped steps: no design matches them step for step as logged (verify
# names the lag; the fit finds the design with the skipped steps taken out, below)
LAGGED = {
    "hf-alpaca-lora-linear-fp16",
    "tb-alpaca-lora-linear-fp16",
    "hf-dnabert2-linear-fp16",
    "hf-whisper-braj-linear-8bit-adam",
    "hf-whisper-large-v2-ja-linear-fp16",
    "hf-whisper-small-hi-linear-5k",
    "hf-whisper-v2-flemish-linear-grad-accum",
    "gen-torch-gradscaler-skipped-steps",
    "gen-tb-torch-gradscaler-skipped-steps",
}
# Logs of a handful of records around an unlogged peak: the kind and every number the records
# determine are found, and what they leave open is said (a warm-up through its one record, the
# steps before the first record, the writer's convention). (Two more such logs, linear, give their
# run's numbers, the hold said to be undetermined: tested above.)
SPARSE = {
    "gen-trainer-polynomial-accum4",
    "gen-trainer-warmup-stable-decay",
    "gen-keras-tensorboard-cosine-warmup",
    "gen-keras-tensorboard-cosine-warmup-update-freq-1",
    "gen-lightning-onecycle-every-5-steps",  # 8 records: a cosine with a guessed warm-up explains them as well
}
# The log itself is the defect: a schedule 4× fast reads as a 4× shorter schedule, a lost scheduler
# state as a rise after the decay.
DEFECTS = {
    "gen-torch-scheduler-per-micro-batch",
    "gen-tb-torch-scheduler-per-micro-batch",
    "gen-trainer-resume-lost-scheduler",
}
NUMBERS = ("base_lr", "total_epochs", "warmup_epochs", "hold_epochs", "epsilon", "warmup_start_lr")


def undetermined_fields(sentences) -> set[str]:
    """The fields a fit says its log does not determine: each sentence's head ("a, b and c: …"),
    and for an undetermined convention the fields its other reading gives otherwise."""
    fields = set()
    for sentence in sentences:
        head, _, rest = sentence.partition(": ")
        if head == "convention":
            fields |= {part.split()[0] for part in re.split(", | and ", rest.rpartition(", with ")[2])}
        else:
            fields |= set(re.split(", | and ", head))
    return fields


def assert_numbers(got: dict, want: dict, sentences) -> None:
    """Every number the fit states and its log determines is the run's own."""
    undetermined = undetermined_fields(sentences)
    for field in set(NUMBERS) | (set(want) - {"kind", "warmup_shape"}):
        if field in undetermined or (field == "base_lr" and "warmup_epochs" in undetermined):
            continue  # a warm-up before the first record leaves the peak it reached unknown as well
        expected = want.get(field, 0)
        assert got.get(field, 0) == (
            expected if isinstance(expected, str) else pytest.approx(expected, rel=1e-9, abs=0)
        ), field


@functools.cache  # several tests read one log's fit: each log is fitted once a worker
def fitted(name: str):
    entry = MANIFEST[name]
    series = choose(read_path(CORPUS / name / entry["file"]))
    truth = json.loads((CORPUS / name / "design.json").read_text())
    found = fit(series.steps, series.lr, 1, writer=series.writer, info=series.info, unit=series.unit)
    return series, truth, found


@pytest.mark.slow  # the whole catalog fitted to each of 28 real logs, about a second each
@pytest.mark.parametrize("name", [n for n in WITH_DESIGN if n not in LAGGED | SPARSE | DEFECTS])
def test_the_fit_recovers_the_kind_and_the_numbers_the_run_used(name):
    _, truth, found = fitted(name)
    got, want = found.document["schedule"], truth["schedule"]
    assert found.matches and got["kind"] == want["kind"], (got, found.ranking[:3])
    assert_numbers(got, want, found.undetermined)


@pytest.mark.slow  # 5 to 8 records leave the fit a wide search: seconds each
@pytest.mark.parametrize("name", sorted(SPARSE))
def test_a_sparse_log_gives_its_kind_and_every_number_it_determines(name):
    """A handful of records: what they cannot tell apart (a warm-up's start and length through its
    one record, the split of the steps before the first record, which convention wrote the log)
    is said, and every other number is the run's."""
    _, truth, found = fitted(name)
    assert found.matches
    if name == "gen-lightning-onecycle-every-5-steps":  # a cosine explains all 8 only by guessing its warm-up
        (said,) = found.undetermined
        assert said.startswith("kind: not determined by this log, which cosine explains as well")
        assert said.endswith("one_cycle explains it with nothing guessed")
    assert found.document["schedule"]["kind"] == truth["schedule"]["kind"]
    assert_numbers(found.document["schedule"], truth["schedule"], found.undetermined)
    if name.startswith("gen-keras"):  # a log of epochs names its records by epoch
        assert "whose first record (epoch 0)" in " ".join(found.undetermined), found.undetermined


@pytest.mark.slow  # a log with no file-stated total is fitted twice: as logged, then with its skips taken out
@pytest.mark.parametrize("name", sorted(LAGGED))
def test_an_fp16_runs_design_is_found_with_its_skipped_steps_taken_out(name):
    """The lag of each record (a linear warm-up from 0 and decay to the file's max_steps give it
    record by record, the first one's too; else the skips the log shows) taken out, the log fits
    the design its repository states, from the log alone."""
    entry = MANIFEST[name]
    series = choose(read_path(CORPUS / name / entry["file"]))
    truth = json.loads((CORPUS / name / "design.json").read_text())["schedule"]
    fitted = fit_log(series)
    (skipped,) = [finding for finding in fitted.findings if finding["type"] == "skipped_steps"]
    # The fit's document is that design; its differences are as logged, where it does not match.
    assert fitted.document == skipped["fits_without"] and not fitted.matches and fitted.max_rel_error > 0
    got = skipped["fits_without"]["schedule"]
    assert got["kind"] == truth["kind"]
    assert_numbers(got, truth, skipped["undetermined_without"])


@pytest.mark.slow  # a real log fitted
def test_a_corner_with_no_record_on_it_is_said_to_leave_the_hold_undetermined():
    _, _, found = fitted("gen-trainer-linear-accum2")  # linear 1e-3, warm-up 5 of 40 steps, logged every 5
    assert found.document["schedule"]["hold_epochs"] == 0.0 and found.document["schedule"]["warmup_epochs"] == 5.0
    assert found.undetermined == (
        "hold_epochs: not determined by this log, which has no record between step 5 and step 10, where the "
        "warm-up ends and the decay begins: a hold there, with a lower peak, explains its records as well; "
        "taken as 0",
    )


def test_a_warm_up_before_the_first_record_is_said_to_be_undetermined_not_invented():
    _, _, found = fitted("hf-cpt-linear-10-epochs")  # linear from 2e-5 over 5,490 steps, logged every 500
    assert found.document["schedule"] | {"warmup_shape": None} == {
        "kind": "linear",
        "base_lr": 2e-05,
        "total_epochs": 5490.0,
        "warmup_epochs": 0.0,
        "hold_epochs": 0.0,
        "epsilon": 0.0,
        "warmup_shape": None,
    }
    assert found.undetermined[0].startswith(
        "warmup_epochs: not determined by this log, whose first record (step 500) is already at its peak"
    )


@pytest.mark.slow  # two real logs fitted
def test_the_trainers_convention_is_found_and_said():
    _, _, newer = fitted("gen-trainer-cosine-every-step")
    assert "since transformers#36973" in newer.convention
    _, _, older = fitted("hf-mistral-lora-cosine-4gpu-bf16")
    assert "before transformers#36973" in older.convention


@pytest.mark.slow  # no kind matches, so the fit also searches where the log restarts
def test_a_lost_scheduler_state_is_found_without_a_design():
    _, _, found = fitted("gen-trainer-resume-lost-scheduler")
    assert not found.matches
    (finding,) = found.findings
    assert finding["type"] == "restart" and finding["step"] == 25
    assert finding["sentence"].startswith("the log fits linear up to step 20, then the lr rises again at step 25")
    assert finding["fits_before"]["schedule"]["kind"] == "linear"


def test_a_schedule_ending_a_quarter_into_the_stated_run_is_a_per_micro_batch_stretch():
    steps = np.arange(1, 41)
    lr = np.maximum(0.0, 1e-3 * (1 - steps / 10))  # a linear schedule of 40 steps, stepped 4× per step
    found = fit(steps, lr, 1, writer="transformers.Trainer", info={"max_steps": 40})
    (finding,) = found.findings
    assert finding["type"] == "stretch" and finding["factor"] == 4.0
    assert "gradient accumulation 4" in finding["sentence"]


@pytest.mark.slow  # no kind matches: every kind is searched to the end
def test_noise_never_matches_however_large_a_design_it_proposes():
    rng = np.random.default_rng(7)
    steps = np.sort(rng.choice(100_000, size=1_000, replace=False))
    found = fit(steps, rng.uniform(1e-5, 1e-2, size=1_000))
    assert not found.matches and found.max_rel_error > 0.1


@pytest.mark.slow  # a real log of 1,000 records fitted
def test_fitted_numbers_are_the_shortest_decimals():
    _, _, found = fitted("hf-dllm-cosine-every-step-checkpoint-1000")
    assert repr(found.document["schedule"]["base_lr"]) == "3e-05"


@pytest.mark.slow  # a fit of 166 records
def test_a_clean_log_whose_decay_ends_past_the_stated_total_is_no_skipped_steps():
    """A scheduler built with its own total (5,000) in a run of 4,990 steps: its decay line sits
    10 steps off the stated total's all along, which is no lag growing along it: the log fits as
    logged, exactly, and nothing is said to be skipped."""
    design = {"kind": "linear", "base_lr": 1e-5, "total_epochs": 5000, "warmup_epochs": 500}
    schedule = from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1, "schedule": design})
    steps = np.arange(30, 4991, 30)
    series = Series("lr", steps, schedule.lr(steps).astype(np.float32).astype(np.float64), info={"max_steps": 4990})
    fitted = fit_log(series)
    assert fitted.matches and fitted.findings == ()
    assert {field: fitted.document["schedule"][field] for field in design} == design


@pytest.mark.slow  # a real log fitted
def test_a_lagged_runs_sentences_name_the_steps_its_log_writes():
    """DNABERT-2 logs from step 100 with its lr a step behind: what the fit says it cannot tell
    names the log's own first record, not the scheduler's step 99."""
    entry = MANIFEST["hf-dnabert2-linear-fp16"]
    series = choose(read_path(CORPUS / "hf-dnabert2-linear-fp16" / entry["file"]))
    fitted = fit_log(series)
    assert int(series.steps[0]) == 100 and fits_without_skips(fitted)
    sentences = " ".join(fitted.undetermined)
    assert "(step 100)" in sentences and "step 99" not in sentences, fitted.undetermined
