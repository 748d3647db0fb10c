"""Learning-rate schedules as exact, vectorized NumPy formulas, read from and written to JSON.

>>> import schedules
>>> s = schedules.loads('{"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,'
...     ' "schedule": {"kind": "cosine", "base_lr": 0.1, "total_epochs": 10, "warmup_epochs": 1}}')
>>> s.lr([0, 10, 100]).round(4).tolist()
[0.0, 0.1, 0.0]
"""

from schedules.document import dumps, from_config, loads, make_document, step_baseline
from schedules.errors import ConfigError
from schedules.kinds import COMMON_FIELDS, KINDS
from schedules.schedule import Schedule

__version__ = "0.1.0"  # the package's one version: pyproject.toml reads it

__all__ = [
    "COMMON_FIELDS",
    "KINDS",
    "ConfigError",
    "Schedule",
    "dumps",
    "from_config",
    "loads",
    "make_document",
    "step_baseline",
]
