"""Budgets in the units runs are planned in: a dataset, a batch per device, gradient accumulation and
devices, turned into optimizer steps — and a base lr scaled with the batch.

A document may carry these as its optional ``run`` object; its ``steps_per_epoch`` must then be the
one they imply:

    "run": {"dataset_size": 1281167, "unit": "samples", "micro_batch": 64,
            "gradient_accumulation": 4, "devices": 8, "drop_last": true}

One optimizer step consumes micro_batch × gradient_accumulation × devices samples (the global
batch). The step count is global: every device applies the same lr at the same step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from schedules.errors import ConfigError
from schedules.fields import Choice, Field, Flag, Number, read_fields, show

UNITS = ("samples", "tokens")
SCALING_RULES = ("linear", "sqrt")
RUN_FIELDS: tuple[Field, ...] = (
    Field("dataset_size", Number(ge=1, le=10**15, integer=True), help="examples (or tokens) in one epoch"),
    Field("unit", Choice(UNITS), default="samples", help="what dataset_size counts"),
    Field(
        "sequence_length",
        Number(ge=1, le=10**7, integer=True),
        default=1,
        help="tokens per sample, when dataset_size counts tokens",
    ),
    Field("micro_batch", Number(ge=1, le=10**7, integer=True), help="samples per device per forward pass"),
    Field("gradient_accumulation", Number(ge=1, le=10**5, integer=True), default=1, help="micro-batches per step"),
    Field("devices", Number(ge=1, le=10**6, integer=True), default=1, help="data-parallel replicas"),
    Field("drop_last", Flag(), default=True, help="drop the last partial batch of an epoch"),
)


@dataclass(frozen=True)
class Run:
    """How a run consumes its data: what one optimizer step and one epoch are."""

    dataset_size: int
    micro_batch: int
    unit: str = "samples"
    sequence_length: int = 1
    gradient_accumulation: int = 1
    devices: int = 1
    drop_last: bool = True

    @property
    def global_batch(self) -> int:
        """Samples per optimizer step: micro_batch × gradient_accumulation × devices."""
        return self.micro_batch * self.gradient_accumulation * self.devices

    @property
    def samples_per_epoch(self) -> int:
        """The dataset in samples (tokens ÷ sequence_length, whole sequences)."""
        return self.dataset_size // self.sequence_length if self.unit == "tokens" else self.dataset_size

    @property
    def steps_per_epoch(self) -> int:
        """⌊samples / global batch⌋ with drop_last, else ⌈samples / global batch⌉.

        >>> Run(dataset_size=1_281_167, micro_batch=64, gradient_accumulation=4, devices=8).steps_per_epoch
        625
        """
        whole, rest = divmod(self.samples_per_epoch, self.global_batch)
        return whole if self.drop_last or rest == 0 else whole + 1

    def arithmetic(self) -> str:
        """The derivation in one line, as the Designer shows it.

        >>> print(Run(dataset_size=50_000, micro_batch=64, gradient_accumulation=4, devices=2).arithmetic())
        50,000 samples ÷ (64 × 4 accumulation × 2 devices) = 97 optimizer steps per epoch, last partial batch dropped
        """
        data = f"{self.dataset_size:,} samples"
        if self.unit == "tokens":
            data = f"{self.dataset_size:,} tokens ÷ {self.sequence_length:,} per sample = "
            data += f"{self.samples_per_epoch:,} samples"
        parts = [f"{self.micro_batch:,}"]
        if self.gradient_accumulation > 1:
            parts.append(f"{self.gradient_accumulation:,} accumulation")
        if self.devices > 1:
            parts.append(f"{self.devices:,} devices")
        batch = " × ".join(parts)
        batch = f"({batch})" if len(parts) > 1 else batch
        rest = self.samples_per_epoch % self.global_batch
        tail = "" if rest == 0 else ", last partial batch dropped" if self.drop_last else ", last partial batch kept"
        return f"{data} ÷ {batch} = {self.steps_per_epoch:,} optimizer steps per epoch{tail}"

    def samples_at(self, steps):
        """Samples seen after ``steps`` optimizer steps."""
        return steps * self.global_batch

    def tokens_at(self, steps):
        """Tokens seen after ``steps`` optimizer steps."""
        return steps * self.global_batch * self.sequence_length

    def epochs_for_tokens(self, tokens: float) -> float:
        """The epochs a token budget buys: tokens ÷ (steps per epoch × global batch × sequence length)."""
        return tokens / (self.steps_per_epoch * self.global_batch * self.sequence_length)

    def to_config(self) -> dict[str, Any]:
        """The document's ``run`` object, fields in the format's order."""
        values = asdict(self)
        return {field.name: values[field.name] for field in RUN_FIELDS}


def read_run(run: Any, steps_per_epoch: int) -> Run:
    """The document's ``run`` object, validated, with the steps per epoch it implies checked
    against the document's own; ConfigError naming the field otherwise."""
    if not isinstance(run, Mapping):
        raise ConfigError("run", f"must be an object, got {show(run)}")
    values = read_fields("run", run, RUN_FIELDS, "run")
    if values["unit"] == "samples" and values["sequence_length"] != 1 and "sequence_length" in run:
        raise ConfigError("run.sequence_length", 'applies only when unit is "tokens"')
    result = Run(**values)
    if result.samples_per_epoch < 1:
        raise ConfigError(
            "run.dataset_size",
            f"{result.dataset_size:,} tokens are fewer than one sequence of {result.sequence_length:,}",
        )
    if result.samples_per_epoch < result.global_batch and result.drop_last:
        raise ConfigError(
            "run.dataset_size",
            f"{result.samples_per_epoch:,} samples are fewer than one global batch ({result.global_batch:,}): "
            "with drop_last no step would run",
        )
    if result.steps_per_epoch != steps_per_epoch:
        raise ConfigError(
            "steps_per_epoch",
            f"must be {result.steps_per_epoch:,} as run implies ({result.arithmetic()}), got {steps_per_epoch:,}",
        )
    return result


def scaled_lr(reference_lr: float, reference_batch: int, batch: int, rule: str = "linear") -> float:
    """A base lr for ``batch`` from one known to work at ``reference_batch`` (Goyal et al. 2017).

    linear: lr = reference_lr · batch / reference_batch
    sqrt:   lr = reference_lr · √(batch / reference_batch)

    >>> scaled_lr(0.1, 256, 1024), scaled_lr(0.1, 256, 1024, "sqrt")
    (0.4, 0.2)
    """
    if rule not in SCALING_RULES:
        raise ValueError(f"rule: must be one of {', '.join(SCALING_RULES)}, got {rule!r}")
    if reference_lr <= 0 or reference_batch < 1 or batch < 1:
        raise ValueError("reference_lr must be > 0 and both batches ≥ 1")
    ratio = batch / reference_batch
    return reference_lr * (ratio if rule == "linear" else math.sqrt(ratio))
