"""Optional conformance against PyTorch, Hugging Face and optax: each part skips, saying why, when
its library is not installed (`pip install torch transformers optax` for the full run)."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make(kind, steps_per_epoch=1, **fields):
    doc = {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": steps_per_epoch,
        "schedule": {"kind": kind, **fields},
    }
    return schedules.from_config(doc)


def torch_curve(make_scheduler, base_lr, steps):
    """The lr a torch scheduler sets before each of ``steps`` optimizer steps."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    values = []
    for _ in range(steps):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(values)


class TestTorch:
    @SETTINGS
    @given(total=st.integers(2, 300), every=st.integers(1, 50), gamma=st.floats(0.05, 1.0), base=st.floats(1e-4, 1.0))
    def test_step_is_steplr(self, total, every, gamma, base):
        ours = make("step", base_lr=base, total_epochs=total, drop=gamma, epochs_per_drop=every)
        theirs = torch_curve(lambda s, o: s.StepLR(o, step_size=every, gamma=gamma), base, total)
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9)

    @SETTINGS
    @given(
        total=st.integers(2, 300),
        marks=st.lists(st.integers(1, 299), min_size=1, max_size=4, unique=True),
        gamma=st.floats(0.05, 1.0),
    )
    def test_multistep_is_multisteplr(self, total, marks, gamma):
        marks = sorted(marks)
        ours = make("multistep", base_lr=0.1, total_epochs=total, milestones_epochs=marks, gamma=gamma)
        theirs = torch_curve(lambda s, o: s.MultiStepLR(o, milestones=marks, gamma=gamma), 0.1, total)
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9)

    @SETTINGS
    @given(
        first=st.integers(1, 30),
        mult=st.sampled_from([1, 2, 3]),
        total=st.integers(2, 300),
        eta_min=st.sampled_from([0.0, 1e-3]),
    )
    def test_cosine_restarts_is_cosineannealingwarmrestarts(self, first, mult, total, eta_min):
        ours = make(
            "cosine_restarts",
            base_lr=0.1,
            total_epochs=total,
            first_cycle_epochs=first,
            cycle_mult=float(mult),
            epsilon=eta_min,
        )
        theirs = torch_curve(
            lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=first, T_mult=mult, eta_min=eta_min), 0.1, total
        )
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-12)

    @SETTINGS
    @given(
        up=st.integers(1, 20),
        down=st.integers(1, 20),
        mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
        gamma=st.floats(0.9, 1.0),
        total=st.integers(2, 300),
    )
    def test_cyclic_is_cycliclr(self, up, down, mode, gamma, total):
        ours = make(
            "cyclic",
            base_lr=0.001,
            max_lr=0.1,
            total_epochs=total,
            cycle_up_epochs=up,
            cycle_down_epochs=down,
            mode=mode,
            gamma=gamma,
        )
        theirs = torch_curve(
            lambda s, o: s.CyclicLR(
                o,
                base_lr=0.001,
                max_lr=0.1,
                step_size_up=up,
                step_size_down=down,
                mode=mode,
                gamma=gamma,
                cycle_momentum=False,
            ),
            0.001,
            total,
        )
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9)

    @SETTINGS
    @given(
        total=st.integers(10, 400),
        pct=st.floats(0.15, 0.45),
        div=st.floats(1.0, 50.0),
        final=st.floats(1.0, 1e4),
        anneal=st.sampled_from(["cos", "linear"]),
        three=st.booleans(),
    )
    def test_one_cycle_is_onecyclelr(self, total, pct, div, final, anneal, three):
        fields = dict(pct_start=pct, div_factor=div, final_div_factor=final, anneal=anneal, three_phase=three)
        ours = make("one_cycle", base_lr=0.1, total_epochs=total, **fields)
        theirs = torch_curve(
            lambda s, o: s.OneCycleLR(
                o,
                max_lr=0.1,
                total_steps=total,
                pct_start=pct,
                div_factor=div,
                final_div_factor=final,
                anneal_strategy=anneal,
                three_phase=three,
                cycle_momentum=False,
            ),
            0.1,
            total,
        )
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-15)


class TestHuggingFace:
    """HF's schedules are LambdaLR multipliers of the optimizer's lr."""

    def curve(self, factory, total):
        transformers = pytest.importorskip("transformers", reason="Hugging Face transformers is not installed")
        return torch_curve(lambda s, o: getattr(transformers, factory[0])(o, **factory[1]), 1.0, total)

    @pytest.mark.parametrize(("warmup", "total"), [(0, 50), (10, 100), (7, 33)])
    def test_linear_with_warmup(self, warmup, total):
        ours = make("linear", base_lr=1.0, total_epochs=total, warmup_epochs=warmup)
        theirs = self.curve(
            ("get_linear_schedule_with_warmup", dict(num_warmup_steps=warmup, num_training_steps=total)), total
        )
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-12)

    @pytest.mark.parametrize(("warmup", "total"), [(0, 50), (10, 100)])
    def test_cosine_with_warmup(self, warmup, total):
        ours = make("cosine", base_lr=1.0, total_epochs=total, warmup_epochs=warmup)
        theirs = self.curve(
            ("get_cosine_schedule_with_warmup", dict(num_warmup_steps=warmup, num_training_steps=total)), total
        )
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-12)

    @pytest.mark.parametrize(
        ("kind", "decay_type", "warmup_shape"),
        [
            ("linear", "linear", "linear"),
            ("one_minus_sqrt", "1-sqrt", "linear"),
            ("one_minus_sqrt", "1-sqrt", "cosine"),
        ],
    )
    @pytest.mark.parametrize("min_lr_ratio", [0.0, 0.1])
    def test_warmup_stable_decay(self, kind, decay_type, warmup_shape, min_lr_ratio):
        fields = dict(warmup_epochs=10, hold_epochs=50, epsilon=min_lr_ratio, warmup_start_lr=min_lr_ratio)
        ours = make(kind, base_lr=1.0, total_epochs=100, warmup_shape=warmup_shape, **fields)
        wsd = dict(num_warmup_steps=10, num_stable_steps=50, num_decay_steps=40, warmup_type=warmup_shape)
        theirs = self.curve(("get_wsd_schedule", dict(decay_type=decay_type, min_lr_ratio=min_lr_ratio, **wsd)), 100)
        np.testing.assert_allclose(ours.lr(np.arange(100)), theirs, rtol=1e-9, atol=1e-12)

    @pytest.mark.parametrize(("warmup", "power", "end"), [(0, 1.0, 1e-7), (10, 2.0, 0.01), (5, 0.5, 0.0)])
    def test_polynomial_with_warmup(self, warmup, power, end):
        ours = make("polynomial", base_lr=1.0, total_epochs=80, warmup_epochs=warmup, power=power, epsilon=end)
        poly = dict(num_warmup_steps=warmup, num_training_steps=80, lr_end=end, power=power)
        theirs = self.curve(("get_polynomial_decay_schedule_with_warmup", poly), 80)
        np.testing.assert_allclose(ours.lr(np.arange(80)), theirs, rtol=1e-9, atol=1e-12)

    @pytest.mark.parametrize("timescale", [5, 40])
    def test_inverse_sqrt(self, timescale):
        ours = make("inverse_sqrt", base_lr=1.0, total_epochs=200, timescale_epochs=timescale)
        theirs = self.curve(("get_inverse_sqrt_schedule", dict(num_warmup_steps=0, timescale=timescale)), 200)
        np.testing.assert_allclose(ours.lr(np.arange(200)), theirs, rtol=1e-9)


class TestOptax:
    def test_warmup_cosine_decay(self):
        optax = pytest.importorskip("optax", reason="optax is not installed (pip install optax)")
        ours = make("cosine", base_lr=1.0, total_epochs=100, warmup_epochs=10, warmup_start_lr=0.1, epsilon=0.01)
        theirs = optax.warmup_cosine_decay_schedule(0.1, 1.0, warmup_steps=10, decay_steps=100, end_value=0.01)
        steps = np.arange(100)
        np.testing.assert_allclose(ours.lr(steps), [float(theirs(step)) for step in steps], rtol=1e-5)


def test_formulas_agree_with_their_docstring_math():
    """Independent of any peer: 1 − sqrt and polynomial at a quarter of the decay."""
    root = make("one_minus_sqrt", base_lr=1.0, total_epochs=100)
    poly = make("polynomial", base_lr=1.0, total_epochs=100, power=3.0)
    assert root.lr(25) == pytest.approx(1 - math.sqrt(0.25)) and poly.lr(25) == pytest.approx(0.75**3)
