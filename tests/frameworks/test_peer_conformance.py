"""Optional conformance against PyTorch, Hugging Face, DeepSpeed and optax: each part skips, saying
why, when its library is not installed (`pip install -r requirements-peers.txt` for the full run)."""

import json
import math
import os
import subprocess
import sys

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


def peer_arguments(s, name):
    """The arguments of the peer ``name`` (its short name) that ``s``'s kind declares for ``s``, or None."""
    return next(peer for peer in s.kind.peers if peer.short_name == name).arguments(s)


def declared(s, name):
    """:func:`peer_arguments`, which must be there: the peer is declared exact for ``s``."""
    arguments = peer_arguments(s, name)
    assert arguments is not None, f"{name} is declared exact for {s.to_config()['schedule']}, yet gives no arguments"
    return arguments


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


class TestHuggingFaceTrainer:
    """The newer peers, built the Trainer's way: ``get_scheduler(lr_scheduler_type, …)`` from the
    arguments the kind declares, stepped after each optimizer step (torch_curve)."""

    def curve(self, lr_scheduler_type, arguments, base_lr, steps):
        transformers = pytest.importorskip("transformers", reason="Hugging Face transformers is not installed")
        counts = {name: arguments.pop(name) for name in ("num_warmup_steps", "num_training_steps")}
        return torch_curve(
            lambda _, o: transformers.get_scheduler(
                lr_scheduler_type, o, **counts, scheduler_specific_kwargs=arguments
            ),
            base_lr,
            steps,
        )

    @pytest.mark.parametrize(("warmup", "total", "epsilon"), [(0, 300, 1e-4), (25, 300, 1e-3), (7, 233, 0.0)])
    def test_cosine_with_min_lr(self, warmup, total, epsilon):
        ours = make("cosine", base_lr=0.01, total_epochs=total, warmup_epochs=warmup, epsilon=epsilon)
        arguments = declared(ours, "get_cosine_with_min_lr_schedule_with_warmup")
        theirs = self.curve("cosine_with_min_lr", arguments, 0.01, total)
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-15)

    @pytest.mark.parametrize("kind", ["linear", "cosine", "one_minus_sqrt"])
    @pytest.mark.parametrize("warmup_shape", ["linear", "cosine"])
    @pytest.mark.parametrize(("warmup", "hold", "total", "epsilon"), [(30, 120, 300, 1e-3), (0, 50, 257, 0.0)])
    def test_warmup_stable_decay(self, kind, warmup_shape, warmup, hold, total, epsilon):
        fields = dict(warmup_epochs=warmup, hold_epochs=hold, epsilon=epsilon, warmup_start_lr=epsilon)
        ours = make(kind, base_lr=0.01, total_epochs=total, warmup_shape=warmup_shape, **fields)
        theirs = self.curve("warmup_stable_decay", declared(ours, "get_wsd_schedule"), 0.01, total)
        np.testing.assert_allclose(ours.lr(np.arange(total)), theirs, rtol=1e-9, atol=1e-15)

    @pytest.mark.parametrize(
        "fields",
        [
            dict(warmup_shape="log"),
            dict(warmup_start_lr=1e-3),  # Hugging Face warms up from 0 (cosine_with_min_lr) or its floor (wsd)
            dict(granularity="epoch"),
        ],
    )
    def test_declared_only_where_exact(self, fields):
        granularity = fields.pop("granularity", "step")
        doc = {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": 1,
            "granularity": granularity,
            "schedule": {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100, "warmup_epochs": 10, **fields},
        }
        s = schedules.from_config(doc)
        for peer in s.kind.peers:
            if peer.framework == "huggingface" and peer.arguments is not None:
                assert peer.arguments(s) is None, peer.name


def deepspeed_curve(name, arguments, base_lr, steps):
    """The lr of each of ``steps`` optimizer steps under a DeepSpeed scheduler, stepped as its engine
    steps it (``_take_model_step``): built once (no step at construction), then the optimizer's step
    and the scheduler's, in that order."""
    lr_schedules = pytest.importorskip(
        "deepspeed.runtime.lr_schedules", reason="DeepSpeed is not installed (pip install -r requirements-peers.txt)"
    )
    return torch_curve(lambda _, o: getattr(lr_schedules, name)(o, **arguments), base_lr, steps)


class TestDeepSpeed:
    """DeepSpeed's schedulers with a log warm-up, every step past the end (they hold their last lr)."""

    @pytest.mark.parametrize(("warmup", "hold", "start"), [(2, 0, 0.0), (16, 0, 1e-3), (37, 40, 0.01), (300, 0, 0.0)])
    def test_constant_is_warmuplr(self, warmup, hold, start):
        ours = make(
            "constant",
            base_lr=0.1,
            total_epochs=300,
            warmup_epochs=warmup,
            hold_epochs=hold,
            warmup_start_lr=start,
            warmup_shape="log",
        )
        theirs = deepspeed_curve("WarmupLR", declared(ours, "WarmupLR"), 0.1, 305)
        np.testing.assert_allclose(ours.lr(np.arange(305)), theirs, rtol=1e-12, atol=1e-15)

    @pytest.mark.parametrize(("warmup", "start", "total"), [(2, 0.0, 300), (20, 1e-3, 300), (64, 1e-4, 257)])
    def test_linear_after_a_one_step_hold_is_warmupdecaylr(self, warmup, start, total):
        ours = make(
            "linear",
            base_lr=0.1,
            total_epochs=total,
            warmup_epochs=warmup,
            hold_epochs=1,
            warmup_start_lr=start,
            epsilon=start,
            warmup_shape="log",
        )
        theirs = deepspeed_curve("WarmupDecayLR", declared(ours, "WarmupDecayLR"), 0.1, total + 5)
        np.testing.assert_allclose(ours.lr(np.arange(total + 5)), theirs, rtol=1e-9, atol=1e-15)

    @pytest.mark.parametrize(("warmup", "epsilon", "total"), [(2, 0.0, 300), (20, 1e-5, 300), (50, 1e-3, 257)])
    def test_cosine_is_warmupcosinelr(self, warmup, epsilon, total):
        ours = make(
            "cosine", base_lr=0.1, total_epochs=total, warmup_epochs=warmup, epsilon=epsilon, warmup_shape="log"
        )
        theirs = deepspeed_curve("WarmupCosineLR", declared(ours, "WarmupCosineLR"), 0.1, total + 5)
        np.testing.assert_allclose(ours.lr(np.arange(total + 5)), theirs, rtol=1e-9, atol=1e-15)

    def test_a_linear_warmup_lags_ours_by_one_step_so_no_peer_takes_it(self):
        ours = make("constant", base_lr=0.1, total_epochs=100, warmup_epochs=20)
        assert not any(peer.arguments(ours) for peer in ours.kind.peers if peer.framework == "deepspeed")
        arguments = dict(warmup_min_lr=0.0, warmup_max_lr=0.1, warmup_num_steps=20, warmup_type="linear")
        theirs = deepspeed_curve("WarmupLR", arguments, 0.1, 100)
        assert theirs[0] == theirs[1] == 0.0 and theirs[20] < 0.1 == theirs[21]
        np.testing.assert_allclose(theirs[1:], ours.lr(np.arange(99)), rtol=1e-12)

    def test_warmupcosinelr_runs_step_zero_at_zero_whatever_its_start_ratio(self):
        ours = make("cosine", base_lr=0.1, total_epochs=100, warmup_epochs=10, warmup_start_lr=0.01, warmup_shape="log")
        assert peer_arguments(ours, "WarmupCosineLR") is None
        arguments = dict(total_num_steps=100, warmup_min_ratio=0.1, warmup_num_steps=10, warmup_type="log")
        theirs = deepspeed_curve("WarmupCosineLR", arguments | {"cos_min_ratio": 0.0}, 0.1, 100)
        assert theirs[0] == 0.0
        np.testing.assert_allclose(theirs[1:], ours.lr(np.arange(1, 100)), rtol=1e-9)

    def test_a_warmup_of_one_step_is_not_deepspeeds(self):  # DeepSpeed lengthens it to 2
        ours = make("constant", base_lr=0.1, total_epochs=100, warmup_epochs=1, warmup_shape="log")
        assert peer_arguments(ours, "WarmupLR") is None


ENGINE_RUN = """
import json, os, sys, torch, deepspeed
# One rank on one machine shares nothing: skip the shared-memory all-reduce DeepSpeed would first
# compile from C++ (a minute on a fresh machine), which has no part in the lr.
deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
name, arguments, base_lr, steps = json.loads(sys.argv[1])
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=base_lr)
config = {"train_batch_size": 1, "scheduler": {"type": name, "params": arguments}}
engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=config)
lrs = []
for _ in range(steps):
    lrs.append(engine.optimizer.param_groups[0]["lr"])  # the lr this step runs at
    engine.backward(engine(torch.ones(1, 2)).sum())
    engine.step()
print(json.dumps(lrs))
"""


@pytest.mark.slow
def test_deepspeeds_engine_runs_each_step_at_our_lr(tmp_path):
    """The whole path of a DeepSpeed run: the scheduler named in its config, built by
    ``deepspeed.initialize`` with the declared arguments as ``params``, stepped by ``engine.step()``."""
    pytest.importorskip("deepspeed", reason="DeepSpeed is not installed (pip install -r requirements-peers.txt)")
    ours = make("linear", base_lr=0.1, total_epochs=60, warmup_epochs=8, hold_epochs=1, warmup_shape="log")
    request = json.dumps(["WarmupDecayLR", declared(ours, "WarmupDecayLR"), 0.1, 64])
    port = {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(29500 + os.getpid() % 1000), "RANK": "0"}
    env = os.environ | port | {"LOCAL_RANK": "0", "WORLD_SIZE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", ENGINE_RUN, request], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    np.testing.assert_allclose(ours.lr(np.arange(64)), json.loads(done.stdout.splitlines()[-1]), rtol=1e-12)


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
