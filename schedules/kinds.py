"""The catalog: every schedule kind with its fields and its decay formula.

A decay formula is a builder: it receives the kind's arguments (durations already converted to
steps) and returns ``decay(e, xp)``, the learning rate ``e`` steps after the decay began. ``xp`` is
an array namespace — NumPy here, ``keras.ops`` in the Keras adapter — so each formula is written
once and serves every backend. Formulas are branch-free (``clip``, ``where``, ``maximum``) and must
stay finite for every ``e`` in ``[0, decay_steps]``.

Adding a kind is local: write its builder and add one :class:`Kind` to :data:`KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from schedules.fields import Field, Number

Decay = Callable[..., Any]  # decay(e, xp) -> lr, element-wise over e


def progress(e, decay_steps: int, xp=np):
    """p = clamp(e / D, 0, 1): the fraction of the decay phase done (0 when D = 0)."""
    return xp.clip(e / max(decay_steps, 1), 0.0, 1.0)


def whole_periods(e, period: int, xp=np):
    """⌊e / S⌋ for whole-number e ≥ 0 and S ≥ 1, computed as ⌊(e + ½) / S⌋.

    The half step keeps the answer exact where a compiler rewrites e / S as e · (1 / S), which
    can land a hair below a whole number (TensorFlow's graph optimizer does, delaying a drop).
    """
    return xp.floor((e + 0.5) / period)


def cosine_decay(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """Half a cosine from ``base_lr`` down to ``epsilon`` over ``decay_steps``.

    lr(e) = ε + (base − ε) · ½ (1 + cos πp),   p = clamp(e / D, 0, 1)

    Matches ``keras.optimizers.schedules.CosineDecay(alpha=ε / base)`` and optax's
    ``cosine_decay_schedule``.

    >>> decay = cosine_decay(base_lr=1.0, epsilon=0.0, decay_steps=10)
    >>> [round(float(decay(e)), 4) for e in (0, 5, 10)]
    [1.0, 0.5, 0.0]
    """

    half_range = 0.5 * (base_lr - epsilon)  # constants folded: fewer passes over a long array

    def decay(e, xp=np):
        return (epsilon + half_range) + half_range * xp.cos(math.pi * progress(e, decay_steps, xp))

    return decay


def step_decay(base_lr: float, epsilon: float, decay_steps: int, drop: float, epochs_per_drop: int) -> Decay:
    """Multiply by ``drop`` every ``epochs_per_drop`` (in steps here, S), never below ``epsilon``.

    lr(e) = max(ε, base · drop^⌊e / S⌋)

    Matches ``torch.optim.lr_scheduler.StepLR`` and Keras's ``ExponentialDecay(staircase=True)``.

    >>> decay = step_decay(base_lr=1.0, epsilon=0.0, decay_steps=100, drop=0.5, epochs_per_drop=10)
    >>> [float(decay(e)) for e in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def decay(e, xp=np):
        return xp.maximum(epsilon, base_lr * xp.power(drop, whole_periods(e, epochs_per_drop, xp)))

    return decay


def constant(base_lr: float, epsilon: float, decay_steps: int) -> Decay:
    """lr(e) = base: no decay (warm-up and hold still apply).

    >>> float(constant(base_lr=0.1, epsilon=0.0, decay_steps=10)(7))
    0.1
    """

    def decay(e, xp=np):
        return xp.zeros_like(e) + base_lr  # float whatever e's dtype

    return decay


@dataclass(frozen=True)
class Kind:
    """A schedule kind: its name in documents, a title for people, its own fields and formula."""

    name: str
    title: str
    decay: Callable[..., Decay]
    fields: tuple[Field, ...] = ()


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("cosine", "Cosine decay", cosine_decay),
        Kind(
            "step",
            "Step decay",
            step_decay,
            fields=(
                Field("drop", Number(gt=0, le=1), help="factor applied at each drop", example=0.5),
                Field("epochs_per_drop", Number(gt=0), duration=True, help="epochs between drops", example=30.0),
            ),
        ),
        Kind("constant", "Constant", constant),
    )
}
