"""Chart curves: small at any length, faithful to every step's envelope and the phase boundaries."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules.envelope import buckets
from schedules.stats import EXACT_STEPS, summarize, summarize_schedule
from studio import presets
from studio.curves import (
    MAX_POINTS,
    csv_note,
    csv_stride,
    curve_csv,
    envelope_indices,
    format_stats,
    sample,
    sample_many,
)
from tests.strategies import documents


def doc(total_epochs, steps_per_epoch, **fields):
    schedule = {"kind": "cosine", "base_lr": 0.1, "total_epochs": total_epochs, **fields}
    return {"format": "lr-schedule", "version": 1, "steps_per_epoch": steps_per_epoch, "schedule": schedule}


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5000), st.integers(20, 600))
def test_envelope_keeps_every_buckets_extremes(values, max_points):
    values = np.array(values)
    kept = envelope_indices(values, max_points)
    assert len(kept) <= max_points + 2
    assert np.all(np.diff(kept) > 0)
    assert values[kept].min() == values.min() and values[kept].max() == values.max()
    assert kept[0] == 0 and kept[-1] == len(values) - 1


def test_fast_oscillation_keeps_its_full_range_everywhere():
    values = np.tile([0.0, 1.0, 0.5], 400_000)  # a period of 3 steps over 1.2 million steps
    kept = envelope_indices(values, 4000)
    assert len(kept) <= 4000
    quarters = np.array_split(kept, 4)
    assert all(values[part].min() == 0.0 and values[part].max() == 1.0 for part in quarters)


def test_a_million_steps_draw_at_most_max_points_with_exact_boundaries():
    s = schedules.from_config(doc(1000, 1000, warmup_epochs=10, hold_epochs=20))
    curve = sample(s, "cosine")
    assert s.total_steps == 10**6
    assert len(curve.steps) <= MAX_POINTS
    for step in (9_999, 10_000, 29_999, 30_000):
        assert step in curve.steps
    np.testing.assert_array_equal(curve.lr, s.lr(curve.steps))
    assert curve.stats["peak_lr"] == 0.1


def test_short_schedules_are_drawn_step_by_step():
    curve = sample(schedules.from_config(doc(10, 10)), "cosine")
    np.testing.assert_array_equal(curve.steps, np.arange(100))
    np.testing.assert_array_equal(curve.epochs, np.arange(100) / 10)


def test_stats_read_as_people_read_them():
    text = format_stats(
        {
            "peak_lr": 0.01,
            "final_lr": 1e-6,
            "mean_lr": 0.0055,
            "area": 55.0,
            "share_above_half_peak": 0.55,
            "steps_to_tenth_of_peak": 8260,
        }
    )
    assert text["Peak lr"] == "0.01" and text["Share of steps above half the peak"] == "55.0%"
    assert text["Steps until lr ≤ 10% of peak"] == "8,260" and text["Final lr"] == "1e-06"
    assert format_stats({"steps_to_tenth_of_peak": None})["Steps until lr ≤ 10% of peak"] == "never"


def test_sample_many_equals_one_at_a_time():
    first, second = (schedules.from_config(doc(10, 10, warmup_epochs=w)) for w in (1, 3))
    together = sample_many([(first, "a"), (second, "b")])
    for curve, alone in zip(together, (sample(first, "a"), sample(second, "b")), strict=True):
        np.testing.assert_array_equal(curve.lr, alone.lr)
        assert curve.name == alone.name and curve.stats == alone.stats


def test_curve_csv_has_every_step_at_full_precision():
    s = schedules.from_config(doc(2, 5, warmup_epochs=1))
    lines = curve_csv(s).splitlines()
    assert lines[0] == "step,epoch,lr" and len(lines) == 1 + 10
    step, epoch, lr = lines[3].split(",")
    assert (int(step), float(epoch)) == (2, 0.4) and float(lr) == s.lr(2)


def test_a_billion_steps_draw_and_summarize_without_evaluating_every_step():
    s = schedules.from_config(doc(100, 10_000_000, warmup_epochs=5, hold_epochs=10, epsilon=1e-6))
    curve = sample(s, "cosine")
    assert s.total_steps == 10**9 and len(curve.steps) <= MAX_POINTS
    assert curve.stats["peak_lr"] == 0.1 and curve.stats["final_lr"] == float(s.lr(10**9 - 1))
    assert curve.stats["steps_to_tenth_of_peak"] is not None
    # the cosine sums in closed form: exact. Warm-up Σ 0.1 t / W, the hold, and over the decay
    # D (ε + h) + h Σ cos(πe / D) with Σ cos = 1 (the terms cancel about the middle, cos 0 is left)
    w, hold, d, h = 50_000_000, 100_000_000, 850_000_000, (0.1 - 1e-6) / 2
    area = 0.1 * (w - 1) / 2 + 0.1 * hold + d * (1e-6 + h) + h
    assert curve.stat_bounds == {} and curve.stats["area"] == pytest.approx(area, rel=1e-12)
    assert not format_stats(curve.stats, curve.stat_bounds)["Mean lr"].startswith("≈ ")


def test_a_billion_steps_without_a_closed_form_state_their_bounds():
    per_epoch = {"granularity": "epoch"}  # constant through each epoch: no closed form
    s = schedules.from_config(doc(100_000, 10_000, warmup_epochs=5_000, epsilon=1e-6) | per_epoch)
    curve = sample(s, "cosine stepped per epoch")
    assert s.total_steps == 10**9 and set(curve.stat_bounds) == {"area", "mean_lr", "share_above_half_peak"}
    # every epoch is as long: the mean over steps is the mean over epochs, within the stated bound
    mean = float(s.lr(np.arange(100_000) * 10_000).mean())
    assert 0 < abs(curve.stats["mean_lr"] - mean) <= curve.stat_bounds["mean_lr"]
    assert format_stats(curve.stats, curve.stat_bounds)["Mean lr"].startswith("≈ ")
    # a bucket per epoch: each constant, so the sums are exact, and said plainly (no "± 0")
    s = schedules.from_config(doc(100, 10_000_000, warmup_epochs=5, epsilon=1e-6) | per_epoch)
    summary = summarize_schedule(s, spans=buckets(s, 100))
    assert summary.bounds == {}
    assert summary.values["mean_lr"] == pytest.approx(float(s.lr(np.arange(100) * 10**7).mean()), rel=1e-12)


@pytest.mark.parametrize("kind", ["cosine", "linear", "constant"])
def test_closed_form_statistics_past_the_budget_equal_every_step_evaluated(kind):
    document = doc(3, 1_000_001, warmup_epochs=1, epsilon=1e-4)
    document["schedule"]["kind"] = kind
    s = schedules.from_config(document)
    assert s.total_steps > EXACT_STEPS
    brute = summarize(s.lr(np.arange(s.total_steps)))
    summary = summarize_schedule(s)
    assert summary.bounds == {}
    for name, value in brute.items():
        assert summary.values[name] == (value if not isinstance(value, float) else pytest.approx(value, rel=1e-12))


def test_exact_stats_equal_brute_force_below_the_budget():
    s = schedules.from_config(doc(30, 1000, warmup_epochs=2, hold_epochs=3))
    brute = summarize(s.lr(np.arange(s.total_steps)))
    curve = sample(s, "cosine")
    assert curve.stat_bounds == {}
    for name, value in brute.items():
        assert curve.stats[name] == (value if not isinstance(value, float) else pytest.approx(value, rel=1e-12))


def test_csv_is_bounded_and_says_how_it_was_sampled():
    s = schedules.from_config(doc(10_000, 1_000))  # 10⁷ steps in 10⁴ epochs
    text = curve_csv(s, max_rows=1_000)
    lines = text.splitlines()
    assert lines[0] == f"# {csv_note(s, 1_000)}" and "the first step of every epoch" not in lines[0]
    assert lines[1] == "step,epoch,lr" and len(lines) == 2 + 1_000
    assert csv_stride(s, 1_000) == 10_000 and lines[3].split(",")[0] == "10000"
    per_epoch = schedules.from_config(doc(100, 50))
    assert csv_stride(per_epoch, 1_000) == 50 and "first step of every epoch" in csv_note(per_epoch, 1_000)


@settings(max_examples=200, deadline=None)
@given(documents(max_steps=100_000))
def test_bounded_statistics_equal_brute_force_where_exact(doc):
    """With the exact budget forced to 0, the statistics stated exact still equal brute force."""
    s = schedules.from_config(doc)
    brute = summarize(s.lr(np.arange(s.total_steps)))
    summary = summarize_schedule(s, exact_steps=0)
    for name in ("peak_lr", "final_lr", "steps_to_tenth_of_peak"):
        assert summary.values[name] == (
            brute[name] if not isinstance(brute[name], float) else pytest.approx(brute[name], rel=1e-12)
        )
    for name, bound in summary.bounds.items():
        assert abs(summary.values[name] - brute[name]) <= bound * (1 + 1e-9) + 1e-12 * abs(brute[name])


@settings(max_examples=200, deadline=None)
@given(documents(max_steps=50_000), st.sampled_from([1, 7, 64, 4000]))
def test_exact_statistics_equal_brute_force_with_constant_spans_unevaluated(doc, count):
    """Spans the envelope finds constant are counted as value × size: the sums still match every
    step's, whatever the buckets (a few wide ones, many narrow ones)."""
    s = schedules.from_config(doc)
    brute = summarize(s.lr(np.arange(s.total_steps)))
    summary = summarize_schedule(s, spans=buckets(s, count))
    assert summary.bounds == {}
    for name, value in brute.items():
        assert summary.values[name] == (value if not isinstance(value, float) else pytest.approx(value, rel=1e-12))


def test_a_step_decay_sums_its_constant_spans_without_evaluating_them(monkeypatch):
    s = presets.preset("ResNet step decay (×0.1 at 30/60/80)")
    evaluated = []
    lr = type(s).lr
    monkeypatch.setattr(type(s), "lr", lambda self, steps: evaluated.append(np.size(steps)) or lr(self, steps))
    summary = summarize_schedule(s, spans=buckets(s, 497))
    assert summary.bounds == {} and sum(evaluated) < 10_000 < s.total_steps
    assert summary.values["area"] == pytest.approx(float(lr(s, np.arange(s.total_steps)).sum()), rel=1e-12)


@pytest.mark.parametrize("exact_steps", [EXACT_STEPS, 0])
def test_a_drop_by_a_tenth_reaches_a_tenth_of_the_peak(exact_steps):
    # ResNet's ×0.1 at epoch 30 of 5,005 steps each: 0.1 × 0.1 is 0.010000000000000002 in floats
    s = presets.preset("ResNet step decay (×0.1 at 30/60/80)")
    assert summarize_schedule(s, exact_steps=exact_steps).values["steps_to_tenth_of_peak"] == 30 * 5005
    assert summarize(s.lr(np.arange(s.total_steps)))["steps_to_tenth_of_peak"] == 30 * 5005
