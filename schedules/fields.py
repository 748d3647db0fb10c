"""Declarative field rules: each checks one JSON value and explains itself in one sentence.

A rule is a callable ``rule(path, value) -> value`` that returns the value unchanged when it is
valid and raises :class:`ConfigError` otherwise. Each rule also carries ``describe``, the rule's
own words ("a number > 0"), which the error message and the catalog table of the docs reuse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schedules.errors import ConfigError

REQUIRED = object()
# Every number a document holds is 0 or between these in size: float32 (Keras, optax, logs) keeps
# it, and no formula overflows or divides down to a subnormal on the way.
SMALLEST, LARGEST = 1e-30, 1e30


def show(value: Any) -> str:
    """A short, safe rendering of a received value (containers by type, never their contents)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 24 else text[:12] + "…"
    if isinstance(value, str):
        text = value if len(value) <= 30 else value[:30] + "…"
        return repr(text)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def key_path(parent: str | None, key: Any) -> str:
    """The path of a key a document should not have: the key itself when it reads as a name,
    else its parent — a stray key's text (newlines, markup, 10 kB) never becomes a field path."""
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", key):
        return f"{parent}.{key}" if parent else key
    return parent or "document"


def is_number(value: Any) -> bool:
    """True for JSON numbers (int or float), false for booleans, which JSON keeps apart."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_finite_float(value: Any) -> float | None:
    """The value as a finite float, or None when it is not a number or does not fit one."""
    if not is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Number:
    """A finite number within optional bounds (``gt``/``ge`` below, ``lt``/``le`` above)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    integer: bool = False

    @property
    def describe(self) -> str:
        noun = "an integer" if self.integer else "a number"
        if self.ge is not None and self.le is not None:
            return f"{noun} in [{self.ge:g}, {self.le:g}]"
        if self.gt is not None and self.le is not None:
            return f"{noun} in ({self.gt:g}, {self.le:g}]"
        bounds = [
            f"{symbol} {bound:g}"
            for symbol, bound in ((">", self.gt), ("≥", self.ge), ("<", self.lt), ("≤", self.le))
            if bound is not None
        ]
        return " and ".join([f"{noun} {bounds[0]}", *bounds[1:]]) if bounds else f"a finite {noun[2:]}"

    def holds(self, number: float) -> bool:
        """Whether a finite number lies within the bounds."""
        return (
            (self.gt is None or number > self.gt)
            and (self.ge is None or number >= self.ge)
            and (self.lt is None or number < self.lt)
            and (self.le is None or number <= self.le)
        )

    def __call__(self, path: str, value: Any) -> int | float:
        number = as_finite_float(value)
        if number is None or (self.integer and not isinstance(value, int)):
            raise ConfigError(path, f"must be {self.describe}, got {show(value)}")
        if not self.holds(number):
            raise ConfigError(path, f"must be {self.describe}, got {show(value)}")
        if number != 0 and not SMALLEST <= abs(number) <= LARGEST:
            raise ConfigError(path, f"must be 0 or between {SMALLEST:g} and {LARGEST:g} in size, got {show(value)}")
        return value


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    options: Sequence[str]

    @property
    def describe(self) -> str:
        return "one of " + ", ".join(f'"{option}"' for option in self.options)

    def __call__(self, path: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise ConfigError(path, f"must be {self.describe}, got {show(value)}")
        return value


@dataclass(frozen=True)
class Field:
    """One field of a schedule kind.

    Attributes:
      name: the JSON key.
      rule: checks a value (see :class:`Number`, :class:`Choice`).
      default: the value when the key is absent, or ``REQUIRED``; a callable receives the values
        read so far (so ``cycle_down_epochs`` can default to ``cycle_up_epochs``).
      duration: True for lengths given in epochs; formulas receive them in steps, under
        :attr:`formula_name`.
      help: what the field means, for the format reference and the studio's tooltips.
      example: a typical value, where a new design starts (required fields only).
    """

    name: str
    rule: Callable[[str, Any], Any]
    default: Any = REQUIRED
    duration: bool = False
    help: str = ""
    example: Any = None
    in_steps: str = ""  # a duration's name in steps where "epochs" → "steps" would not say what it is

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def formula_name(self) -> str:
        """The name the formulas read the value under: a duration's in steps (``warmup_epochs`` →
        ``warmup_steps``), any other field's own."""
        if not self.duration:
            return self.name
        return self.in_steps or self.name.replace("epochs", "steps")


@dataclass(frozen=True)
class NumberList:
    """A non-empty, strictly ascending list of numbers > 0 (at most ``max_items``)."""

    max_items: int = 100
    describe: str = "a non-empty, strictly ascending list of numbers > 0"

    def __call__(self, path: str, value: Any) -> list:
        if not isinstance(value, list) or not 1 <= len(value) <= self.max_items:
            raise ConfigError(path, f"must be {self.describe} (at most {self.max_items}), got {show(value)}")
        numbers = [as_finite_float(item) for item in value]
        if any(number is None or not SMALLEST <= number <= LARGEST for number in numbers):
            bad = next(
                item
                for item, number in zip(value, numbers, strict=True)
                if number is None or not SMALLEST <= number <= LARGEST
            )
            raise ConfigError(path, f"must be {self.describe}, got an item {show(bad)}")
        if any(later <= earlier for earlier, later in zip(numbers, numbers[1:], strict=False)):
            raise ConfigError(path, f"must be {self.describe}: each item above the one before")
        return list(value)


@dataclass(frozen=True)
class Flag:
    """true or false (JSON booleans only: 0 and 1 are numbers)."""

    describe: str = "true or false"

    def __call__(self, path: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"must be {self.describe}, got {show(value)}")
        return value


def read_fields(parent: str, given: Mapping[str, Any], fields: Sequence[Field], owner: str, also=()) -> dict:
    """Each field's value in the object ``given`` at ``parent``, checked by its rule, defaults filled
    in (a callable default receives the values read so far).

    Raises:
      ConfigError: for a key that is none of ``fields`` (nor in ``also``), a missing required field,
        or a value its rule refuses — in that order.
    """
    known = {field.name for field in fields} | set(also)
    for key in given:
        if key not in known:
            raise ConfigError(key_path(parent, key), f"{show(key)} is not a field of {owner}")
    values: dict[str, Any] = {}
    for field in fields:
        path = f"{parent}.{field.name}"
        if field.name in given:
            values[field.name] = field.rule(path, given[field.name])
        elif field.required:
            raise ConfigError(path, "is required")
        else:
            values[field.name] = field.default(values) if callable(field.default) else field.default
    return values
