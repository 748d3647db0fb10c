"""Our formulas against Keras's own schedules, step for step, on random parameters."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def keras_curve(schedule, steps: np.ndarray) -> np.ndarray:
    """Keras's answer at each step, one call per step in a compiled loop (its cond needs scalars).

    Keras takes its dtype from the initial learning rate: given float64 arguments it computes in
    float64, so the comparison is exact math against exact math, not float32 rounding at drop points.
    """
    evaluate = tf.function(lambda all_steps: tf.map_fn(schedule, all_steps, fn_output_signature=tf.float64))
    return evaluate(tf.constant(steps, dtype=tf.float64)).numpy()


def document(kind, steps_per_epoch, **fields):
    return {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": steps_per_epoch,
        "schedule": {"kind": kind, **fields},
    }


@SETTINGS
@given(
    steps_per_epoch=st.integers(1, 50),
    total_epochs=st.integers(1, 40),
    warmup_fraction=st.floats(0, 1),
    base_lr=st.floats(1e-5, 1.0),
    start_fraction=st.sampled_from([0.0, 0.01, 0.5]),
    alpha=st.sampled_from([0.0, 1e-3, 0.1, 0.5]),
)
def test_cosine_with_warmup_equals_keras_cosinedecay(
    steps_per_epoch, total_epochs, warmup_fraction, base_lr, start_fraction, alpha
):
    warmup_epochs = int(warmup_fraction * (total_epochs - 1))  # Keras needs a decay phase
    ours = schedules.from_config(
        document(
            "cosine",
            steps_per_epoch,
            base_lr=base_lr,
            total_epochs=total_epochs,
            warmup_epochs=warmup_epochs,
            warmup_start_lr=start_fraction * base_lr,
            epsilon=alpha * base_lr,
        )
    )
    W, T = ours.warmup_steps, ours.total_steps
    theirs = keras.optimizers.schedules.CosineDecay(
        np.float64(start_fraction * base_lr), T - W, alpha=alpha, warmup_target=np.float64(base_lr), warmup_steps=W
    )
    steps = np.arange(T + 5)
    np.testing.assert_allclose(ours.lr(steps), keras_curve(theirs, steps), rtol=1e-12, atol=1e-15)


@SETTINGS
@given(
    steps_per_epoch=st.integers(1, 50),
    total_epochs=st.integers(1, 60),
    epochs_per_drop=st.integers(1, 20),
    drop=st.floats(0.05, 1.0),
    base_lr=st.floats(1e-5, 1.0),
)
def test_step_equals_keras_staircase_exponentialdecay(steps_per_epoch, total_epochs, epochs_per_drop, drop, base_lr):
    ours = schedules.from_config(
        document(
            "step",
            steps_per_epoch,
            base_lr=base_lr,
            total_epochs=total_epochs,
            drop=drop,
            epochs_per_drop=epochs_per_drop,
        )
    )
    theirs = keras.optimizers.schedules.ExponentialDecay(
        np.float64(base_lr), decay_steps=epochs_per_drop * steps_per_epoch, decay_rate=np.float64(drop), staircase=True
    )
    steps = np.arange(ours.total_steps)  # Keras keeps decaying past the end; we stop at T
    # Eager and vectorized (this schedule has no cond): inside tf.function, TensorFlow's graph
    # optimizer turns step / decay_steps into step * (1 / decay_steps), which can land a hair
    # below a whole number and delay a drop by one step.
    theirs_eager = theirs(tf.constant(steps, dtype=tf.float64)).numpy()
    np.testing.assert_allclose(ours.lr(steps), theirs_eager, rtol=1e-12, atol=1e-15)
