"""Key points on each kind's curve, named after where they sit (Keras's test style)."""

import math

import numpy as np
import pytest

import schedules
from schedules import KINDS


def make(kind="cosine", steps_per_epoch=10, granularity="step", **fields):
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 20, **fields}
    return schedules.from_config(
        {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": steps_per_epoch,
            "granularity": granularity,
            "schedule": schedule,
        }
    )


class TestCosine:
    s = make(warmup_epochs=2, hold_epochs=3, warmup_start_lr=0.01, epsilon=0.001)  # W=20, H=30, T=200

    def test_start_is_warmup_start_lr(self):
        assert self.s.lr(0) == pytest.approx(0.01)

    def test_warmup_is_linear(self):
        assert self.s.lr(10) == pytest.approx(0.01 + (0.1 - 0.01) / 2)
        assert np.all(np.diff(self.s.lr(np.arange(21))) > 0)

    def test_peak_at_end_of_warmup_and_through_hold(self):
        np.testing.assert_allclose(self.s.lr(np.arange(20, 51)), 0.1)

    def test_halfway_through_decay(self):
        assert self.s.lr(50 + 75) == pytest.approx((0.1 + 0.001) / 2)

    def test_quarter_of_decay(self):
        assert self.s.lr(50 + 37.5 * 2 / 2) == pytest.approx(0.001 + 0.099 * 0.5 * (1 + math.cos(math.pi * 37.5 / 150)))

    def test_end_is_epsilon(self):
        assert self.s.lr(200) == pytest.approx(0.001)

    def test_beyond_end_stays_at_epsilon(self):
        np.testing.assert_allclose(self.s.lr([201, 10**6, 10**9]), 0.001)

    def test_negative_steps_read_as_step_zero(self):
        assert self.s.lr(-5) == self.s.lr(0)

    def test_shape_and_dtype_follow_the_input(self):
        out = self.s.lr(np.arange(12).reshape(3, 4))
        assert out.shape == (3, 4) and out.dtype == np.float64


class TestCosineFromStart:
    """timm's cosine with ``warmup_prefix=False``: the cosine's clock runs from step 0 under the warm-up."""

    s = make("cosine_from_start", warmup_epochs=2, warmup_start_lr=0.01, epsilon=0.001)  # W=20, T=200

    def test_the_warm_up_is_the_usual_line(self):
        assert self.s.lr(0) == pytest.approx(0.01) and self.s.lr(10) == pytest.approx(0.055)

    def test_after_the_warm_up_the_cosine_is_where_step_0_started_it(self):
        for step in (20, 100, 150, 199):
            timm = 0.001 + (0.1 - 0.001) * 0.5 * (1 + math.cos(math.pi * step / 200))
            assert self.s.lr(step) == pytest.approx(timm, rel=1e-12)
        assert self.s.lr(20) < 0.1  # begins below the peak: not the catalog's cosine
        assert make(warmup_epochs=2, warmup_start_lr=0.01, epsilon=0.001).lr(20) == pytest.approx(0.1)

    def test_a_hold_pauses_the_clock(self):
        held = make("cosine_from_start", warmup_epochs=2, hold_epochs=3, warmup_start_lr=0.01, total_epochs=23)
        assert held.lr(np.arange(20, 50)) == pytest.approx(np.full(30, 0.1))
        assert held.lr(np.arange(50, 230)) == pytest.approx(
            make("cosine_from_start", warmup_epochs=2).lr(np.arange(20, 200))
        )


class TestStep:
    s = make("step", drop=0.5, epochs_per_drop=3, warmup_epochs=1, epsilon=0.01)  # W=10, S=30

    def test_first_drop_happens_exactly_one_period_after_warmup(self):
        assert self.s.lr(10 + 29) == pytest.approx(0.1)
        assert self.s.lr(10 + 30) == pytest.approx(0.05)

    def test_second_drop(self):
        assert self.s.lr(10 + 60) == pytest.approx(0.025)

    def test_floor_is_epsilon(self):
        assert self.s.lr(199) == pytest.approx(0.01)


class TestConstant:
    def test_flat_after_warmup(self):
        s = make("constant", warmup_epochs=1)
        np.testing.assert_allclose(s.lr(np.arange(10, 300)), 0.1)
        assert s.lr(5) == pytest.approx(0.05)


class TestLogWarmup:
    """DeepSpeed's log warm-up, counted in optimizer steps: flat over the first step, steep after."""

    s = make("constant", warmup_epochs=1.6, warmup_start_lr=0.01, warmup_shape="log")  # W=16

    def test_first_two_steps_are_the_start_lr(self):
        np.testing.assert_array_equal(self.s.lr([0, 1]), [0.01, 0.01])

    def test_quarter_of_the_logarithm_at_the_fourth_root_of_w(self):
        assert self.s.lr(2) == pytest.approx(0.01 + 0.09 / 4)  # log 2 / log 16
        assert self.s.lr(4) == pytest.approx(0.01 + 0.09 / 2)

    def test_rises_every_step_after_the_first_and_reaches_the_peak_at_w(self):
        lr = self.s.lr(np.arange(17))
        assert np.all(np.diff(lr[1:]) > 0) and lr[16] == 0.1 and lr[15] < 0.1

    def test_one_step_warmup_is_the_start_lr_then_the_peak(self):
        s = make("constant", warmup_epochs=0.1, warmup_start_lr=0.01, warmup_shape="log")  # W=1
        np.testing.assert_array_equal(s.lr([0, 1, 2]), [0.01, 0.1, 0.1])


class TestGranularity:
    def test_epoch_granularity_is_constant_within_each_epoch(self):
        s = make(granularity="epoch", warmup_epochs=2)
        lr = s.lr(np.arange(200)).reshape(20, 10)
        np.testing.assert_array_equal(lr, lr[:, :1].repeat(10, axis=1))

    def test_epoch_value_is_the_value_at_the_epochs_first_step(self):
        by_epoch, by_step = make(granularity="epoch", warmup_epochs=2), make(warmup_epochs=2)
        steps = np.arange(200)
        np.testing.assert_array_equal(by_epoch.lr(steps), by_step.lr(steps // 10 * 10))


class TestLengths:
    def test_fractional_epochs_round_to_whole_steps(self):
        s = make(steps_per_epoch=3, total_epochs=10.5, warmup_epochs=0.5)
        assert (s.total_steps, s.warmup_steps) == (32, 2)  # 31.5 → 32, 1.5 → 2: halves round up

    def test_rounding_keeps_the_phases_in_order(self):
        # One by one, 1.5 + 1.5 steps would round to 2 + 2 > 3; rounding where each phase ends gives 2 + 1.
        s = make(steps_per_epoch=3, total_epochs=1, warmup_epochs=0.5, hold_epochs=0.5)
        assert (s.warmup_steps, s.hold_steps, s.total_steps) == (2, 1, 3)

    def test_hold_filling_everything_left_stays_at_peak(self):
        s = make(warmup_epochs=5, hold_epochs=15)
        np.testing.assert_allclose(s.lr(np.arange(50, 400)), 0.1)

    def test_a_billion_steps_do_not_overflow(self):
        s = make(steps_per_epoch=10**6, total_epochs=1000, warmup_epochs=1)
        assert s.total_steps == 10**9
        lr = s.lr([10**6, 5 * 10**8 + 5 * 10**5, 10**9])
        np.testing.assert_allclose(lr, [0.1, 0.05, 0.0], atol=1e-12)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_title_and_documented_formula(kind):
    assert KINDS[kind].title
    assert "lr(e) = " in (KINDS[kind].build_decay.__doc__ or ""), "each formula states itself in its docstring"
