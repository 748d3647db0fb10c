"""Properties every schedule must have, checked on random documents of every kind."""

import contextlib
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import KINDS, ConfigError
from schedules.phases import WARMUP_SHAPES
from tests.strategies import broken_documents, documents, extreme_documents


def steps_of(s, extra=5):
    return np.arange(s.total_steps + extra)


@given(documents())
def test_every_valid_document_round_trips(doc):
    s = schedules.from_config(doc)
    again, reread = schedules.from_config(s.to_config()), schedules.loads(schedules.dumps(s))
    assert again == s and reread == s
    np.testing.assert_array_equal(reread.lr(steps_of(s)), s.lr(steps_of(s)))
    assert json.loads(json.dumps(s.to_config())) == s.to_config()


@given(documents())
def test_lr_is_finite_nonnegative_and_bounded(doc):
    s = schedules.from_config(doc)
    lr = s.lr(steps_of(s))
    assert np.all(np.isfinite(lr))
    assert np.all(lr >= 0)
    assert np.all(lr <= s.peak_lr)  # exactly: never an ulp above the largest lr named


def test_the_end_of_the_hold_is_the_base_lr_exactly():
    # ε + (base − ε) · 1 rounds to 0.010000000000000002 with these numbers
    s = schedules.from_config(
        schedules.make_document(
            {
                "kind": "cosine",
                "base_lr": 0.01,
                "total_epochs": 100,
                "warmup_epochs": 5,
                "hold_epochs": 10,
                "epsilon": 1e-6,
            },
            100,
        )
    )
    assert s.lr(s.boundaries[1]) == s.params["base_lr"] == 0.01


@given(documents(), st.data())
def test_vectorized_equals_one_step_at_a_time(doc, data):
    s = schedules.from_config(doc)
    picks = data.draw(st.lists(st.integers(0, s.total_steps + 3), min_size=1, max_size=20))
    # Equal to the last bit or so: NumPy's SIMD loops for pow and cos round a hair differently
    # from its one-element loops.
    np.testing.assert_allclose(s.lr(picks), [float(s.lr(step)) for step in picks], rtol=1e-15, atol=0)


@settings(max_examples=50)
@given(documents())
def test_ascending_steps_give_the_answers_of_any_order(doc):
    # Ascending steps take the fast path (each phase on its own slice, a chunk at a time); the
    # same steps descending take the where chain over every phase: the same bits either way.
    s = schedules.from_config(doc)
    steps = np.linspace(-3.0, s.total_steps + 3.0, 70_001)
    np.testing.assert_array_equal(s.lr(steps), s.lr(steps[::-1])[::-1])


@given(documents(kinds=tuple(name for name in KINDS if name != "one_cycle")))  # 1cycle has its own rise
def test_continuous_at_warmup_and_hold_boundaries(doc):
    doc["granularity"] = "step"
    s = schedules.from_config(doc)
    base, start = s.params["base_lr"], s.values["warmup_start_lr"]
    warmup_end, hold_end = s.boundaries
    # A decay whose clock ran under the warm-up (timm's warmup_prefix=False) enters below the peak.
    entered = s.kind.decay_from_start and warmup_end > 0
    if warmup_end:
        # The warm-up's own formula lands on the peak at W: the hold takes over without a jump (a
        # one-step log warm-up is its start lr alone, as DeepSpeed's: the hold starts at step 1).
        ramp = WARMUP_SHAPES[s.values["warmup_shape"]](start, base, warmup_end)
        if not (s.values["warmup_shape"] == "log" and warmup_end == 1):
            assert float(ramp(float(warmup_end))) == pytest.approx(base, rel=1e-12)
    if warmup_end and not (entered and hold_end == warmup_end):
        assert s.lr(warmup_end) == pytest.approx(base, rel=1e-12)
        # The logarithm's last step exceeds its average one for W ≤ 3 (at W = 2 it is the whole
        # rise, lr(0) = lr(1)): its steep steps come first.
        if s.values["warmup_shape"] != "log":
            one_step_of_ramp = abs(base - start) / warmup_end
            assert abs(s.lr(warmup_end) - s.lr(warmup_end - 1)) <= one_step_of_ramp * (1 + 1e-9) + 1e-12 * base
    if hold_end < s.total_steps:
        if entered:  # where a decay from step 0 stood at the warm-up's end
            decay_steps = s.total_steps - (hold_end - warmup_end)
            epsilon = s.values["epsilon"]
            at_entry = epsilon + (base - epsilon) * 0.5 * (1 + math.cos(math.pi * min(warmup_end / decay_steps, 1.0)))
            assert s.lr(hold_end) == pytest.approx(at_entry, rel=1e-9, abs=1e-15)
        else:
            assert s.lr(hold_end) == pytest.approx(base, rel=1e-12)  # the decay starts from the peak


MONOTONE = tuple(name for name, kind in KINDS.items() if kind.monotone)  # as each kind declares


def test_the_catalog_declares_which_kinds_never_rise():
    assert {"cosine", "step", "one_cycle"} <= set(MONOTONE) and not {"cyclic", "cosine_restarts"} & set(MONOTONE)


@given(documents(kinds=MONOTONE))
def test_monotone_kinds_never_rise_after_their_peak(doc):
    s = schedules.from_config({**doc, "granularity": "step"})
    lr = s.lr(np.arange(s.boundaries[1], s.total_steps + 3))
    lr = lr[int(np.argmax(lr)) :]  # 1cycle rises to its peak inside its decay
    assert np.all(np.diff(lr) <= 1e-14 * s.peak_lr)


@given(documents())
def test_between_its_turns_a_decay_is_monotone(doc):
    """What the chart's envelope relies on: each stretch between two turns runs one way."""
    s = schedules.from_config({**doc, "granularity": "step"})
    start = s.boundaries[1]
    edges = np.unique(np.concatenate([[start], s.turning_steps(limit=s.total_steps), [s.total_steps]]))
    diffs = np.diff(s.lr(np.arange(s.total_steps + 1)))
    # Stretch k holds the differences from ceil(edge k) up to the one before ceil(edge k+1), where a
    # drop or restart may jump. All stretches are checked at once (a decay of 8,000 drops has 8,000),
    # the turns' own differences masked out of the reductions.
    cuts = np.ceil(edges).astype(np.int64)
    starts, ends = cuts[:-1], cuts[1:] - 1
    keep = ends > starts
    depth = np.zeros(diffs.size + 1, dtype=np.int64)
    np.add.at(depth, starts[keep], 1)
    np.add.at(depth, ends[keep], -1)
    inside = np.cumsum(depth)[:-1] > 0
    if not keep.any():
        return
    highest = np.maximum.reduceat(np.where(inside, diffs, -np.inf), starts[keep])
    lowest = np.minimum.reduceat(np.where(inside, diffs, np.inf), starts[keep])
    tolerance = 1e-12 * s.peak_lr
    one_way = (highest <= tolerance) | (lowest >= -tolerance)
    assert one_way.all(), edges[:-1][keep][~one_way][:3]


@given(documents())
def test_epoch_granularity_takes_each_epochs_first_step(doc):
    by_epoch = schedules.from_config({**doc, "granularity": "epoch"})
    by_step = schedules.from_config({**doc, "granularity": "step"})
    steps = steps_of(by_step)
    first_steps = np.minimum(steps // doc["steps_per_epoch"] * doc["steps_per_epoch"], by_step.total_steps)
    np.testing.assert_array_equal(by_epoch.lr(steps), by_step.lr(first_steps))


@settings(max_examples=300)
@given(broken_documents())
def test_broken_documents_raise_configerror_and_nothing_else(doc):
    try:
        s = schedules.from_config(doc)
    except ConfigError as error:
        assert str(error).count(":") >= 1 and "\n" not in str(error)
    else:  # the change happened to keep it valid: then it must really be valid
        assert np.all(np.isfinite(s.lr(np.arange(min(s.total_steps, 1000)))))


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), broken_documents().map(lambda d: json.dumps(d))))
def test_random_texts_raise_configerror_and_nothing_else(text):
    with contextlib.suppress(ConfigError):
        schedules.loads(text)


@settings(max_examples=500, deadline=None)
@given(extreme_documents(), st.lists(st.floats(0, 1), max_size=50))
def test_extreme_but_valid_documents_give_a_finite_lr_within_what_they_name(doc, fractions):
    """Every valid document: lr finite, ≥ 0 and never above the largest lr it names, at its phase
    boundaries, its turns (up to a thousand) and steps anywhere up to 10⁹."""
    s = schedules.from_config(doc)
    warmup_end, hold_end = s.boundaries
    steps = np.concatenate(
        [
            [0, 1, warmup_end - 1, warmup_end, hold_end - 1, hold_end, s.total_steps - 1, s.total_steps],
            np.floor(s.turning_steps(limit=1000)) - 1,
            np.ceil(s.turning_steps(limit=1000)),
            np.floor(np.array(fractions) * s.total_steps),
        ]
    )
    lr = s.lr(np.clip(steps, 0, None))
    assert np.all(np.isfinite(lr)) and np.all(lr >= 0)
    assert np.all(lr <= s.peak_lr)
