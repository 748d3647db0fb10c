"""Pieces that every kind shares — warm-up and hold — and the join that strings pieces together.

Like optax's ``join_schedules``, each piece counts steps from its own start, so a kind's decay
formula never needs to know how long the warm-up or the hold lasted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

Piece = Callable[..., object]  # piece(t, xp) -> lr, t counted from the piece's own start


def linear_warmup(start_lr: float, end_lr: float, warmup_steps: int) -> Piece:
    """Straight line from ``start_lr`` at t = 0 to ``end_lr`` at t = W.

    lr(t) = start + (end − start) · t / W

    >>> warmup = linear_warmup(0.0, 1.0, warmup_steps=4)
    >>> [float(warmup(t)) for t in (0, 1, 4)]
    [0.0, 0.25, 1.0]
    """

    slope = (end_lr - start_lr) / max(warmup_steps, 1)

    def warmup(t, xp=np):
        return start_lr + slope * t

    return warmup


def cosine_warmup(start_lr: float, end_lr: float, warmup_steps: int) -> Piece:
    """Half a cosine from ``start_lr`` at t = 0 up to ``end_lr`` at t = W: gentle at both ends.

    lr(t) = start + (end − start) · ½ (1 − cos(π t / W))

    >>> warmup = cosine_warmup(0.0, 1.0, warmup_steps=4)
    >>> [round(float(warmup(t)), 3) for t in (0, 2, 4)]
    [0.0, 0.5, 1.0]
    """
    rate = math.pi / max(warmup_steps, 1)

    def warmup(t, xp=np):
        return start_lr + (end_lr - start_lr) * 0.5 * (1.0 - xp.cos(rate * t))

    return warmup


def log_warmup(start_lr: float, end_lr: float, warmup_steps: int) -> Piece:
    """Along a logarithm from ``start_lr`` at t = 0 and 1 up to ``end_lr`` at t = W: steep at first.

    lr(t) = start + (end − start) · log(max(t, 1)) / log(W)

    Matches DeepSpeed's ``WarmupLR(warmup_type="log")`` as its engine steps it: the scheduler
    sets its step −1 value (start) at construction and steps after each optimizer step, so the lr
    of optimizer step t is its log(t' + 1) at t' = t − 1, and step W is the first at the peak. A
    one-step warm-up (W = 1) is the start lr alone, as with the other shapes.

    >>> warmup = log_warmup(0.0, 1.0, warmup_steps=4)
    >>> [float(warmup(t)) for t in (0, 1, 2, 4)]
    [0.0, 0.0, 0.5, 1.0]
    """
    scale = (end_lr - start_lr) / math.log(max(warmup_steps, 2))

    def warmup(t, xp=np):
        return start_lr + scale * xp.log(xp.maximum(t, 1.0))

    return warmup


WARMUP_SHAPES: dict[str, Callable[[float, float, int], Piece]] = {
    "linear": linear_warmup,
    "cosine": cosine_warmup,
    "log": log_warmup,
}  # the common field ``warmup_shape`` names one of these


def anneal(start_lr: float, end_lr: float, length: float, shape: str = "linear") -> Piece:
    """From ``start_lr`` to ``end_lr`` over ``length`` steps, then ``end_lr``; q = clamp(t / length, 0, 1):

        linear:  start + (end − start) · q
        cos:     end + (start − end) · ½ (1 + cos πq)

    >>> [float(anneal(1.0, 0.0, 4, "linear")(t)) for t in (0, 1, 4, 9)]
    [1.0, 0.75, 0.0, 0.0]
    >>> round(float(anneal(1.0, 0.0, 4, "cos")(2)), 3)
    0.5
    """
    span = max(length, 1e-12)

    def piece(t, xp=np):
        q = xp.clip(t / span, 0.0, 1.0)
        if shape == "cos":
            return end_lr + (start_lr - end_lr) * 0.5 * (xp.cos(math.pi * q) + 1.0)
        return start_lr + (end_lr - start_lr) * q

    return piece


def hold(lr: float) -> Piece:
    """lr(t) = lr: the plateau at the peak between warm-up and decay (t a float array, as in a join)."""

    def piece(t, xp=np):
        return xp.full_like(t, lr)

    return piece


def join(pieces: Sequence[Piece], boundaries: Sequence[int]) -> Piece:
    """Piece i answers for boundaries[i − 1] ≤ t < boundaries[i], counting t from its boundary.

    lr(t) = piece_i(t − b_{i−1}),  with b_{−1} = 0

    An empty piece (two equal boundaries) is never selected. Every piece is evaluated over all of
    t and the answers are picked with ``where``: no branches, one code path for one step or 10⁹.
    A piece sees t clamped at 0, so even its unselected answers stay inside its own domain (a
    step decay asked for drop^−1 would overflow).

    >>> curve = join([linear_warmup(0.0, 1.0, 2), hold(1.0), hold(0.5)], [2, 3])
    >>> [float(curve(t)) for t in range(5)]
    [0.0, 0.5, 1.0, 0.5, 0.5]
    """
    if len(pieces) != len(boundaries) + 1:
        raise ValueError("join needs exactly one boundary between each pair of pieces")

    def joined(t, xp=np):
        lr = pieces[0](t, xp)
        for boundary, piece in zip(boundaries, pieces[1:], strict=True):
            lr = xp.where(t < boundary, lr, piece(xp.maximum(t - boundary, 0.0), xp))
        return lr

    return joined
