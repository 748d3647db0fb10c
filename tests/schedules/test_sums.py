"""Closed-form sums of the curve's pieces against their evaluated sums: the statistics' area
comes from them, so each must equal Σ piece(t) over the same whole steps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import phases
from schedules.kinds.cosine import cosine_decay
from schedules.kinds.linear import linear_decay
from tests.strategies import documents

lrs = st.floats(0.0, 10.0, allow_nan=False)
lengths = st.integers(0, 5_000)


def evaluated(piece, a: int, b: int) -> float:
    return float(np.sum(piece(np.arange(a, b, dtype=np.float64)))) if b > a else 0.0


def assert_sums_alike(piece, a: int, b: int, magnitude: float) -> None:
    """Alike up to rounding: relative, and where the terms cancel (a floor of 1e-12 under a peak of
    1, a cosine about its middle) absolute, a few ulps of ``magnitude`` (the largest lr named) a step."""
    rounding = 1e-14 * magnitude * max(b - a, 0)
    assert phases.total_of(piece)(a, b) == pytest.approx(evaluated(piece, a, b), rel=1e-11, abs=rounding + 1e-300)


@st.composite
def spans(draw, limit: int = 6_000) -> tuple[int, int]:
    a = draw(st.integers(0, limit))
    return a, draw(st.integers(a, limit + 200))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(phases.WARMUP_SHAPES)),
    lrs,
    lrs,
    lengths,
    spans(),
)
def test_each_warmup_shape_sums_in_closed_form(shape, start_lr, end_lr, warmup_steps, span):
    assert_sums_alike(phases.WARMUP_SHAPES[shape](start_lr, end_lr, warmup_steps), *span, max(start_lr, end_lr))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([cosine_decay, linear_decay]), lrs, lrs, lengths, spans())
def test_each_decay_sums_in_closed_form_also_past_its_end(build, base_lr, epsilon, decay_steps, span):
    assert_sums_alike(build(base_lr=base_lr, epsilon=epsilon, decay_steps=decay_steps), *span, max(base_lr, epsilon))


@settings(max_examples=200, deadline=None)
@given(lrs, st.lists(st.integers(0, 3_000), min_size=2, max_size=2).map(sorted), spans())
def test_a_join_sums_each_piece_over_its_own_part(lr, boundaries, span):
    joined = phases.join(
        [phases.linear_warmup(0.0, lr, boundaries[0]), phases.hold(lr), cosine_decay(lr, lr / 10, 2_000)], boundaries
    )
    assert_sums_alike(joined, *span, lr)


def test_only_whole_boundaries_and_summed_pieces_give_a_join_a_sum():
    warmup, hold = phases.linear_warmup(0.0, 1.0, 3), phases.hold(1.0)
    assert phases.total_of(phases.join([warmup, hold], [3])) is not None
    assert phases.total_of(phases.join([warmup, hold], [2.5])) is None  # a fit's real-valued boundary
    assert phases.total_of(phases.join([warmup, phases.anneal(1.0, 0.0, 9)], [3])) is None


def test_the_dirichlet_sum_holds_at_a_billion_steps():
    rate = math.pi / 10**9
    # Σ_{t<D} cos(πt/D) = 1 exactly (the terms cancel in pairs about the middle, cos 0 is left)
    assert phases.sum_of_cosines(rate, 0, 10**9) == pytest.approx(1.0, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(documents(max_steps=50_000))
def test_a_schedule_with_a_closed_form_sums_to_its_evaluated_steps(doc):
    s = schedules.from_config(doc)
    total = s.total_lr()
    if total is None:
        assert s.granularity == "epoch" or s.kind.name not in {"cosine", "linear", "constant"}
        return
    lr = s.lr(np.arange(s.total_steps))
    assert total == pytest.approx(float(lr.sum()), rel=1e-11, abs=1e-300)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_the_catalog_s_smooth_decays_have_a_closed_form(kind):
    doc = schedules.make_document({"kind": kind, "base_lr": 0.1, "total_epochs": 10, "warmup_epochs": 1}, 100)
    assert schedules.from_config(doc).total_lr() is not None
