"""Copy-ready code for a schedule in Keras, PyTorch or optax.

A framework's own class wherever one is exactly equivalent over the schedule's steps — the peers
each kind declares (``schedules.peers``) — otherwise the engine through its adapters:
``Schedule.to_keras()``, ``Schedule.to_torch(optimizer)`` or ``Schedule.to_optax()``. Snippets bind
``lr_schedule`` (Keras), ``scheduler`` (PyTorch, with ``optimizer`` in scope) and ``schedule``
(optax), start with the one install line they need, and stay small whatever the schedule's length.
"""

from __future__ import annotations

from typing import Any

from schedules import Schedule, dumps
from schedules.peers import Peer, joinable

FRAMEWORKS = ("keras", "pytorch", "optax")
# The one install line each snippet needs: the framework alone for its own classes, the engine
# with that framework's extra otherwise.
NATIVE_INSTALL = {"keras": "keras tensorflow", "pytorch": "torch", "optax": "optax"}
ENGINE_INSTALL = {"keras": "keras", "pytorch": "torch", "optax": "optax"}


def to_code(schedule: Schedule, framework: str) -> str:
    """A snippet that builds ``schedule`` in ``framework`` ("keras", "pytorch" or "optax")."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework: must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    exporter = {"keras": keras_code, "pytorch": pytorch_code, "optax": optax_code}[framework]
    native = native_peer(schedule, framework)
    if framework == "optax" and not joinable(schedule):
        native = None  # optax's pieces start at step 0: the join needs a linear warm-up, per step
    if native:
        return f"# pip install {NATIVE_INSTALL[framework]}\n" + exporter(schedule, native)
    return engine_install(ENGINE_INSTALL[framework]) + exporter(schedule, native)


def engine_install(extra: str) -> str:
    """The engine's install lines: it is not on PyPI, so from the studio's checkout or its wheel.

    >>> print(engine_install("torch"), end="")
    # pip install "./lr-schedule-studio[torch]"
    # (the studio's checkout, not on PyPI; or the wheel `python -m build` makes there, with [torch])
    """
    return (
        f'# pip install "./lr-schedule-studio[{extra}]"\n'
        f"# (the studio's checkout, not on PyPI; or the wheel `python -m build` makes there, with [{extra}])\n"
    )


def native_peer(schedule: Schedule, framework: str) -> tuple[Peer, dict[str, Any]] | None:
    """The first of the kind's peers in ``framework`` that is exact for this schedule, with its arguments."""
    for peer in schedule.kind.peers:
        if peer.framework == framework and peer.arguments is not None:
            arguments = peer.arguments(schedule)
            if arguments is not None:
                return peer, arguments
    return None


def call(name: str, arguments: dict[str, Any], first: str = "") -> str:
    """``name(first, key=value, …)`` on indented lines, values as Python literals."""
    items = [first] if first else []
    items += [f"{key}={value!r}" for key, value in arguments.items()]
    return f"{name}(\n" + "".join(f"    {item},\n" for item in items) + ")"


def _document(schedule: Schedule) -> str:
    return "schedules.loads(r'''\n" + dumps(schedule) + "''')"


def keras_code(schedule: Schedule, native) -> str:
    if native is None:
        return f"import schedules\n\nlr_schedule = {_document(schedule)}.to_keras()\n"
    peer, arguments = native
    if peer.name == "float":  # a constant learning rate is a number in Keras
        return f"lr_schedule = {arguments['value']!r}\n"
    if "boundaries" in arguments and not arguments["boundaries"]:  # no drop before the end
        return f"lr_schedule = {arguments['values'][0]!r}\n"
    return f"import keras\n\nlr_schedule = {call(peer.name, arguments)}\n"


def pytorch_code(schedule: Schedule, native) -> str:
    if native is None:
        return (
            f"import schedules\n\nscheduler = {_document(schedule)}.to_torch(optimizer)"
            "  # scheduler.step() after each optimizer.step()\n"
        )
    peer, arguments = native
    module, name = peer.name.rsplit(".", 1)
    return (
        f"from {module} import {name}\n\n"
        f'for group in optimizer.param_groups:\n    group["lr"] = {schedule.params["base_lr"]!r}\n'
        f"scheduler = {call(name, arguments, first='optimizer')}  # scheduler.step() after each optimizer.step()\n"
    )


def optax_code(schedule: Schedule, native) -> str:
    """The kind's optax decay piece joined after a linear warm-up and the hold, like
    ``optax.warmup_cosine_decay_schedule``; else the engine's formula in jax.numpy."""
    if native is None:
        return f"import schedules\n\nschedule = {_document(schedule)}.to_optax()  # jit-compatible\n"
    peer, arguments = native
    base, warmup, hold_end = schedule.params["base_lr"], schedule.warmup_steps, schedule.boundaries[1]
    pieces = [
        call(
            "optax.linear_schedule",
            {"init_value": schedule.values["warmup_start_lr"], "end_value": base, "transition_steps": max(warmup, 1)},
        ),
        call("optax.constant_schedule", {"value": base}),
        call(peer.name, arguments),
    ]
    joined = "".join("        " + piece.replace("\n", "\n        ") + ",\n" for piece in pieces)
    boundaries = f"boundaries=[{warmup}, {hold_end}]"
    return f"import optax\n\nschedule = optax.join_schedules(\n    [\n{joined}    ],\n    {boundaries},\n)\n"
