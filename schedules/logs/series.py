"""What the readers return: a learning-rate series, which names read as one, and choosing one."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from schedules.logs.limits import LogError


@dataclass(frozen=True)
class Series:
    """One logged learning-rate series, sorted by step, one value per step (the last one written).

    Attributes:
      name: the tag or column, prefixed by its run or file when a source holds several.
      steps: int64 steps as logged, each in [0, 10^15]; ``unit`` says whether they count optimizer
        steps or epochs (Keras's ``epoch_*`` scalars count epochs).
      lr: float64 learning rates, all finite.
      unit: "step" or "epoch".
      notes: what the reader could not read and left out (a damaged record, a file cut short,
        non-finite values), one sentence each; empty when every record was read.
      info: numbers the file states about its run (``max_steps``, ``logging_steps``…).
      writer: what wrote it, where the file tells ("transformers.Trainer", "keras", "lightning"),
        so that its convention of which step an entry belongs to is known (``schedules.diagnose``).
    """

    name: str
    steps: np.ndarray
    lr: np.ndarray
    unit: str = "step"
    notes: tuple[str, ...] = ()
    info: Mapping[str, float] = field(default_factory=dict)
    writer: str | None = None

    def __len__(self) -> int:
        return int(self.steps.size)

    def describe(self) -> str:
        """Its name, points and step range, e.g. ``'learning_rate' (300 points, steps 0–299)``."""
        if not len(self):
            return f"{self.name!r} (no points)"
        unit = "epochs" if self.unit == "epoch" else "steps"
        return f"{self.name!r} ({len(self):,} points, {unit} {int(self.steps[0]):,}–{int(self.steps[-1]):,})"


_LR_WORD = re.compile(r"(?:^|[/_\-. :])(?:lr|learning[_\- ]?rate)(?:$|[/_\-. :])", re.IGNORECASE)
_NOT_LR = re.compile(r"(?:_min|_max|momentum|weight[_\- ]?decay|beta\d?|step|epoch)$", re.IGNORECASE)
MAX_NAME_CHARS = 1000  # a longer tag or column is no learning rate a person named


@functools.lru_cache(maxsize=4096)  # a log repeats its few names a million times
def is_lr_name(name: str) -> bool:
    """True for a tag or column that reads as a learning rate.

    >>> [is_lr_name(n) for n in ("learning_rate", "train/lr", "lr-SGD/pg1", "epoch_learning_rate")]
    [True, True, True, True]
    >>> [is_lr_name(n) for n in ("loss", "run - train/learning_rate__MAX", "lr-SGD-momentum", "flr")]
    [False, False, False, False]
    """
    return len(name) <= MAX_NAME_CHARS and bool(_LR_WORD.search(name)) and not _NOT_LR.search(name)


def last_per_step(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted by step, one finite value per step: the last one written.

    >>> s, v = last_per_step(np.array([0, 1, 1, 2]), np.array([1.0, 2.0, 3.0, np.nan]))
    >>> s.tolist(), v.tolist()
    ([0, 1], [1.0, 3.0])
    """
    steps, values = np.asarray(steps, np.int64), np.asarray(values, np.float64)
    # Each copy only where needed: a log is usually finite, sorted and one value a step already,
    # and a million points cost 16 MB a copy.
    keep = np.isfinite(values)
    if not keep.all():
        steps, values = steps[keep], values[keep]
    if steps.size > 1 and (steps[1:] < steps[:-1]).any():
        order = np.argsort(steps, kind="stable")
        steps, values = steps[order], values[order]
    last = np.ones(steps.size, dtype=bool)
    last[:-1] = steps[1:] != steps[:-1]
    return (steps, values) if last.all() else (steps[last], values[last])


def ranked(series: Sequence[Series]) -> list[Series]:
    """The likeliest series to check first: per-step before per-epoch, then the most points.

    >>> names = [s.name for s in ranked([Series("epoch_lr", np.arange(3), np.ones(3), "epoch"),
    ...                                  Series("lr", np.arange(9), np.ones(9))])]
    >>> names
    ['lr', 'epoch_lr']
    """
    return sorted(series, key=lambda s: (s.unit != "step", -len(s), s.name))


SHOWN = 5  # series named in a message; the page offers every one with a search


def choose(series: Sequence[Series], tag: str | None = None) -> Series:
    """The one series to check: the one named ``tag`` (or ending in ``/tag``), else the only one,
    else the only per-step one (Keras logs each lr per step and per epoch).

    Raises:
      LogError: when several match and nothing decides, saying how many and naming the likeliest.
    """
    if tag is not None:
        found = [s for s in series if s.name == tag] or [s for s in series if s.name.endswith("/" + tag)]
        if not found:
            raise LogError(f"no learning-rate series is named {tag!r}; the log has: {listing(series)}")
        series = found
    per_step = [s for s in series if s.unit == "step"]
    if len(series) == 1 or len(per_step) == 1:
        return series[0] if len(series) == 1 else per_step[0]
    raise LogError(f"the log holds {len(series):,} learning-rate series, choose one: {listing(series)}")


def listing(series: Sequence[Series]) -> str:
    """The likeliest few series described, and how many more there are."""
    top = ranked(series)[:SHOWN]
    more = len(series) - len(top)
    return ", ".join(s.describe() for s in top) + (f" and {more:,} more" if more else "")
