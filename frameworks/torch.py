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
from another schedule, or a malformed one, is refused with one :class:`ConfigError` sentence. Steps
count optimizer steps: under DistributedDataParallel every rank steps once per global batch, so each
rank's scheduler reads the same, global step.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from frameworks.private import record_last_lr
from schedules import ConfigError, Schedule, from_config
from schedules import range_test as rt
from schedules.fields import Field, Number, read_fields, show
from schedules.schedule import MAX_TOTAL_STEPS

# The engine's own number rule: finite, and 0 or 1e-30..1e30 in size, so that no lr overflows.
MULTIPLIER = Number(ge=0)
# A saved step past its schedule's end is fine (the lr stays at the final value), but none is
# longer than the engine's longest schedule.
STEP = Number(ge=0, le=MAX_TOTAL_STEPS, integer=True)


class ScheduleLR(LRScheduler):
    """Sets every parameter group's lr to ``schedule.lr(t) × multiplier`` after t calls of ``step()``.

    The group's own lr at construction is not used: the schedule alone decides (its peak is
    ``schedule.peak_lr``). A group whose lr is a tensor (for a compiled optimizer step that must
    not recompile when the lr changes) is filled in place; make it float64 to keep the engine's
    value exactly.

    A group added later with ``optimizer.add_param_group`` follows the schedule too, at multiplier 1
    (the lr it was added with is not used either), from the next ``step()``: PyTorch's schedulers
    write lrs only there. ``lr_multipliers`` and ``state_dict()`` then hold one factor per group, so
    a resumed run adds the group before ``load_state_dict``, as ``optimizer.load_state_dict``
    requires anyway. Why 1: PyTorch's closed-form schedulers know only the groups present at
    construction (their ``base_lrs``, read from each group's ``initial_lr``) and fail on a new one,
    while ``ReduceLROnPlateau`` extends its one default ``min_lr`` to groups added later; 1 is the
    default here.

    Args:
      schedule: the engine's schedule; steps are optimizer steps, 0-based.
      optimizer: any ``torch.optim.Optimizer``.
      lr_multipliers: one factor per parameter group (default: 1 for every group), each 0 or between
        1e-30 and 1e30, e.g. a smaller lr for a pretrained backbone than for a new head.

    Raises:
      ConfigError (a ValueError): lr_multipliers of the wrong length or with a factor the engine's
        number rule refuses; in ``load_state_dict``, a state of another schedule, of another number of
        groups, or malformed in any way (a step that is not a whole number in [0, 10⁹], a missing or
        extra key, a value of the wrong type), with the scheduler left as it was.

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
        self._multipliers = check_multipliers(lr_multipliers, len(optimizer.param_groups))
        super().__init__(optimizer)  # sets the lr of step 0

    @property
    def lr_multipliers(self) -> list[float]:
        """One factor per parameter group: those given, then 1 for each group added later."""
        added = len(self.optimizer.param_groups) - len(self._multipliers)
        return self._multipliers + [1.0] * added

    def get_lr(self) -> list[float]:
        """The lr of step ``last_epoch`` for each group. PyTorch calls it in ``step()``, and in the
        deprecated ``step(epoch)`` too, which jumps: the formula is closed-form."""
        lr = float(self.schedule.lr(self.last_epoch))  # exact: a Python float is a float64
        return [lr * multiplier for multiplier in self.lr_multipliers]

    def state_dict(self) -> dict[str, Any]:
        """Plain data: the v1 document, the number of ``step()`` calls so far and one multiplier per group."""
        return {"schedule": self.schedule.to_config(), "step": self.last_epoch, "lr_multipliers": self.lr_multipliers}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume at the saved step, after checking every value of the state and that it belongs to
        this very schedule and these parameter groups.

        The groups' lrs are set to the saved step's at once, so it does not matter whether the
        optimizer's own state is loaded before or after this.
        """
        step, multipliers = check_state(state_dict, self.schedule, self.lr_multipliers)
        self.last_epoch = step
        self._multipliers = multipliers
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        record_last_lr(self)


def to_torch(
    schedule: Schedule, optimizer: torch.optim.Optimizer, lr_multipliers: Sequence[float] | None = None
) -> ScheduleLR:
    """A :class:`ScheduleLR` driving ``optimizer`` along ``schedule`` (see the class for details)."""
    return ScheduleLR(schedule, optimizer, lr_multipliers)


def read_multipliers(path: str, value: Any) -> list[float]:
    """A list of factors, each checked by :data:`MULTIPLIER`, as floats (a field rule: any length).

    >>> read_multipliers("lr_multipliers", [1, 0.1])
    [1.0, 0.1]
    >>> read_multipliers("lr_multipliers", [1, 10**400])
    Traceback (most recent call last):
    ...
    schedules.errors.ConfigError: lr_multipliers[1]: must be a number ≥ 0, got 100000000000…
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise ConfigError(path, f"must be a list of numbers, one per parameter group, got {show(value)}")
    return [float(MULTIPLIER(f"{path}[{index}]", factor)) for index, factor in enumerate(value)]


def check_multipliers(multipliers: Any, groups: int) -> list[float]:
    """The constructor's ``lr_multipliers``: one factor per parameter group; all ones when None.

    >>> check_multipliers(None, 2)
    [1.0, 1.0]
    >>> check_multipliers([1, 0.1], 3)
    Traceback (most recent call last):
    ...
    schedules.errors.ConfigError: lr_multipliers: must give one factor per parameter group (3), got 2
    """
    if multipliers is None:
        return [1.0] * groups
    factors = read_multipliers("lr_multipliers", multipliers)
    if len(factors) != groups:
        raise ConfigError("lr_multipliers", f"must give one factor per parameter group ({groups}), got {len(factors)}")
    return factors


def read_schedule(path: str, document: Any) -> Schedule:
    """The schedule of a saved state's v1 document, read by the engine's strict reader."""
    try:
        return from_config(document)
    except ConfigError as error:
        raise ConfigError(path, f"is not a valid schedule document ({error})") from None


STATE_FIELDS = (
    Field("schedule", read_schedule),
    Field("step", STEP),
    Field("lr_multipliers", read_multipliers),
)


def check_state(state: Any, schedule: Schedule, multipliers: list[float]) -> tuple[int, list[float]]:
    """The step and multipliers of a saved :class:`ScheduleLR` state, once every value is checked and
    the state found to be made for ``schedule`` and groups with these ``multipliers``."""
    if not isinstance(state, Mapping):
        raise ConfigError(
            "state_dict", f"must be a ScheduleLR state (schedule, step, lr_multipliers), got {show(state)}"
        )
    saved = read_fields("state_dict", state, STATE_FIELDS, "a ScheduleLR state")
    if saved["schedule"] != schedule:
        raise ConfigError(
            "state_dict.schedule", f"was saved for {saved['schedule']!r}, not this scheduler's {schedule!r}"
        )
    if len(saved["lr_multipliers"]) != len(multipliers):
        raise ConfigError(
            "state_dict.lr_multipliers",
            f"the state has {counted(len(saved['lr_multipliers']), 'multiplier')} but the optimizer has "
            f"{counted(len(multipliers), 'parameter group')} (a group added with add_param_group on one side only?)",
        )
    if saved["lr_multipliers"] != multipliers:
        raise ConfigError(
            "state_dict.lr_multipliers", f"were saved as {saved['lr_multipliers']}, not this scheduler's {multipliers}"
        )
    return saved["step"], saved["lr_multipliers"]


def counted(number: int, noun: str) -> str:
    """``"1 multiplier"``, ``"3 multipliers"``: a count the sentence reads as English."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def lr_range_test(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: Iterable,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    *,
    start_lr: float = rt.DEFAULTS["start_lr"],
    end_lr: float = rt.DEFAULTS["end_lr"],
    steps: int = 100,
    accumulation_steps: int = 1,
    smoothing: float = rt.DEFAULTS["smoothing"],
    stop_factor: float = rt.DEFAULTS["stop_factor"],
    burn_in: int | None = None,
    seeds: Sequence[int] | None = None,
    device: torch.device | str | None = None,
    path: str | Path | None = None,
) -> rt.RangeTest:
    """The lr range test in your own training loop, leaving the model and optimizer as they were.

    From the model's current weights, ``steps`` optimizer steps at lrs growing exponentially from
    ``start_lr`` to ``end_lr`` (each parameter group keeps its lr's ratio to the first group's);
    each optimizer step consumes ``accumulation_steps`` batches of ``loader`` (cycled as needed),
    and its loss is their mean. The test stops early when the loss is not finite or its smoothed
    value exceeds ``stop_factor`` × its lowest (``schedules.range_test.LossTracker``).

    Afterwards the model's and the optimizer's ``state_dict()`` (weights, buffers, momenta, the
    groups' lrs), the model's train/eval mode and PyTorch's global random state are restored.

    Args:
      loader: batches ``(inputs, targets)``; ``loss_fn(model(inputs), targets)`` is the loss.
      seeds: repeat the test once per seed (``torch.manual_seed``), each from the same weights, to
        see the suggestions' spread; None runs it once without seeding.
      device: where to move each batch (None: as it comes).
      path: also write the result as its ``lr-range-test`` JSON file, for the *Find the lr* page.

    Returns:
      a ``schedules.range_test.RangeTest``: ``lrs``, ``losses``, ``suggestions`` (steepest
      descent, valley, minimum ÷ 10, as lrs), each with its reason and spread over seeds.
    """
    settings = rt.Settings(start_lr, end_lr, steps, smoothing, stop_factor, burn_in, accumulation_steps)
    lrs = settings.lrs
    saved_model, saved_optimizer = copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())
    saved_rng, was_training = torch.random.get_rng_state(), model.training
    reference = float(optimizer.param_groups[0]["lr"]) or 1.0
    ratios = [float(group["lr"]) / reference if reference else 1.0 for group in optimizer.param_groups]
    curves = []
    try:
        for seed in [None] if seeds is None else seeds:
            if seed is not None:
                torch.manual_seed(seed)
            model.load_state_dict(saved_model)
            optimizer.load_state_dict(copy.deepcopy(saved_optimizer))  # it adopts the tensors it loads
            model.train()
            batches = _cycle(loader)
            tracker, losses, stopped = rt.LossTracker(smoothing, stop_factor), [], ""
            for lr in lrs:
                for group, ratio in zip(optimizer.param_groups, ratios, strict=True):
                    _set_lr(group, lr * ratio)
                loss = _accumulated_step(model, optimizer, batches, loss_fn, accumulation_steps, device)
                losses.append(loss)
                if reason := tracker.add(loss):
                    stopped = f"stopped at lr {lr:.3g}: {reason}"
                    break
            curves.append((lrs[: len(losses)], losses, stopped, seed))
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        model.train(was_training)
        torch.random.set_rng_state(saved_rng)
    result = rt.result(settings, curves, source="torch")
    if path is not None:
        rt.write(result, path)
    return result


def _cycle(loader: Iterable):
    """The loader's batches again and again (a new pass, reshuffled, when one ends)."""
    for _ in itertools.count():
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("loader: yields no batch")


def _set_lr(group: dict, lr: float) -> None:
    if isinstance(group["lr"], torch.Tensor):
        group["lr"].fill_(lr)
    else:
        group["lr"] = lr


def _accumulated_step(model, optimizer, batches, loss_fn, accumulation_steps: int, device) -> float:
    """One optimizer step over ``accumulation_steps`` batches; the mean of their losses."""
    optimizer.zero_grad()
    total = 0.0
    for _ in range(accumulation_steps):
        inputs, targets = next(batches)
        if device is not None:
            inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)
        (loss / accumulation_steps).backward()
        total += float(loss.detach())
    optimizer.step()
    optimizer.zero_grad()
    return total / accumulation_steps
