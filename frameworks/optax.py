"""A :class:`~schedules.Schedule` as an optax schedule: ``count -> lr``, traceable by ``jax.jit``.

The adapter owns no formula: it hands ``jax.numpy`` to :meth:`Schedule.formula`, the code NumPy
runs for :meth:`Schedule.lr`. In float64 (``jax.config.update("jax_enable_x64", True)``) it equals
``lr()`` to float64 rounding; by default JAX computes in float32, so to float32 precision.

    import optax, schedules
    from frameworks.optax import to_optax

    s = schedules.loads(open("lr-schedule.json").read())
    optimizer = optax.adamw(learning_rate=to_optax(s))   # optax passes its step count
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from schedules import Schedule


def to_optax(schedule: Schedule) -> Callable[[jax.typing.ArrayLike], jax.Array]:
    """The schedule as ``schedule(count)``: the lr at 0-based optimizer step ``count`` (any shape).

    The dtype is JAX's widest float when the call is traced: float64 with ``jax_enable_x64`` on,
    float32 otherwise. Steps are counted as optax counts updates.

    >>> import schedules
    >>> s = schedules.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1,
    ...     "schedule": {"kind": "cosine", "base_lr": 1.0, "total_epochs": 4, "warmup_epochs": 2}})
    >>> lr_at = jax.jit(to_optax(s))
    >>> [round(float(lr_at(step)), 4) for step in (0, 1, 2, 3, 4, 9)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule: expected a schedules.Schedule, got {type(schedule).__name__}")

    def lr_at(count: jax.typing.ArrayLike) -> jax.Array:
        # float64 only where x64 is on: asking for it otherwise warns and truncates anyway.
        steps = jnp.asarray(count).astype(jax.dtypes.canonicalize_dtype(jnp.float64))
        return schedule.formula(steps, xp=jnp)

    return lr_at
