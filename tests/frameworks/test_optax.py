"""The optax adapter runs the engine's own formula in jax.numpy: under jit, in float64 and float32."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules
from tests.strategies import documents

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install -r requirements-peers.txt)")
optax = pytest.importorskip("optax", reason="optax is not installed (pip install -r requirements-peers.txt)")
from frameworks.optax import to_optax  # noqa: E402  (after the skip: it imports JAX)

jnp = jax.numpy
SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exact_reciprocals(doc, data):
    """In float32, growing restart cycles with cycle_mult − 1 a power of two.

    The restarts formula settles each cycle against its start with a margin of 1e-12 relative,
    far above float64's rounding but below float32's: for another cycle_mult a start computed in
    float32 can land past its whole step, and the restart a step late (0 where the peak belongs).
    """
    if doc["schedule"]["kind"] == "cosine_restarts":
        doc["schedule"]["cycle_mult"] = data.draw(st.sampled_from([1.0, 1.5, 2.0, 3.0, 5.0]))
    return doc


def curve(s, steps, x64):
    """The jitted adapter's lr at every step, computed with x64 on or off."""
    with jax.enable_x64(x64):
        return np.asarray(jax.jit(to_optax(s))(jnp.asarray(steps)))


@pytest.mark.parametrize("kind", sorted(schedules.KINDS))
@SETTINGS
@given(data=st.data())
def test_float64_equals_lr_at_every_step(kind, data):
    s = schedules.from_config(data.draw(documents(kinds=(kind,), max_steps=5000)))
    steps = np.arange(s.total_steps + 3)
    ours = curve(s, steps, x64=True)
    assert ours.dtype == np.float64
    # XLA's cos, pow and log may differ from NumPy's in the last bit, nothing more.
    np.testing.assert_allclose(ours, s.lr(steps), rtol=1e-13, atol=1e-15 * max(s.peak_lr, s.values["warmup_start_lr"]))


@pytest.mark.parametrize("kind", sorted(schedules.KINDS))
@SETTINGS
@given(data=st.data())
def test_float32_is_lr_to_float32_precision(kind, data):
    doc = exact_reciprocals(data.draw(documents(kinds=(kind,), max_steps=5000)), data)
    s = schedules.from_config(doc)
    steps = np.arange(s.total_steps + 3)
    ours = curve(s, steps, x64=False)
    assert ours.dtype == np.float32
    # Steps below 2²⁴ are exact in float32; the formula then loses a few float32 ulps.
    np.testing.assert_allclose(ours, s.lr(steps), rtol=2e-5, atol=1e-6 * max(s.peak_lr, s.values["warmup_start_lr"]))


def make(kind="cosine", steps_per_epoch=5, **fields):
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 6, "warmup_epochs": 1, "hold_epochs": 1, **fields}
    return schedules.from_config(
        {"format": "lr-schedule", "version": 1, "steps_per_epoch": steps_per_epoch, "schedule": schedule}
    )


def test_polynomial_with_power_below_one_ends_at_epsilon_under_jit():
    """XLA compiles e / D as e · (1 / D), 1 − 2⁻⁵³ at e = D; progress holds 1 there exactly."""
    s = make("polynomial", steps_per_epoch=21, total_epochs=83, warmup_epochs=0, hold_epochs=0, power=0.5)
    end = curve(s, np.array([s.total_steps]), x64=True)
    assert end[0] == s.lr(s.total_steps) == 0.0


@pytest.mark.parametrize("x64", [True, False], ids=["float64", "float32"])
def test_drives_an_optax_optimizer_in_a_compiled_loop(x64):
    s = make("step", drop=0.5, epochs_per_drop=1.5)
    with jax.enable_x64(x64):
        optimizer = optax.sgd(learning_rate=to_optax(s))
        params = jnp.zeros(())

        @jax.jit
        def train(params):
            def one_step(carry, _):
                params, state = carry
                updates, state = optimizer.update(jnp.ones_like(params), state, params)  # gradient 1
                return (optax.apply_updates(params, updates), state), -updates  # -update = lr

            return jax.lax.scan(one_step, (params, optimizer.init(params)), length=s.total_steps + 2)[1]

        lrs = np.asarray(train(params))
    np.testing.assert_allclose(lrs, s.lr(np.arange(s.total_steps + 2)), rtol=1e-15 if x64 else 1e-6)


def test_one_step_at_a_time_and_a_batch_of_steps_agree():
    s = make("cosine_restarts", first_cycle_epochs=1.0, cycle_mult=2.0)
    lr_at = jax.jit(to_optax(s))
    with jax.enable_x64(True):
        one_by_one = [float(lr_at(step)) for step in range(s.total_steps)]
        np.testing.assert_array_equal(one_by_one, np.asarray(lr_at(jnp.arange(s.total_steps))))


def test_the_engine_reaches_it_by_name():
    s = make()
    with jax.enable_x64(True):
        np.testing.assert_allclose(np.asarray(jax.jit(s.to_optax())(jnp.arange(30))), s.lr(np.arange(30)), rtol=1e-13)


def test_refuses_what_is_not_a_schedule():
    with pytest.raises(TypeError, match="^schedule: expected a schedules.Schedule, got dict$"):
        to_optax(make().to_config())
