"""Fitting: a log made by any kind of the catalog, or by Keras's own schedules, is recovered to
float32 precision at every logged step."""

import numpy as np
import pytest

from schedules import KINDS, from_config
from schedules.diagnose import diagnose
from schedules.fit import SIMPLICITY, document, fit
from studio import design
from studio.presets import PRESETS


def example(kind: str, steps_per_epoch: int = 20) -> dict:
    """A design of ``kind`` as the Designer starts it: its example fields, warm-up, hold and floor."""
    return design.document(design.DEFAULTS | {"kind": kind, "steps_per_epoch": steps_per_epoch})


CASES = {f"preset {name}": doc for name, doc in PRESETS.items()} | {f"example {k}": example(k) for k in KINDS}
SLOW = {"preset Warm-up–stable–decay (WSD)", "preset ResNet step decay (×0.1 at 30/60/80)"}


def float32_log(schedule, steps):
    return schedule.lr(steps).astype(np.float32).astype(np.float64)


def assert_recovered(found, steps, values, rms=1e-6):
    """Every logged step within float32 precision (the diagnosis's tolerance: relative 1e-6, and
    1e-7 of the peak near zero), and a root-mean-square relative difference below ``rms``."""
    fitted = from_config(found.document)  # a valid v1 document
    diagnosis = diagnose(steps, values, fitted)
    assert found.matches and diagnosis.match, (found.document, found.ranking[:3])
    assert found.rms_rel_error < rms


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_every_kind_is_recovered_from_its_log(name):
    truth = from_config(CASES[name])
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
    truth = from_config(PRESETS["Cosine with warm-up, hold and epsilon"])
    steps = np.arange(0, truth.total_steps, 10)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, 100), steps, values)


def test_a_log_cut_before_the_end_is_still_explained():
    truth = from_config(PRESETS["Keras CosineDecay with warm-up"])
    steps = np.arange(truth.total_steps // 2)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, 100), steps, values)


def test_the_simplest_matching_kind_wins():
    """A polynomial of power 1 is a line: the proposal says linear."""
    truth = from_config(example("polynomial") | {"schedule": example("polynomial")["schedule"] | {"power": 1.0}})
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


# Keras's own schedules, computed by Keras in float32 as a real run logs them ----------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "make",
    [
        lambda s: s.CosineDecay(0.0, 900, alpha=0.01, warmup_target=0.1, warmup_steps=100),
        lambda s: s.CosineDecay(0.05, 1000),
        lambda s: s.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5),
        lambda s: s.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True),
        lambda s: s.PolynomialDecay(0.1, 1000, end_learning_rate=1e-3, power=2.0),
        lambda s: s.InverseTimeDecay(0.1, decay_steps=100, decay_rate=0.5),
        lambda s: s.PiecewiseConstantDecay([300, 600], [0.1, 0.01, 0.001]),
        lambda s: s.CosineDecayRestarts(0.1, 200, t_mul=2.0, m_mul=1.0, alpha=0.01),
    ],
    ids=["cosine-warmup", "cosine", "exponential", "staircase", "polynomial", "inverse-time", "piecewise", "restarts"],
)
def test_keras_builtin_schedules_are_recovered(make):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    schedule = make(keras.optimizers.schedules)
    steps = np.arange(1000)
    evaluate = tf.function(lambda all_steps: tf.map_fn(schedule, all_steps, fn_output_signature=tf.float32))
    values = evaluate(tf.constant(steps, dtype=tf.int64)).numpy().astype(np.float64)
    # Keras computes in float32 itself: a few units in the last place besides the log's rounding.
    assert_recovered(fit(steps, values, 1), steps, values, rms=1e-4)


def test_an_lr_that_changes_once_per_epoch_is_proposed_with_epoch_granularity():
    """What Keras's LearningRateScheduler logs per step: stairs, one per epoch."""
    truth = from_config(example("cosine", steps_per_epoch=20) | {"granularity": "epoch"})
    steps = np.arange(truth.total_steps)
    values = float32_log(truth, steps)
    found = fit(steps, values, 20)
    assert found.document["granularity"] == "epoch"
    assert_recovered(found, steps, values)
