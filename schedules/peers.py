"""The frameworks' own schedule classes that reproduce a kind exactly, and when.

A :class:`Peer` is declared on its kind (``schedules.kinds``); code export builds the class
from ``arguments``, the docs' catalog table names it, and the conformance suites run it step for
step against the engine. No framework is imported here: a peer is a name and a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_PIECEWISE_BOUNDARIES = 1_000  # beyond this a piecewise class weighs more than the exact engine path


@dataclass(frozen=True)
class Peer:
    """A framework class equal to a kind at every step where ``arguments`` answers.

    Attributes:
      framework: "keras", "pytorch", "optax" (exported as code), "huggingface" or "deepspeed"
        (conformance only: where they give ``arguments``, the conformance suite builds the class
        from them, so the declaration itself is what is tested).
      name: the class or function, as imported (``keras.optimizers.schedules.CosineDecay``).
      when: the condition in words, for the docs ("no hold, linear warm-up"); "" when always.
      arguments: the constructor's keyword arguments for a schedule, or None where the class is not
        exact for it; None for a documentation-only peer. For optax, the decay piece alone: code
        export joins it after the warm-up and the hold.
    """

    framework: str
    name: str
    when: str = ""
    arguments: Callable[[Any], dict[str, Any] | None] | None = None

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


# Conditions shared by several peers: the frameworks' classes start decaying at step 0.
def plain(s) -> bool:
    """No warm-up, no hold, per-step: where the frameworks' own classes start their decay."""
    return s.warmup_steps == 0 and s.hold_steps == 0 and s.granularity == "step"


def joinable(s) -> bool:
    """A linear warm-up and a hold joined before a decay piece, per step (optax's join_schedules)."""
    return s.values["warmup_shape"] == "linear" and s.granularity == "step" and s.decay_steps > 0


def unfloored(s) -> bool:
    return plain(s) and s.values["epsilon"] == 0


def decimal(value: float) -> float:
    """A derived lr or ratio as the decimal it stands for, without the products' rounding noise
    (0.1 × 0.1 is 0.010000000000000002): 15 significant digits, a few ulps from the exact value.

    >>> decimal(0.1 * 0.1), decimal(1e-6 / 0.01)
    (0.01, 0.0001)
    """
    return float(f"{value:.15g}")


def only_if(condition: Callable[[Any], bool], build: Callable[[Any], dict[str, Any]]):
    """``build``'s arguments where ``condition`` holds, else None."""
    return lambda s: build(s) if condition(s) else None


# Keras ---------------------------------------------------------------------------------------
def keras_cosine(s) -> dict[str, Any] | None:
    if s.hold_steps or s.values["warmup_shape"] != "linear" or s.granularity != "step" or s.decay_steps <= 0:
        return None
    base, eps, warmup = s.values["base_lr"], s.values["epsilon"], s.warmup_steps
    if not warmup:
        return {"initial_learning_rate": base, "decay_steps": s.total_steps, "alpha": decimal(eps / base)}
    return {
        "initial_learning_rate": s.values["warmup_start_lr"],
        "decay_steps": s.decay_steps,
        "alpha": decimal(eps / base),
        "warmup_target": base,
        "warmup_steps": warmup,
    }


def keras_polynomial(s) -> dict[str, Any]:
    return {
        "initial_learning_rate": s.values["base_lr"],
        "decay_steps": s.total_steps,
        "end_learning_rate": s.values["epsilon"],
        "power": s.values.get("power", 1.0),
    }


def keras_rate(s) -> dict[str, Any]:
    """ExponentialDecay and InverseTimeDecay take the same arguments."""
    return {
        "initial_learning_rate": s.values["base_lr"],
        "decay_steps": s.values["rate_steps"],
        "decay_rate": s.values["decay_rate"],
    }


def keras_piecewise(s) -> dict[str, Any] | None:
    """The drops as pieces: PiecewiseConstantDecay compares whole steps, so no division can land a
    drop one step late (Keras's staircase ExponentialDecay can, inside a compiled graph). Its value
    changes just after each boundary, hence the − 1."""
    drops = s.turning_steps(limit=MAX_PIECEWISE_BOUNDARIES + 1)
    if len(drops) > MAX_PIECEWISE_BOUNDARIES:
        return None
    return {"boundaries": [int(step) - 1 for step in drops], "values": [decimal(v) for v in s.lr([0, *drops])]}


# The drops of a step or multi-step decay with no warm-up or hold, as Keras's pieces.
KERAS_PIECEWISE = Peer(
    "keras", "keras.optimizers.schedules.PiecewiseConstantDecay", "no warm-up or hold", only_if(plain, keras_piecewise)
)


# Hugging Face (the Trainer's lr_scheduler_type names the function) ---------------------------
WSD_DECAY_TYPES = {"linear": "linear", "cosine": "cosine", "one_minus_sqrt": "1-sqrt"}  # kind → decay_type


def huggingface_cosine_with_min_lr(s) -> dict[str, Any] | None:
    """get_cosine_with_min_lr_schedule_with_warmup ("cosine_with_min_lr"): a linear warm-up from 0,
    no hold, a cosine to the floor min_lr_rate · lr."""
    linear_from_zero = s.warmup_steps == 0 or (
        s.values["warmup_shape"] == "linear" and s.values["warmup_start_lr"] == 0
    )
    if not (linear_from_zero and s.hold_steps == 0 and s.granularity == "step" and s.decay_steps > 0):
        return None
    return {
        "num_warmup_steps": s.warmup_steps,
        "num_training_steps": s.total_steps,
        "min_lr_rate": decimal(s.values["epsilon"] / s.values["base_lr"]),
    }


def huggingface_wsd(s) -> dict[str, Any] | None:
    """get_wsd_schedule ("warmup_stable_decay"): its warm-up starts at its floor min_lr_ratio · lr,
    linear or cosine; its stable phase is the hold; its decay (linear, cosine or 1-sqrt) ends on
    the floor."""
    shaped = s.values["warmup_shape"] in ("linear", "cosine") and s.values["warmup_start_lr"] == s.values["epsilon"]
    if not ((s.warmup_steps == 0 or shaped) and s.granularity == "step" and s.decay_steps > 0):
        return None
    return {
        "num_warmup_steps": s.warmup_steps,
        "num_training_steps": s.total_steps,
        "num_decay_steps": s.decay_steps,
        "warmup_type": s.values["warmup_shape"],
        "decay_type": WSD_DECAY_TYPES[s.kind.name],
        "min_lr_ratio": decimal(s.values["epsilon"] / s.values["base_lr"]),
    }


# DeepSpeed (deepspeed.runtime.lr_schedules), as its engine steps them -------------------------
# A DeepSpeed scheduler sets its value for iteration −1 at construction and steps after each
# optimizer step, so optimizer step t runs at its formula for iteration t − 1. Its log warm-up,
# log(i + 1) / log(W) at iteration i, is then the engine's "log" shape exactly; its linear one,
# i / W, lags the engine's by a step (lr(1) = lr(0), the peak only at W + 1), so no peer takes it.
def deepspeed_log_warmup(s) -> bool:
    """A log warm-up of 2 steps or more (DeepSpeed lengthens a shorter one to 2), per step."""
    return s.values["warmup_shape"] == "log" and s.warmup_steps >= 2 and s.granularity == "step"


def deepspeed_warmup(s) -> dict[str, Any]:
    return {
        "warmup_min_lr": s.values["warmup_start_lr"],
        "warmup_max_lr": s.values["base_lr"],
        "warmup_num_steps": s.warmup_steps,
        "warmup_type": "log",
    }


def deepspeed_warmup_lr(s) -> dict[str, Any] | None:
    """WarmupLR: the warm-up, then warmup_max_lr for good."""
    return deepspeed_warmup(s) if deepspeed_log_warmup(s) else None


def deepspeed_warmup_decay_lr(s) -> dict[str, Any] | None:
    """WarmupDecayLR: its peak lasts two steps (W and W + 1), then it falls linearly to warmup_min_lr
    at total_num_steps + 1 — a linear decay after a one-step hold, to ε = the start lr, with
    total_num_steps = T − 1."""
    if not (deepspeed_log_warmup(s) and s.hold_steps == 1 and s.decay_steps > 0):
        return None
    if s.values["epsilon"] != s.values["warmup_start_lr"]:
        return None
    return {"total_num_steps": s.total_steps - 1, **deepspeed_warmup(s)}


def deepspeed_warmup_cosine_lr(s) -> dict[str, Any] | None:
    """WarmupCosineLR: ratios of the optimizer's lr (base_lr), a cosine to cos_min_ratio over
    total_num_steps − W. It sets lr 0 at construction whatever warmup_min_ratio, so optimizer step 0
    runs at 0: the warm-up must start there."""
    if not (deepspeed_log_warmup(s) and s.hold_steps == 0 and s.values["warmup_start_lr"] == 0 and s.decay_steps > 0):
        return None
    return {
        "total_num_steps": s.total_steps,
        "warmup_min_ratio": 0.0,
        "warmup_num_steps": s.warmup_steps,
        "cos_min_ratio": decimal(s.values["epsilon"] / s.values["base_lr"]),
        "warmup_type": "log",
    }


# optax decay pieces (joined after a linear warm-up and the hold) -----------------------------
def optax_cosine(s) -> dict[str, Any]:
    base = s.values["base_lr"]
    return {"init_value": base, "decay_steps": max(s.decay_steps, 1), "alpha": decimal(s.values["epsilon"] / base)}


def optax_polynomial(s) -> dict[str, Any]:
    return {
        "init_value": s.values["base_lr"],
        "end_value": s.values["epsilon"],
        "power": s.values.get("power", 1.0),
        "transition_steps": s.decay_steps,
    }


def optax_exponential(period: str, rate: str, staircase: bool):
    """optax.exponential_decay for smooth (exponential) or staircase (step) decay: a factor ``rate``
    every ``period`` steps (the kind's names for them)."""

    def arguments(s) -> dict[str, Any]:
        return {
            "init_value": s.values["base_lr"],
            "transition_steps": s.values[period],
            "decay_rate": s.values[rate],
            "staircase": staircase,
            "end_value": s.values["epsilon"] or None,
        }

    return arguments
