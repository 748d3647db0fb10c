"""Pieces that every kind shares — warm-up and hold — and the join that strings pieces together.

Like optax's ``join_schedules``, each piece counts steps from its own start, so a kind's decay
formula never needs to know how long the warm-up or the hold lasted.

A piece may also carry its sum over whole steps in closed form (:func:`summed`): the statistics
then add up 10⁶ steps of a cosine without evaluating one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

Piece = Callable[..., object]  # piece(t, xp) -> lr, t counted from the piece's own start
Total = Callable[[int, int], float]  # total(a, b) = Σ piece(t) over whole t in [a, b)


def summed(piece: Piece, total: Total, *lengths: float) -> Piece:
    """``piece``, carrying ``piece.total(a, b)`` = Σ_{t=a}^{b−1} piece(t) over whole 0 ≤ a ≤ b,
    where each of ``lengths`` (those the closed form counts in whole steps) is whole: a fit's
    real-valued lengths leave the piece without one, evaluated instead.

    The closed form is checked against the evaluated sum for every piece that has one
    (tests/schedules/test_sums.py).
    """
    if all(float(length).is_integer() for length in lengths):
        piece.total = total
    return piece


def flat_total(lr: float) -> Total:
    """Σ of a constant ``lr`` over [a, b): lr · (b − a)."""
    return lambda a, b: lr * max(b - a, 0)


def total_of(piece: Piece) -> Total | None:
    """A piece's closed-form sum, or None where it has none (the sum is then evaluated)."""
    return getattr(piece, "total", None)


def sum_of_cosines(rate: float, a: int, b: int) -> float:
    """Σ_{t=a}^{b−1} cos(rate · t), by the Dirichlet kernel (0 < rate < 2π):

        cos(rate · (a + b − 1) / 2) · sin(rate · (b − a) / 2) / sin(rate / 2)

    >>> round(sum_of_cosines(math.pi / 3, 0, 3), 12)  # cos 0 + cos π/3 + cos 2π/3 = 1 + ½ − ½
    1.0
    >>> round(sum_of_cosines(math.pi / 3, 2, 5), 12)  # cos 2π/3 + cos π + cos 4π/3 = −½ − 1 − ½
    -2.0
    """
    if b <= a:
        return 0.0
    return math.cos(rate * (a + b - 1) / 2) * math.sin(rate * (b - a) / 2) / math.sin(rate / 2)


def sum_of_steps(a: int, b: int) -> float:
    """Σ_{t=a}^{b−1} t = (b − a)(a + b − 1) / 2.

    >>> sum_of_steps(2, 5)
    9.0
    """
    return (b - a) * (a + b - 1) / 2 if b > a else 0.0


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

    return summed(warmup, lambda a, b: start_lr * (b - a) + slope * sum_of_steps(a, b))


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

    def total(a, b):
        return (start_lr + (end_lr - start_lr) * 0.5) * (b - a) - (end_lr - start_lr) * 0.5 * sum_of_cosines(rate, a, b)

    return summed(warmup, total)


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

    def total(a, b):  # Σ log t over 1 ≤ t < b is log((b − 1)!) = lgamma(b)
        logs = math.lgamma(b) - math.lgamma(max(a, 1)) if b > max(a, 1) else 0.0
        return start_lr * (b - a) + scale * logs

    return summed(warmup, total)


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


def shifted(piece: Piece, by: float) -> Piece:
    """``piece`` entered ``by`` steps into it: lr(t) = piece(t + by), its closed-form sum shifted alike.

    >>> [float(shifted(linear_warmup(0.0, 1.0, 4), 2)(t)) for t in (0, 2)]
    [0.5, 1.0]
    """

    def piece_from(t, xp=np):
        return piece(t + by, xp)

    total = total_of(piece)
    if total is None:
        return piece_from
    return summed(piece_from, lambda a, b: total(a + int(by), b + int(by)), by)


def hold(lr: float) -> Piece:
    """lr(t) = lr: the plateau at the peak between warm-up and decay (t a float array, as in a join)."""

    def piece(t, xp=np):
        return xp.full_like(t, lr)

    return summed(piece, flat_total(lr))


def join(pieces: Sequence[Piece], boundaries: Sequence[int]) -> Piece:
    """Piece i answers for boundaries[i − 1] ≤ t < boundaries[i], counting t from its boundary.

    lr(t) = piece_i(t − b_{i−1}),  with b_{−1} = 0

    An empty piece (two equal boundaries) is never selected. In any array namespace every piece
    is evaluated over all of t and the answers are picked with ``where``: no branches, one code
    path for one step or 10⁹ (and for ``keras.ops`` and ``jax.numpy``, which trace it). A piece
    sees t clamped at 0, so even its unselected answers stay inside its own domain (a step decay
    asked for drop^−1 would overflow). With NumPy and ascending steps (a curve, a range), each
    piece is evaluated on its own slice of t alone, with the same answers: a decay's cosine runs
    once per step, not once per step per piece.

    >>> curve = join([linear_warmup(0.0, 1.0, 2), hold(1.0), hold(0.5)], [2, 3])
    >>> [float(curve(t)) for t in range(5)]
    [0.0, 0.5, 1.0, 0.5, 0.5]
    """
    if len(pieces) != len(boundaries) + 1:
        raise ValueError("join needs exactly one boundary between each pair of pieces")

    def joined(t, xp=np):
        if xp is np and _ascending(t):
            return _joined_slices(t)
        lr = pieces[0](t, xp)
        for boundary, piece in zip(boundaries, pieces[1:], strict=True):
            lr = xp.where(t < boundary, lr, piece(xp.maximum(t - boundary, 0.0), xp))
        return lr

    def _joined_slices(t: np.ndarray) -> np.ndarray:
        # Where t < boundary picks the earlier piece, searchsorted(side="left") cuts at the same
        # place; a later piece overwrites an earlier one, as the chain of where does.
        cuts = [0, *np.searchsorted(t, boundaries, side="left").tolist(), t.size]
        last = max(i for i in range(len(pieces)) if cuts[i] == 0)  # the piece answering t[0]
        if min(cuts[last + 1 :]) == t.size:  # and every other t: its answers are the curve's, no copy
            return pieces[last](t if last == 0 else t - boundaries[last - 1], np)
        lr = np.empty(t.shape, dtype=np.float64)
        for i, piece in enumerate(pieces):
            start, end = cuts[i], max(cuts[i], cuts[i + 1])
            if start < end:
                part = t[start:end] if i == 0 else t[start:end] - boundaries[i - 1]
                lr[start:end] = piece(part, np)
        return lr

    totals = [total_of(piece) for piece in pieces]
    whole = all(float(b).is_integer() and b >= a for a, b in itertools.pairwise([0, *boundaries]))
    if all(totals) and whole:  # a fit's real-valued boundaries cut between whole steps: no sum
        edges = [0, *(int(b) for b in boundaries)]

        def total(a: int, b: int) -> float:  # each piece over its part of [a, b), from its own start
            ends = [*edges[1:], max(b, edges[-1])]
            return sum(
                piece_total(max(a, start) - start, min(b, end) - start)
                for piece_total, start, end in zip(totals, edges, ends, strict=True)
                if max(a, start) < min(b, end)
            )

        summed(joined, total)
    return joined


def _ascending(t) -> bool:
    """A 1-D float64 array in ascending order (a NaN anywhere fails the comparison, as it should)."""
    return (
        isinstance(t, np.ndarray)
        and t.ndim == 1
        and t.size > 1
        and t.dtype == np.float64
        and bool((t[1:] >= t[:-1]).all())
    )
