"""Copy-ready code for a schedule in Keras, PyTorch or optax.

Native classes of each framework wherever one is exactly equivalent over the schedule's steps;
otherwise the project's own exact adapter (Keras), a ``LambdaLR`` over ``Schedule.lr`` (PyTorch),
or a lookup table of ``Schedule.lr`` (optax). Snippets bind ``lr_schedule`` (Keras), ``scheduler``
(PyTorch, with ``optimizer`` in scope) and ``schedule`` (optax).
"""

from __future__ import annotations

from schedules import Schedule, dumps

FRAMEWORKS = ("keras", "pytorch", "optax")
MAX_TABLE_STEPS = 10_000_000  # an optax lookup table beyond this would weigh more than 80 MB


def to_code(schedule: Schedule, framework: str) -> str:
    """A snippet that builds ``schedule`` in ``framework`` ("keras", "pytorch" or "optax")."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework: must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    return {"keras": keras_code, "pytorch": pytorch_code, "optax": optax_code}[framework](schedule)


def _plain(schedule: Schedule) -> bool:
    """No warm-up, no hold, per-step: where the frameworks' own classes start their decay."""
    return schedule.warmup_steps == 0 and schedule.hold_steps == 0 and schedule.granularity == "step"


def _document(schedule: Schedule) -> str:
    return "schedules.loads(r'''\n" + dumps(schedule) + "''')"


def _periods(schedule: Schedule, name: str) -> int:
    return schedule._steps[name]  # noqa: SLF001 - the field in steps, as the engine computes it


def keras_code(schedule: Schedule) -> str:
    p, kind = schedule.params, schedule.kind.name
    base, eps = p["base_lr"], schedule.get("epsilon")
    W, H, T = schedule.warmup_steps, schedule.hold_steps, schedule.total_steps
    linear_warmup = schedule.get("warmup_shape") == "linear"
    native = None
    if kind == "cosine" and H == 0 and T > W and linear_warmup and schedule.granularity == "step":
        native = (
            f"keras.optimizers.schedules.CosineDecay(\n    initial_learning_rate={schedule.get('warmup_start_lr')!r}, "
            f"decay_steps={T - W}, alpha={eps / base!r},\n    warmup_target={base!r}, warmup_steps={W}\n)"
            if W
            else f"keras.optimizers.schedules.CosineDecay(\n    initial_learning_rate={base!r}, decay_steps={T}, "
            f"alpha={eps / base!r}\n)"
        )
    elif _plain(schedule) and kind in ("linear", "polynomial"):
        power = p.get("power", 1.0)
        native = (
            f"keras.optimizers.schedules.PolynomialDecay(\n    initial_learning_rate={base!r}, decay_steps={T}, "
            f"end_learning_rate={eps!r}, power={power!r}\n)"
        )
    elif _plain(schedule) and eps == 0 and kind in ("exponential", "inverse_time"):
        name = "ExponentialDecay" if kind == "exponential" else "InverseTimeDecay"
        native = (
            f"keras.optimizers.schedules.{name}(\n    initial_learning_rate={base!r}, "
            f"decay_steps={_periods(schedule, 'decay_epochs')}, decay_rate={p['decay_rate']!r}\n)"
        )
    elif _plain(schedule) and kind in ("step", "multistep"):
        # The drops as pieces: PiecewiseConstantDecay compares whole steps, so no division can
        # land a drop one step late. Its value changes just after each boundary, hence the − 1.
        drops = schedule.drop_steps()
        values = [float(value) for value in schedule.lr([0, *drops])]
        native = (
            f"keras.optimizers.schedules.PiecewiseConstantDecay(\n    boundaries={[step - 1 for step in drops]},\n"
            f"    values={values},\n)"
            if drops
            else repr(values[0])
        )
    elif _plain(schedule) and kind == "constant":
        native = repr(base)
    if native:
        return f"import keras\n\nlr_schedule = {native}\n"
    # Everything else: the exact adapter. (Keras's staircase ExponentialDecay is not used for step
    # decay: inside a compiled graph it can land a drop one step late.)
    return f"import schedules\n\nlr_schedule = {_document(schedule)}.to_keras()\n"


def pytorch_code(schedule: Schedule) -> str:
    p, kind = schedule.params, schedule.kind.name
    base, eps, T = p["base_lr"], schedule.get("epsilon"), schedule.total_steps
    native = None
    if _plain(schedule):
        if kind == "step" and eps == 0:
            native = f"StepLR(optimizer, step_size={_periods(schedule, 'epochs_per_drop')}, gamma={p['drop']!r})"
        elif kind == "multistep" and eps == 0:
            native = (
                f"MultiStepLR(optimizer, milestones={_periods(schedule, 'milestones_epochs')}, gamma={p['gamma']!r})"
            )
        elif kind == "cosine_restarts" and p["peak_mult"] == 1 and float(p["cycle_mult"]).is_integer():
            native = (
                f"CosineAnnealingWarmRestarts(\n    optimizer, T_0={_periods(schedule, 'first_cycle_epochs')}, "
                f"T_mult={int(p['cycle_mult'])}, eta_min={eps!r}\n)"
            )
        elif kind == "cyclic":
            native = (
                f"CyclicLR(\n    optimizer, base_lr={base!r}, max_lr={p['max_lr']!r}, "
                f"step_size_up={_periods(schedule, 'cycle_up_epochs')},\n"
                f"    step_size_down={_periods(schedule, 'cycle_down_epochs')}, mode={p['mode']!r}, "
                f"gamma={p['gamma']!r}, cycle_momentum=False\n)"
            )
        elif kind == "one_cycle":
            native = (
                f"OneCycleLR(\n    optimizer, max_lr={base!r}, total_steps={T}, pct_start={p['pct_start']!r}, "
                f"anneal_strategy={p['anneal']!r},\n    div_factor={p['div_factor']!r}, "
                f"final_div_factor={p['final_div_factor']!r}, three_phase={p['three_phase']!r}, cycle_momentum=False\n)"
            )
    if native:
        return (
            "from torch.optim.lr_scheduler import " + native.split("(")[0] + "\n\n"
            f'for group in optimizer.param_groups:\n    group["lr"] = {base!r}\n'
            f"scheduler = {native}  # call scheduler.step() after each optimizer.step()\n"
        )
    return (
        "import schedules\nfrom torch.optim.lr_scheduler import LambdaLR\n\n"
        f"_schedule = {_document(schedule)}\n"
        f'for group in optimizer.param_groups:\n    group["lr"] = {base!r}  # LambdaLR scales this lr\n'
        f"scheduler = LambdaLR(optimizer, lambda step: float(_schedule.lr(step)) / {base!r})"
        "  # scheduler.step() after each optimizer.step()\n"
    )


def optax_code(schedule: Schedule) -> str:
    p, kind = schedule.params, schedule.kind.name
    base, eps = p["base_lr"], schedule.get("epsilon")
    W, H, T = schedule.warmup_steps, schedule.hold_steps, schedule.total_steps
    D = T - W - H
    floor = repr(eps) if eps else "None"
    decays = {
        "cosine": f"optax.cosine_decay_schedule(init_value={base!r}, decay_steps={max(D, 1)}, alpha={eps / base!r})",
        "linear": f"optax.linear_schedule(init_value={base!r}, end_value={eps!r}, transition_steps={D})",
        "polynomial": (
            f"optax.polynomial_schedule(init_value={base!r}, end_value={eps!r}, power={p.get('power')!r}, "
            f"transition_steps={D})"
        ),
        "constant": f"optax.constant_schedule({base!r})",
    }
    if kind in ("exponential", "step"):
        period = _periods(schedule, "decay_epochs" if kind == "exponential" else "epochs_per_drop")
        rate = p["decay_rate"] if kind == "exponential" else p["drop"]
        decays[kind] = (
            f"optax.exponential_decay(init_value={base!r}, transition_steps={period}, decay_rate={rate!r}, "
            f"staircase={kind == 'step'}, end_value={floor})"
        )
    if kind in decays and schedule.get("warmup_shape") == "linear" and schedule.granularity == "step" and D > 0:
        pieces = [f"optax.linear_schedule({schedule.get('warmup_start_lr')!r}, {base!r}, transition_steps={max(W, 1)})"]
        pieces += [f"optax.constant_schedule({base!r})", decays[kind]]
        joined = "".join(f"        {piece},\n" for piece in pieces)
        return (
            f"import optax\n\nschedule = optax.join_schedules(\n    [\n{joined}    ],\n"
            f"    boundaries=[{W}, {W + H}],\n)\n"
        )
    if T > MAX_TABLE_STEPS:
        raise ValueError(f"an optax lookup table of {T:,} steps is too large; at most {MAX_TABLE_STEPS:,}")
    return (
        "import jax.numpy as jnp\nimport numpy as np\nimport schedules\n\n"
        f"_table = jnp.asarray(\n    {_document(schedule)}.lr(np.arange({T + 1}))\n)\n"
        f"schedule = lambda step: _table[jnp.clip(step, 0, {T})]  # exact at every step, jit-friendly\n"
    )
