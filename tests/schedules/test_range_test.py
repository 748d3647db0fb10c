"""The range test's engine: the sweep, the smoothing, the stop rule, the suggestions and the file."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import ConfigError
from schedules import range_test as rt


def textbook_losses(lrs: np.ndarray, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A loss that is flat at tiny lrs, falls fastest near 1e-3, bottoms out near 0.1 and explodes."""
    x = np.log10(lrs)
    clean = 2.3 - 2.0 / (1 + np.exp(-3 * (x + 3))) + 0.5 * np.exp(3 * (x + 1))
    return clean + np.random.default_rng(seed).normal(0, noise, lrs.size)


def textbook(seed: int = 0, noise: float = 0.02, steps: int = 200) -> rt.Curve:
    lrs = rt.sweep(1e-7, 10.0, steps)
    return rt.Curve(lrs, textbook_losses(lrs, noise, seed), "", seed)


class TestSweep:
    def test_ends(self):
        lrs = rt.sweep(1e-7, 10.0, 100)
        assert lrs[0] == pytest.approx(1e-7) and lrs[-1] == pytest.approx(10.0) and lrs.size == 100

    def test_equal_ratio_between_steps(self):
        ratios = np.diff(np.log(rt.sweep(1e-6, 1.0, 61)))
        np.testing.assert_allclose(ratios, ratios[0])

    @pytest.mark.parametrize(
        ("args", "field"), [((1.0, 0.1, 100), "end_lr"), ((0.0, 1.0, 100), "start_lr"), ((1e-7, 1.0, 5), "steps")]
    )
    def test_invalid_sweeps_are_one_sentence(self, args, field):
        with pytest.raises(ConfigError) as error:
            rt.sweep(*args)
        assert error.value.field == field


class TestSmoothing:
    def test_debiased_first_value_is_the_first_loss(self):
        assert rt.smooth([3.0, 3.0, 3.0], 0.98).tolist() == pytest.approx([3.0, 3.0, 3.0])

    def test_non_finite_losses_are_skipped(self):
        smoothed = rt.smooth([1.0, math.nan, math.inf, 1.0], 0.9)
        assert np.isnan(smoothed[1]) and np.isnan(smoothed[2]) and smoothed[3] == pytest.approx(1.0)


class TestStopRule:
    def test_stops_on_nan(self):
        tracker = rt.LossTracker()
        assert tracker.add(1.0) is None
        assert "not a finite number" in tracker.add(math.nan)

    def test_stops_when_the_smoothed_loss_passes_k_times_its_best(self):
        tracker = rt.LossTracker(smoothing=0.5, stop_factor=4.0)
        reasons = [tracker.add(loss) for loss in (1.0, 0.5, 1.0, 4.0, 16.0, 64.0)]
        first = next(index for index, reason in enumerate(reasons) if reason)
        assert all(reason is None for reason in reasons[:first]) and "passed 4 ×" in reasons[first]

    def test_a_flat_loss_never_stops(self):
        tracker = rt.LossTracker()
        assert all(tracker.add(2.3) is None for _ in range(1000))


class TestSuggestions:
    def test_textbook_curve(self):
        suggestions = rt.suggest(textbook(), rt.Settings())
        # The sigmoid is steepest at 1e-3; the moving average lags it by a few steps (fastai's too).
        assert 1e-3 <= suggestions["steepest"].lr < 5e-3
        assert 1e-4 < suggestions["valley"].lr < 1e-1
        assert 1e-3 < suggestions["minimum"].lr < 3e-2
        for suggestion in suggestions.values():
            assert suggestion.why and suggestion.loss is not None

    def test_an_early_spike_does_not_trick_the_steepest_descent(self):
        curve = textbook()
        spiked = curve.losses.copy()
        spiked[2] = 100.0
        clean = rt.suggest(curve, rt.Settings())["steepest"].lr
        tricked = rt.suggest(rt.Curve(curve.lrs, spiked), rt.Settings())["steepest"].lr
        assert tricked == clean

    def test_nan_losses_are_dropped_not_fatal(self):
        curve = textbook()
        holes = curve.losses.copy()
        holes[[60, 90, 120]] = np.nan
        with_holes = rt.suggest(rt.Curve(curve.lrs, holes), rt.Settings())
        clean = rt.suggest(curve, rt.Settings())
        for name in rt.SUGGESTIONS:
            assert with_holes[name].lr == pytest.approx(clean[name].lr, rel=0.5)

    def test_a_curve_that_never_falls_suggests_nothing_and_says_why(self):
        lrs = rt.sweep(1e-7, 10.0, 100)
        suggestions = rt.suggest(rt.Curve(lrs, np.linspace(1.0, 3.0, 100)), rt.Settings())
        assert suggestions["steepest"].lr is None and "never fell" in suggestions["steepest"].why
        assert suggestions["valley"].lr is None

    def test_all_nan_suggests_nothing(self):
        lrs = rt.sweep(1e-7, 10.0, 50)
        suggestions = rt.suggest(rt.Curve(lrs, np.full(50, np.nan)), rt.Settings())
        assert all(s.lr is None for s in suggestions.values())


class TestSeeds:
    def test_seeds_that_agree_give_their_spread(self):
        test = rt.RangeTest(rt.Settings(), tuple(textbook(seed) for seed in range(3)))
        spread = test.spreads["steepest"]
        assert spread.agrees and len(spread.lrs) == 3 and spread.low <= spread.lr <= spread.high
        assert "the 3 seeds within" in spread.sentence()

    def test_seeds_that_disagree_by_more_than_3x_say_so(self):
        far = textbook(1)
        shifted = rt.Curve(far.lrs, textbook_losses(far.lrs / 30.0, 0.02, 1), "", 1)  # the same curve 30× later
        test = rt.RangeTest(rt.Settings(), (textbook(0), shifted))
        spread = test.spreads["steepest"]
        assert not spread.agrees and spread.factor > 3
        assert "disagree" in spread.sentence() and "more than 3×" in spread.sentence()

    def test_one_seed_has_no_spread(self):
        test = rt.RangeTest(rt.Settings(), (textbook(),))
        assert "one seed" in test.spreads["valley"].sentence()


class TestFile:
    def test_round_trip(self):
        curve = textbook()
        losses = curve.losses.copy()
        losses[150:] = np.nan
        stopped = rt.Curve(curve.lrs, losses, "the loss was not finite", 7)
        test = rt.RangeTest(rt.Settings(steps=200), (stopped,), "torch")
        back = rt.loads(test.dumps())
        assert back.source == "torch" and back.settings == test.settings
        np.testing.assert_array_equal(back.lrs, test.lrs)
        np.testing.assert_array_equal(back.losses, test.losses)  # NaN written as null, read as NaN
        assert back.suggestions == test.suggestions and back.curves[0].seed == 7
        assert json.loads(test.dumps())["format"] == "lr-range-test"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (lambda d: d.update(format="lr-schedule"), "format"),
            (lambda d: d["curves"][0]["lrs"].reverse(), "curves[0].lrs"),
            (lambda d: d["curves"][0]["losses"].pop(), "curves[0].losses"),
            (lambda d: d["curves"][0]["lrs"].__setitem__(3, -1.0), "curves[0].lrs[3]"),
            (lambda d: d["curves"][0].update(extra=1), "curves[0]"),
            (lambda d: d["settings"].update(stop_factor=0.5), "settings.stop_factor"),
            (lambda d: d.update(curves=[]), "curves"),
        ],
    )
    def test_every_fault_is_one_sentence_naming_the_field(self, change, field):
        document = rt.RangeTest(rt.Settings(steps=20), (rt.Curve(rt.sweep(1e-5, 1, 20), np.ones(20)),)).to_json()
        change(document)
        with pytest.raises(ConfigError) as error:
            rt.loads(json.dumps(document))
        assert error.value.field == field and "\n" not in str(error.value)

    def test_nan_literals_are_refused(self):
        with pytest.raises(ConfigError, match="NaN is not a JSON number"):
            rt.loads('{"format": "lr-range-test", "version": 1, "curves": [{"lrs": [1, 2], "losses": [NaN, 1]}]}')


losses_strategy = st.lists(
    st.one_of(st.floats(0, 1e6, allow_nan=False), st.just(math.nan), st.just(math.inf)), min_size=10, max_size=120
)


@settings(max_examples=150, deadline=None)
@given(losses_strategy, st.integers(0, 8))
def test_any_curve_gives_suggestions_inside_the_sweep_or_none(losses, burn_in):
    lrs = rt.sweep(1e-7, 10.0, len(losses))
    test = rt.RangeTest(rt.Settings(steps=len(losses), burn_in=burn_in), (rt.Curve(lrs, np.array(losses)),))
    for suggestion in test.per_seed[0].values():
        assert suggestion.why
        if suggestion.lr is not None:
            assert lrs[0] / 10 - 1e-20 <= suggestion.lr <= lrs[-1]
    assert rt.loads(test.dumps()).suggestions == test.suggestions
