"""What a demo run can be asked for, defined without TensorFlow: the command line, the Train page
and the training itself share these choices."""

from __future__ import annotations

from dataclasses import dataclass

# Each choice with the words people see for it.
OPTIMIZERS = {"sgd": "SGD (momentum 0.9)", "adam": "Adam", "adamw": "AdamW"}
DATASETS = {"digits": "Handwritten digits (8×8, 1,797 images)", "spirals": "Two spirals (2,000 generated points)"}


@dataclass(frozen=True)
class RunOptions:
    """How to train: epochs, batch size, optimizer name, seed and data set."""

    epochs: int = 10
    batch_size: int = 32
    optimizer: str = "sgd"
    seed: int = 0
    dataset: str = "digits"

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset: must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs: must be an integer in [1, 10000], got {self.epochs}")
        if not 1 <= self.batch_size <= 4096:
            raise ValueError(f"batch_size: must be an integer in [1, 4096], got {self.batch_size}")
