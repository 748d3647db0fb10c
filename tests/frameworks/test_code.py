"""Code export: each snippet, executed, reproduces lr() at every step of the schedule."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import schedules
from frameworks.code import FRAMEWORKS
from schedules import KINDS
from studio.presets import PRESETS, preset
from tests.strategies import documents

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run_keras(code: str, steps: np.ndarray) -> np.ndarray:
    pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    from frameworks.keras_callbacks import compiled_schedule

    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own generated snippet, as a user would paste it
    lr_schedule = namespace["lr_schedule"]
    if isinstance(lr_schedule, float):
        return np.full(steps.shape, lr_schedule)
    return compiled_schedule(lr_schedule)(tf.constant(steps, tf.int64)).numpy().astype(np.float64)


def run_pytorch(code: str, total: int) -> np.ndarray:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=123.0)  # the snippet sets the lr
    namespace = {"optimizer": optimizer}
    exec(code, namespace)  # noqa: S102
    values = []
    for _ in range(total):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        namespace["scheduler"].step()
    return np.array(values)


def run_optax(code: str, steps: np.ndarray) -> np.ndarray:
    pytest.importorskip("optax", reason="optax is not installed (pip install optax)")
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102
    return np.array([float(namespace["schedule"](int(step))) for step in steps])


def small(doc):
    return schedules.from_config(doc)


@SETTINGS
@given(documents(max_steps=600))
def test_keras_snippet_matches_lr_at_every_step(doc):
    s = small(doc)
    steps = np.arange(s.total_steps)
    # Keras's native classes compute in float32: a rate too small for float32 reads as 0 there.
    np.testing.assert_allclose(run_keras(s.to_code("keras"), steps), s.lr(steps), rtol=1e-5, atol=1e-6 * s.peak_lr)


@SETTINGS
@given(documents(max_steps=600))
def test_pytorch_snippet_matches_lr_at_every_step(doc):
    s = small(doc)
    np.testing.assert_allclose(
        run_pytorch(s.to_code("pytorch"), s.total_steps), s.lr(np.arange(s.total_steps)), rtol=1e-7, atol=1e-12
    )


@SETTINGS
@given(documents(max_steps=300))
def test_optax_snippet_matches_lr_at_every_step(doc):
    s = small(doc)
    steps = np.arange(s.total_steps)
    # optax computes in float32: a decay_rate too small for float32 reads as 0 there.
    np.testing.assert_allclose(run_optax(s.to_code("optax"), steps), s.lr(steps), rtol=1e-5, atol=1e-6 * s.peak_lr)


@pytest.mark.parametrize("kind", sorted(name for name, kind in KINDS.items() if "warmup_shape" in kind.common))
def test_a_log_warmup_exports_through_the_engine(kind):
    """Keras, PyTorch and optax have no log warm-up (DeepSpeed's is a peer, exported nowhere)."""
    fields = {field.name: field.example for field in KINDS[kind].fields if field.required}
    if kind == "cyclic":
        fields["max_lr"] = 0.5  # above base_lr
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 60, "warmup_epochs": 12, "warmup_shape": "log"}
    s = schedules.from_config(schedules.make_document(schedule | fields, 1))
    for framework in FRAMEWORKS:
        assert "import schedules" in s.to_code(framework).splitlines(), framework
    steps = np.arange(s.total_steps)
    np.testing.assert_allclose(run_pytorch(s.to_code("pytorch"), s.total_steps), s.lr(steps), rtol=1e-12)
    np.testing.assert_allclose(run_optax(s.to_code("optax"), steps), s.lr(steps), rtol=1e-5)


@pytest.mark.parametrize(
    "name",
    [
        "Keras CosineDecay with warm-up",
        "1cycle",
        "Cyclical (triangular)",
        "SGDR warm restarts",
        "ResNet step decay (×0.1 at 30/60/80)",
    ],
)
def test_presets_use_native_classes_where_exact(name):
    s = preset(name)
    native = {
        "Keras CosineDecay with warm-up": ("keras", "keras.optimizers.schedules.CosineDecay("),
        "1cycle": ("pytorch", "OneCycleLR("),
        "Cyclical (triangular)": ("pytorch", "CyclicLR("),
        "SGDR warm restarts": ("pytorch", "CosineAnnealingWarmRestarts("),
        "ResNet step decay (×0.1 at 30/60/80)": ("keras", "PiecewiseConstantDecay("),
    }[name]
    assert native[1] in s.to_code(native[0])


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_exports_to_every_framework(name):
    for framework in FRAMEWORKS:
        code = preset(name).to_code(framework)
        compile(code, f"<{framework}>", "exec")
        assert {"keras": "lr_schedule =", "pytorch": "scheduler =", "optax": "schedule ="}[framework] in code


def test_derived_numbers_read_as_the_decimals_they_stand_for():
    # 0.1 × 0.1 is 0.010000000000000002 and 1e-6 / 0.01 is 9.999999999999999e-05 in floats
    assert "values=[0.1, 0.01, 0.001, 0.0001]," in preset("ResNet step decay (×0.1 at 30/60/80)").to_code("keras")
    assert "alpha=0.0001," in preset("Cosine with warm-up, hold and epsilon").to_code("optax")


def test_unknown_framework():
    with pytest.raises(ValueError, match="framework: must be one of keras, pytorch, optax"):
        preset("1cycle").to_code("mxnet")


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_snippet_starts_with_the_one_install_line_it_needs(name):
    for framework in FRAMEWORKS:
        first, *rest = preset(name).to_code(framework).splitlines()
        engine = "import schedules" in rest
        expected = f'"./lr-schedule-studio[{ {"pytorch": "torch"}.get(framework, framework) }]"' if engine else None
        assert first.startswith("# pip install ")
        if engine:
            assert first == f"# pip install {expected}" and "not on PyPI" in rest[0]
        else:
            assert "lr-schedule-studio" not in first


def test_snippets_stay_small_whatever_the_schedule():
    """10⁹ steps, a drop every step: no piecewise class with a billion boundaries, no table."""
    doc = schedules.make_document(
        {"kind": "step", "base_lr": 0.1, "total_epochs": 100, "drop": 0.999999, "epochs_per_drop": 1e-7}, 10**7
    )
    s = schedules.from_config(doc)
    assert s.total_steps == 10**9
    for framework in FRAMEWORKS:
        assert len(s.to_code(framework)) < 2_000
