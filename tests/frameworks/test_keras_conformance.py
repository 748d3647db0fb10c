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


def eager(schedule, steps):
    return schedule(tf.constant(steps, dtype=tf.float64)).numpy()


@SETTINGS
@given(
    steps_per_epoch=st.integers(1, 30),
    total_epochs=st.integers(1, 40),
    power=st.floats(0.1, 5.0),
    base_lr=st.floats(1e-5, 1.0),
    end_fraction=st.sampled_from([0.0, 1e-3, 0.1]),
)
def test_polynomial_equals_keras_polynomialdecay(steps_per_epoch, total_epochs, power, base_lr, end_fraction):
    ours = schedules.from_config(
        document(
            "polynomial",
            steps_per_epoch,
            base_lr=base_lr,
            total_epochs=total_epochs,
            power=power,
            epsilon=end_fraction * base_lr,
        )
    )
    theirs = keras.optimizers.schedules.PolynomialDecay(
        np.float64(base_lr),
        ours.total_steps,
        end_learning_rate=np.float64(end_fraction * base_lr),
        power=np.float64(power),
    )
    steps = np.arange(ours.total_steps + 5)
    np.testing.assert_allclose(ours.lr(steps), eager(theirs, steps), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("kind", "peer", "highest_rate"),
    [("exponential", "ExponentialDecay", 1.0), ("inverse_time", "InverseTimeDecay", 5.0)],
)
@SETTINGS
@given(
    steps_per_epoch=st.integers(1, 30),
    total_epochs=st.integers(1, 40),
    decay_epochs=st.integers(1, 20),
    rate_fraction=st.floats(0.05, 1.0),
    base_lr=st.floats(1e-5, 1.0),
)
def test_rate_decays_equal_their_keras_peers(
    kind, peer, highest_rate, steps_per_epoch, total_epochs, decay_epochs, rate_fraction, base_lr
):
    rate = rate_fraction * highest_rate
    fields = dict(base_lr=base_lr, total_epochs=total_epochs, decay_rate=rate, decay_epochs=decay_epochs)
    ours = schedules.from_config(document(kind, steps_per_epoch, **fields))
    theirs = getattr(keras.optimizers.schedules, peer)(
        np.float64(base_lr), decay_steps=decay_epochs * steps_per_epoch, decay_rate=np.float64(rate)
    )
    steps = np.arange(ours.total_steps)
    np.testing.assert_allclose(ours.lr(steps), eager(theirs, steps), rtol=1e-10, atol=1e-15)


@SETTINGS
@given(
    steps_per_epoch=st.integers(1, 20),
    total_epochs=st.integers(5, 60),
    first_cycle_epochs=st.integers(1, 10),
    cycle_mult=st.sampled_from([1.0, 1.5, 2.0, 3.0]),
    peak_mult=st.sampled_from([1.0, 0.9, 0.5]),
    base_lr=st.floats(1e-5, 1.0),
    alpha=st.sampled_from([0.0, 1e-3, 0.1]),
)
def test_cosine_restarts_equals_keras_cosinedecayrestarts(
    steps_per_epoch, total_epochs, first_cycle_epochs, cycle_mult, peak_mult, base_lr, alpha
):
    fields = dict(
        first_cycle_epochs=first_cycle_epochs, cycle_mult=cycle_mult, peak_mult=peak_mult, epsilon=alpha * base_lr
    )
    ours = schedules.from_config(
        document("cosine_restarts", steps_per_epoch, base_lr=base_lr, total_epochs=total_epochs, **fields)
    )
    theirs = keras.optimizers.schedules.CosineDecayRestarts(
        np.float64(base_lr),
        first_cycle_epochs * steps_per_epoch,
        t_mul=np.float64(cycle_mult),
        m_mul=np.float64(peak_mult),
        alpha=np.float64(alpha),
    )
    steps = np.arange(ours.total_steps)
    expected = eager(theirs, steps)
    ours_lr = ours.lr(steps)
    # Keras finds the cycle with a logarithm, which can land one ulp below a restart and answer
    # the end of the previous cycle there; we settle the cycle exactly. Elsewhere: equal.
    off = ~np.isclose(ours_lr, expected, rtol=1e-9, atol=1e-15)
    restart_ends = np.isclose(expected[off], alpha * base_lr, rtol=1e-6, atol=1e-15)
    assert restart_ends.all(), f"differs away from restarts at steps {steps[off][~restart_ends][:5]}"
    assert off.sum() <= 5
