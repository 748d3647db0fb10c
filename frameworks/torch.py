"""A :class:`~schedules.Schedule` as a PyTorch learning-rate scheduler. Imports torch: load it lazily.

The adapter owns no formula: the lr of every step comes from :meth:`Schedule.lr`, the engine's
NumPy float64 answer, written into each parameter group as it is (times the group's multiplier).

    import schedules
    from frameworks.torch import to_torch

    s = schedules.loads(open("lr-schedule.json").read())
    optimizer = torch.optim.AdamW(model.parameters(), lr=s.peak_lr)
    scheduler = to_torch(s, optimizer)
    for batch in loader:                  # one optimizer step per batch
        loss_fn(model(batch)).backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()                  # after t calls: lr = s.lr(t)
    torch.save({"model": ..., "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)

Checkpoints: ``state_dict()`` holds plain data only (the schedule's v1 document, the step and the
multipliers), so ``torch.load(path)`` reads it with its default ``weights_only=True``; loading a state
from another schedule is refused. Steps count optimizer steps: under DistributedDataParallel every
rank steps once per global batch, so each rank's scheduler reads the same, global step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from schedules import ConfigError, Schedule, from_config
from schedules.fields import show

STATE_KEYS = ("schedule", "step", "lr_multipliers")


class ScheduleLR(LRScheduler):
    """Sets every parameter group's lr to ``schedule.lr(t) × multiplier`` after t calls of ``step()``.

    The group's own lr at construction is not used: the schedule alone decides (its peak is
    ``schedule.peak_lr``). A group whose lr is a tensor (for a compiled optimizer step that must
    not recompile when the lr changes) is filled in place; make it float64 to keep the engine's
    value exactly.

    Args:
      schedule: the engine's schedule; steps are optimizer steps, 0-based.
      optimizer: any ``torch.optim.Optimizer``.
      lr_multipliers: one factor ≥ 0 per parameter group (default: 1 for every group), e.g. a
        smaller lr for a pretrained backbone than for a new head.

    Raises:
      ConfigError (a ValueError): lr_multipliers of the wrong length or with a negative, infinite or
        non-numeric factor; a state of another schedule given to ``load_state_dict``.

    >>> import schedules, torch
    >>> s = schedules.from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1,
    ...     "schedule": {"kind": "cosine", "base_lr": 1.0, "total_epochs": 4, "warmup_epochs": 2}})
    >>> head, body = torch.nn.Linear(2, 1), torch.nn.Linear(2, 2)
    >>> optimizer = torch.optim.SGD([{"params": head.parameters()}, {"params": body.parameters()}])
    >>> scheduler = to_torch(s, optimizer, lr_multipliers=[1.0, 0.1])
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append([round(group["lr"], 4) for group in optimizer.param_groups])
    ...     optimizer.step()
    ...     scheduler.step()
    >>> lrs
    [[0.0, 0.0], [0.5, 0.05], [1.0, 0.1], [0.5, 0.05], [0.0, 0.0]]
    """

    def __init__(
        self,
        schedule: Schedule,
        optimizer: torch.optim.Optimizer,
        lr_multipliers: Sequence[float] | None = None,
    ):
        if not isinstance(schedule, Schedule):
            raise TypeError(f"schedule: expected a schedules.Schedule, got {type(schedule).__name__}")
        self.schedule = schedule
        self.lr_multipliers = check_multipliers(lr_multipliers, len(optimizer.param_groups))
        super().__init__(optimizer)  # sets the lr of step 0

    def get_lr(self) -> list[float]:
        """The lr of step ``last_epoch`` for each group (PyTorch calls this inside ``step()``)."""
        lr = float(self.schedule.lr(self.last_epoch))  # exact: a Python float is a float64
        return [lr * multiplier for multiplier in self.lr_multipliers]

    # step(epoch) (deprecated in PyTorch) jumps to that step: the formula is closed-form anyway.
    _get_closed_form_lr = get_lr

    def state_dict(self) -> dict[str, Any]:
        """Plain data: the v1 document, the number of ``step()`` calls so far and the multipliers."""
        return {
            "schedule": self.schedule.to_config(),
            "step": self.last_epoch,
            "lr_multipliers": list(self.lr_multipliers),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume at the saved step, after checking the state belongs to this very schedule.

        The groups' lrs are set to the saved step's at once, so it does not matter whether the
        optimizer's own state is loaded before or after this.
        """
        step, multipliers = check_state(state_dict, self.schedule, self.lr_multipliers)
        self.last_epoch = step
        self.lr_multipliers = multipliers
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = [
            group["lr"].clone() if isinstance(group["lr"], torch.Tensor) else group["lr"]
            for group in self.optimizer.param_groups
        ]


def to_torch(
    schedule: Schedule, optimizer: torch.optim.Optimizer, lr_multipliers: Sequence[float] | None = None
) -> ScheduleLR:
    """A :class:`ScheduleLR` driving ``optimizer`` along ``schedule`` (see the class for details)."""
    return ScheduleLR(schedule, optimizer, lr_multipliers)


def check_multipliers(multipliers: Any, groups: int, field: str = "lr_multipliers") -> list[float]:
    """One finite factor ≥ 0 per parameter group, as floats; all ones when ``multipliers`` is None.

    >>> check_multipliers(None, 2)
    [1.0, 1.0]
    >>> check_multipliers([1, 0.1], 3)
    Traceback (most recent call last):
    ...
    schedules.errors.ConfigError: lr_multipliers: must give one factor per parameter group (3), got 2
    """
    if multipliers is None:
        return [1.0] * groups
    if isinstance(multipliers, (str, bytes, Mapping)) or not isinstance(multipliers, Sequence):
        raise ConfigError(field, f"must be a list of numbers, one per parameter group, got {show(multipliers)}")
    if len(multipliers) != groups:
        raise ConfigError(field, f"must give one factor per parameter group ({groups}), got {len(multipliers)}")
    for index, factor in enumerate(multipliers):
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) or factor < 0:
            raise ConfigError(f"{field}[{index}]", f"must be a finite number ≥ 0, got {show(factor)}")
    return [float(factor) for factor in multipliers]


def check_state(state: Any, schedule: Schedule, multipliers: list[float]) -> tuple[int, list[float]]:
    """The step and multipliers of a saved :class:`ScheduleLR` state made for ``schedule``."""
    if not isinstance(state, Mapping) or any(key not in state for key in STATE_KEYS):
        raise ConfigError("state_dict", "is not a ScheduleLR state (it needs schedule, step and lr_multipliers)")
    try:
        saved = from_config(state["schedule"])
    except ConfigError as error:
        raise ConfigError("state_dict.schedule", f"is not a valid schedule document ({error})") from None
    if saved != schedule:
        raise ConfigError("state_dict.schedule", f"was saved for {saved!r}, not this scheduler's {schedule!r}")
    step = state["step"]
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ConfigError("state_dict.step", f"must be a whole number ≥ 0, got {show(step)}")
    saved_multipliers = check_multipliers(state["lr_multipliers"], len(multipliers), "state_dict.lr_multipliers")
    if saved_multipliers != multipliers:
        raise ConfigError(
            "state_dict.lr_multipliers", f"were saved as {saved_multipliers}, not this scheduler's {multipliers}"
        )
    return step, saved_multipliers
