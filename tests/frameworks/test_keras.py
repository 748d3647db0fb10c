"""The Keras adapter computes the engine's own formula: same numbers, in fit, saved, distributed."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules
from tests import ROOT
from tests.strategies import documents

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.slow


def tolerance(s):
    return {"rtol": 1e-6, "atol": 1e-7 * max(s.peak_lr, s.values["warmup_start_lr"])}


def make(kind="cosine", steps_per_epoch=10, **fields):
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 10, "warmup_epochs": 1, "hold_epochs": 1, **fields}
    return schedules.from_config(
        {"format": "lr-schedule", "version": 1, "steps_per_epoch": steps_per_epoch, "schedule": schedule}
    )


@pytest.mark.parametrize("kind", sorted(schedules.KINDS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_to_keras_equals_lr_on_random_documents(kind, data):
    s = schedules.from_config(data.draw(documents(kinds=(kind,), max_steps=3000)))
    steps = np.arange(s.total_steps + 3)
    theirs = s.to_keras()(tf.constant(steps)).numpy()
    assert theirs.dtype == np.float32
    np.testing.assert_allclose(theirs, s.lr(steps), **tolerance(s))


def test_compiled_graph_drops_on_the_exact_step():
    s = make("step", steps_per_epoch=7, warmup_epochs=0, hold_epochs=0, drop=0.5, epochs_per_drop=7)  # S = 49
    graph = tf.function(lambda steps: s.to_keras()(steps), jit_compile=True)
    steps = np.arange(s.total_steps)
    np.testing.assert_allclose(graph(tf.constant(steps)).numpy(), s.lr(steps), **tolerance(s))


def test_config_round_trip():
    adapter = make(epsilon=1e-4).to_keras()
    again = type(adapter).from_config(adapter.get_config())
    assert again.schedule == adapter.schedule
    restored = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(adapter))
    np.testing.assert_array_equal(restored(tf.range(120)).numpy(), adapter(tf.range(120)).numpy())


def small_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    return model


def test_runs_inside_fit_and_saves_with_the_model(tmp_path):
    s = make()
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(s.to_keras()), loss="mse")
    x, y = np.random.default_rng(0).normal(size=(64, 4)), np.zeros((64, 3))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)  # 16 steps
    assert int(model.optimizer.iterations) == 16
    assert float(model.optimizer.learning_rate) == pytest.approx(float(s.lr(16)), rel=1e-6)

    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")  # no custom_objects
    restored = loaded.optimizer._learning_rate
    assert type(restored).__name__ == "KerasSchedule" and restored.schedule == s


def test_identical_lr_under_mirrored_strategy_with_two_cpus(tmp_path):
    probe = textwrap.dedent(
        """
        import json, sys
        import numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        import schedules
        s = schedules.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 8,
            "schedule": {"kind": "cosine", "base_lr": 0.1, "total_epochs": 3, "warmup_epochs": 1, "epsilon": 1e-3}})
        from frameworks.keras_callbacks import LearningRateLogger
        from training.events import read_scalars
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        with strategy.scope():
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
            model.compile(optimizer=keras.optimizers.SGD(s.to_keras()), loss="mse")
        x = np.random.default_rng(0).normal(size=(128, 4)).astype("float32")
        logger = LearningRateLogger(sys.argv[1])
        model.fit(x, np.zeros((128, 2), "float32"), batch_size=16, epochs=3, verbose=0, callbacks=[logger])
        steps, used = read_scalars(sys.argv[1])
        print(json.dumps({"replicas": strategy.num_replicas_in_sync, "steps": steps.tolist(),
            "max_error": float(np.max(np.abs(used - s.lr(steps))) / 0.1)}))
        """
    )
    command = [sys.executable, "-c", probe, str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = __import__("json").loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["steps"] == list(range(24))
    assert report["max_error"] < 1e-6
