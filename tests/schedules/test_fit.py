"""Fitting: a log made by any kind of the catalog is recovered to float32 precision at every
logged step."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import KINDS, from_config, make_document
from schedules.diagnose import conventions, diagnose
from schedules.fit import (
    SIMPLICITY,
    _least_squares,
    _log_of,
    _nelder_mead,
    _rises_after_decay,
    _rival_reading,
    document,
    fit,
)
from tests.strategies import documents
from tests.strategies import example_document as example


def float32_log(schedule, steps):
    return schedule.lr(steps).astype(np.float32).astype(np.float64)


def assert_recovered(found, steps, values, rms=1e-6):
    """Every logged step within float32 precision (the diagnosis's tolerance: relative 1e-6, and
    1e-7 of the peak near zero), and a root-mean-square relative difference below ``rms``."""
    fitted = from_config(found.document)  # a valid v1 document
    diagnosis = diagnose(steps, values, fitted)
    assert found.matches and diagnosis.match, (found.document, found.ranking[:3])
    assert found.rms_rel_error < rms


@pytest.mark.slow  # the whole catalog fitted to each kind's log; the tests below fit a few
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_recovered_from_its_log(kind):
    truth = from_config(example(kind, steps_per_epoch=20))
    steps = np.arange(truth.total_steps)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, truth.steps_per_epoch), steps, values)


def test_the_proposal_names_the_kind_and_its_lengths_in_epochs():
    truth = from_config(example("step", steps_per_epoch=10))
    steps = np.arange(truth.total_steps)
    found = fit(steps, float32_log(truth, steps), steps_per_epoch=10)
    schedule = found.document["schedule"]
    assert schedule["kind"] == "step"
    assert schedule["epochs_per_drop"] == 30.0 and schedule["drop"] == pytest.approx(0.5, rel=1e-6)
    assert schedule["warmup_epochs"] == 5.0 and schedule["hold_epochs"] == 10.0
    assert found.document["steps_per_epoch"] == 10


def test_a_sparse_log_every_tenth_step():
    truth = from_config(example("cosine", steps_per_epoch=100))
    steps = np.arange(0, truth.total_steps, 10)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, 100), steps, values)


def test_a_log_cut_before_the_end_is_still_explained():
    truth = from_config(make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 90, "warmup_epochs": 5}, 100))
    steps = np.arange(truth.total_steps // 2)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, 100), steps, values)


def test_the_simplest_matching_kind_wins():
    """A polynomial of power 1 is a line: the proposal says linear."""
    polynomial = example("polynomial", steps_per_epoch=20)
    truth = from_config(polynomial | {"schedule": polynomial["schedule"] | {"power": 1.0}})
    steps = np.arange(truth.total_steps)
    assert fit(steps, float32_log(truth, steps), 20).document["schedule"]["kind"] == "linear"


def test_noise_gives_the_closest_schedule_and_says_it_does_not_match():
    rng = np.random.default_rng(0)
    steps = np.arange(500)
    values = 0.1 * np.exp(-steps / 200) * (1 + 0.05 * rng.standard_normal(500))
    found = fit(steps, np.abs(values), 1)
    assert not found.matches and found.max_rel_error > 1e-3
    assert found.ranking == tuple(sorted(found.ranking, key=lambda pair: pair[1]))


def test_too_little_to_fit():
    with pytest.raises(ValueError, match="at least two logged steps"):
        fit([0], [0.1])


def test_document_writes_lengths_in_epochs():
    spec = {"kind": "cosine", "W": 50.0, "hold_end": 150.0, "T": 1000.0, "base_lr": 0.1}
    spec |= {"warmup_start_lr": 0.0, "warmup_shape": "linear", "epsilon": 0.0}
    schedule = document(spec, steps_per_epoch=100)["schedule"]
    assert (schedule["warmup_epochs"], schedule["hold_epochs"], schedule["total_epochs"]) == (0.5, 1.0, 10.0)


def test_every_kind_is_tried():
    assert sorted(SIMPLICITY) == sorted(KINDS)


def test_an_lr_that_changes_once_per_epoch_is_proposed_with_epoch_granularity():
    """What Keras's LearningRateScheduler logs per step: stairs, one per epoch."""
    truth = from_config(example("cosine", steps_per_epoch=20) | {"granularity": "epoch"})
    steps = np.arange(truth.total_steps)
    values = float32_log(truth, steps)
    found = fit(steps, values, 20)
    assert found.document["granularity"] == "epoch"
    assert_recovered(found, steps, values)


MONOTONE_KINDS = tuple(name for name, kind in KINDS.items() if kind.monotone)


@settings(max_examples=300, deadline=None)
@given(documents(kinds=MONOTONE_KINDS, max_steps=5_000), st.integers(1, 50))
def test_no_float32_log_of_a_kind_that_never_rises_reads_as_rising(doc, every):
    """The fit skips such kinds for a log that rises again after its decay began: sound only if
    no log of theirs, sparse or not, ever reads that way."""
    schedule = from_config(doc)
    steps = np.arange(0, schedule.total_steps, every)
    assert not _rises_after_decay(float32_log(schedule, steps))


@pytest.mark.slow  # the fit of a real log with restarts
def test_a_log_that_rises_again_is_fitted_without_the_kinds_that_never_rise():
    steps = np.arange(300)
    truth = from_config(
        make_document({"kind": "cosine_restarts", "base_lr": 0.1, "total_epochs": 300, "first_cycle_epochs": 70}, 1)
    )
    found = fit(steps, float32_log(truth, steps))
    assert found.matches and found.document["schedule"]["kind"] == "cosine_restarts"
    assert not {name for name, _ in found.ranking} & set(MONOTONE_KINDS)


def test_a_log_warm_up_is_read_as_one():
    """DeepSpeed's WarmupDecayLR (warmup_type "log"): a linear decay after a log warm-up."""
    truth = from_config(
        make_document(
            {"kind": "linear", "base_lr": 3e-4, "total_epochs": 200, "warmup_epochs": 20, "warmup_start_lr": 3e-5}
            | {"warmup_shape": "log"},
            1,
        )
    )
    steps = np.arange(200)
    found = fit(steps, float32_log(truth, steps))
    assert found.matches and found.document["schedule"]["warmup_shape"] == "log"
    assert found.document["schedule"]["warmup_epochs"] == 20.0


def test_a_convention_the_log_cannot_tell_is_said_with_the_numbers_it_would_give():
    """Two readings of a Trainer log, a step apart, equally plain but with other numbers: the
    writer's convention is said to be undetermined, with what the other reading gives; a plainer
    rival (or one with the same numbers) is not a rival."""
    default, since = conventions("transformers.Trainer", "step", 1)
    log = _log_of(np.arange(10.0, 50.0, 10.0), np.full(4, 1e-3), 1, None)
    ours = document({"kind": "linear", "base_lr": 1e-3, "T": 60.0, "W": 0.0, "hold_end": 0.0}, 1)
    theirs = document({"kind": "linear", "base_lr": 2e-3, "T": 70.0, "W": 0.0, "hold_end": 0.0}, 1)
    relative = np.zeros(4)
    chosen = ("linear", 0.0, ours, relative, (default, log))
    rival = ("linear", 0.0, theirs, relative, (since, log))
    (sentence,) = _rival_reading(chosen, [chosen, rival])
    assert sentence == (
        "convention: not determined by this log, which fits linear as well if it follows the Trainer's convention "
        "since transformers#36973 (2025): at step k, the lr step k used, with base_lr 0.002 and total_epochs 70"
    )
    less_round = (
        "linear",
        0.0,
        document({"kind": "linear", "base_lr": 1.5e-3, "T": 60.0, "W": 0.0, "hold_end": 0.0}, 1),
        relative,
        (since, log),
    )
    assert _rival_reading(chosen, [chosen, less_round]) == ()  # 1.5e-3 needs more digits: plainly not the run's
    same = ("linear", 0.0, ours, relative, (since, log))
    assert _rival_reading(chosen, [chosen, same]) == ()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(2, 40),
    st.sampled_from(["random", "zero column", "parallel", "nearly parallel"]),
    st.integers(0, 2**32 - 1),
)
def test_the_closed_form_least_squares_agrees_with_lstsq(columns, rows, shape, seed):
    """The fit's linear lrs: solved in closed form for one or two columns, by lstsq for a zero
    column, two (nearly) parallel ones or three; either way the residual is lstsq's, to rounding."""
    rng = np.random.default_rng(seed)
    matrix, target = rng.uniform(0, 1, (rows, columns)), rng.uniform(0, 1, rows)
    if shape == "zero column":
        matrix[:, -1] = 0.0
    elif shape != "random" and columns > 1:
        matrix[:, 1] = 3 * matrix[:, 0] + (1e-7 * rng.uniform(0, 1, rows) if shape == "nearly parallel" else 0)
    ours = _least_squares(matrix, target)
    theirs = np.linalg.lstsq(matrix, target, rcond=None)[0]

    def residual(x):
        return float(np.sum((matrix @ x - target) ** 2))

    assert ours.shape == (columns,) and np.all(np.isfinite(ours))
    assert residual(ours) == pytest.approx(residual(theirs), rel=1e-9, abs=1e-12)


def test_the_simplex_stops_once_a_point_is_good_enough():
    """A refinement that already explains every point far inside its tolerance stops there: the
    rest of its budget would only polish digits the whole-step polish and shortest decimals drop."""

    def counted(calls):
        def loss(v):
            calls.append(v)
            return 1e6 * ((v[0] - 3) ** 2 + (v[1] + 1) ** 2)

        return loss

    to_the_end, good_enough = [], []
    _nelder_mead(counted(to_the_end), np.zeros(2), np.ones(2))
    found = _nelder_mead(counted(good_enough), np.zeros(2), np.ones(2), good_enough=1e-8)
    assert 1e6 * ((found[0] - 3) ** 2 + (found[1] + 1) ** 2) <= 1e-8
    assert len(good_enough) < len(to_the_end) / 2
