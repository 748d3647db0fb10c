"""The drawn envelope is exact: each bucket's extremes equal brute force over every step."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import KINDS
from schedules.envelope import buckets, envelope
from tests.strategies import documents


def brute_force(s, count):
    lr = s.lr(np.arange(s.total_steps))
    size = -(-s.total_steps // count)
    starts = np.arange(0, s.total_steps, size)
    return np.minimum.reduceat(lr, starts), np.maximum.reduceat(lr, starts)


def assert_exact(s, count):
    spans = buckets(s, count)
    low, high = brute_force(s, count)
    np.testing.assert_allclose(spans.low, low, rtol=1e-14, atol=0)
    np.testing.assert_allclose(spans.high, high, rtol=1e-14, atol=0)
    # and the steps named hold those values
    np.testing.assert_allclose(s.lr(spans.low_step), spans.low, rtol=1e-14)
    assert np.all((spans.low_step >= spans.start) & (spans.low_step < spans.stop))


@settings(max_examples=300, deadline=None)
@given(documents(max_steps=200_000), st.integers(1, 300))
def test_every_bucket_holds_the_true_extremes(doc, count):
    assert_exact(schedules.from_config(doc), count)


@pytest.mark.slow  # 10⁷ steps of each kind brute-forced
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_at_ten_million_steps_with_fast_turns(kind):
    """Drops, restarts and cycles every few hundred steps: tens of thousands of turns."""
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 1000.0}
    for field in KINDS[kind].fields:
        if field.example is not None:
            schedule[field.name] = field.example
    for name in ("epochs_per_drop", "decay_epochs", "first_cycle_epochs", "cycle_up_epochs", "cycle_down_epochs"):
        if name in schedule:
            schedule[name] = 0.07 if name != "cycle_down_epochs" else 0.05
    if kind == "cosine_restarts":
        schedule["peak_mult"] = 0.999
    if kind == "cyclic":
        schedule |= {"mode": "triangular2", "base_lr": 0.01}
    s = schedules.from_config(schedules.make_document(schedule, 10_000))
    assert s.total_steps == 10_000_000
    assert_exact(s, 2000)


def test_envelope_is_bounded_at_a_billion_steps():
    doc = schedules.make_document(
        {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "total_epochs": 100, "cycle_up_epochs": 0.001}, 10_000_000
    )
    s = schedules.from_config(doc)
    steps, lr = envelope(s, 2000)
    assert s.total_steps == 10**9 and steps.size <= 2 * 2000 + 6
    assert lr.max() == pytest.approx(0.1) and lr.min() == pytest.approx(0.01)


def test_short_schedules_keep_every_step():
    s = schedules.from_config(schedules.make_document({"kind": "cosine", "base_lr": 1.0, "total_epochs": 5}, 10))
    steps, lr = envelope(s, 2000)
    assert steps.tolist() == list(range(50))
    np.testing.assert_array_equal(lr, s.lr(np.arange(50)))
