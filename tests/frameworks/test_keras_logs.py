"""Keras's own logs read back by the engine: its TensorBoard callback in a real model.fit and
tf.summary's event files, diagnosed; its built-in schedules, computed in float32, fitted."""

import numpy as np
import pytest

from schedules import from_config
from schedules.diagnose import diagnose
from schedules.fit import fit
from schedules.logs import choose, read_path
from tests.schedules.test_fit import assert_recovered
from tests.schedules.test_logs import LRS

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.slow  # every test here starts TensorFlow


# Keras's own TensorBoard callback, in a real model.fit --------------------------------------------
def keras_fit(log_dir, epochs, steps_per_epoch, learning_rate, callbacks=()):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps_per_epoch * 8, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    tensorboard = keras.callbacks.TensorBoard(str(log_dir))
    model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, callbacks=[*callbacks, tensorboard])
    return choose(read_path(log_dir), "epoch_learning_rate")


EPOCH_DESIGN = from_config(
    {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 5,
        "granularity": "epoch",
        "schedule": {"kind": "cosine", "base_lr": 0.05, "total_epochs": 8, "warmup_epochs": 2, "epsilon": 1e-4},
    }
)


def test_keras_tensorboard_callback_with_a_learning_rate_scheduler_matches(tmp_path):
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch: float(EPOCH_DESIGN.lr([epoch * 5])[0]))
    series = keras_fit(tmp_path, 8, 5, 0.05, [scheduler])
    assert series.unit == "epoch" and series.steps.tolist() == list(range(8))
    diagnosis = diagnose(series.steps, series.lr, EPOCH_DESIGN, series.unit)
    assert diagnosis.match and diagnosis.findings == []


def test_keras_tensorboard_callback_logs_the_next_epochs_lr_of_a_schedule_object(tmp_path):
    """With a LearningRateSchedule on the optimizer, the callback's epoch_learning_rate is read after
    the epoch's steps: the lr of the next epoch's first step, one epoch ahead of the design."""
    step_design = from_config(EPOCH_DESIGN.to_config() | {"granularity": "step"})
    series = keras_fit(tmp_path, 8, 5, step_design.to_keras())
    diagnosis = diagnose(series.steps, series.lr, step_design, series.unit)
    assert diagnosis.findings[0]["type"] == "offset" and diagnosis.findings[0]["steps"] == 5
    assert "5 steps (one epoch) ahead" in diagnosis.findings[0]["sentence"]


def test_tf_summary_scalar_event_files(tmp_path):
    """TensorFlow's own writer stores scalars as float tensors with plugin metadata."""
    with tf.summary.create_file_writer(str(tmp_path / "train")).as_default():
        for step, value in LRS:
            tf.summary.scalar("learning_rate", value, step=step)
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    (series,) = read_path(tmp_path)
    assert series.name == "learning_rate"
    np.testing.assert_array_equal(series.lr, np.float32([v for _, v in LRS]).astype(np.float64))


# Keras's own schedules, computed by Keras in float32 as a real run logs them ----------------------
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
    schedule = make(keras.optimizers.schedules)
    steps = np.arange(1000)
    evaluate = tf.function(lambda all_steps: tf.map_fn(schedule, all_steps, fn_output_signature=tf.float32))
    values = evaluate(tf.constant(steps, dtype=tf.int64)).numpy().astype(np.float64)
    # Keras computes in float32 itself: a few units in the last place besides the log's rounding.
    assert_recovered(fit(steps, values, 1), steps, values, rms=1e-4)
