"""Callbacks: a schedule applied per batch or epoch, and the lr actually used logged per step."""

import numpy as np
import pytest

import schedules
from training.events import read_scalars

keras = pytest.importorskip("keras")
callbacks = pytest.importorskip("frameworks.keras_callbacks")
pytestmark = pytest.mark.slow

X = np.random.default_rng(0).normal(size=(40, 4)).astype("float32")
Y = np.zeros((40, 2), "float32")


def fit(optimizer, log_dir, extra=(), epochs=3):
    """10 steps per epoch; returns the lr logged at each step."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, Y, batch_size=4, epochs=epochs, verbose=0, callbacks=[*extra, callbacks.LearningRateLogger(log_dir)])
    return read_scalars(log_dir)


def make(granularity):
    schedule = {"kind": "cosine", "base_lr": 0.1, "total_epochs": 3, "warmup_epochs": 1, "epsilon": 0.01}
    doc = {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 10,
        "granularity": granularity,
        "schedule": schedule,
    }
    return schedules.from_config(doc)


@pytest.mark.parametrize("granularity", ["step", "epoch"])
def test_schedule_callback_sets_the_lr_each_batch_or_epoch(tmp_path, granularity):
    s = make(granularity)
    steps, logged = fit(keras.optimizers.SGD(1.0), tmp_path, extra=[callbacks.ScheduleCallback(s)])
    assert steps.tolist() == list(range(30))
    np.testing.assert_allclose(logged, s.lr(steps), rtol=1e-6)
    if granularity == "epoch":
        assert len(set(logged[:10])) == 1 and logged[10] != logged[9]


def test_logger_records_a_keras_builtin_schedule_per_step(tmp_path):
    builtin = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=5, decay_rate=0.5)
    steps, logged = fit(keras.optimizers.Adam(builtin), tmp_path)
    np.testing.assert_allclose(logged, 0.1 * 0.5 ** (steps / 5), rtol=1e-6)


def test_logger_records_a_float_and_sits_beside_kerass_own_scalars(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.03), loss="mse")
    model.fit(
        X,
        Y,
        batch_size=4,
        epochs=2,
        verbose=0,
        callbacks=[
            callbacks.LearningRateLogger(tmp_path),
            keras.callbacks.TensorBoard(str(tmp_path), write_graph=False),
        ],
    )
    steps, logged = read_scalars(tmp_path)
    assert steps.tolist() == list(range(20))
    np.testing.assert_allclose(logged, 0.03, rtol=1e-6)
    assert read_scalars(tmp_path, "epoch_loss")[0].tolist() == [0, 1]


def test_logger_records_kerass_warmup_cosine_whose_branch_needs_scalars(tmp_path):
    builtin = keras.optimizers.schedules.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=10)
    steps, logged = fit(keras.optimizers.SGD(builtin), tmp_path)
    expected = np.where(steps < 10, 0.01 * steps, 0.1 * 0.5 * (1 + np.cos(np.pi * np.minimum(steps - 10, 20) / 20)))
    np.testing.assert_allclose(logged, expected, rtol=1e-5, atol=1e-7)
