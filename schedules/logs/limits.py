"""Every limit of the log readers, in one place, and the one error they raise.

A log comes from a user: a file, a folder, an upload or a .zip, possibly damaged or hostile. The
readers' work and memory are bounded by these limits, counted on what is actually read (bytes
inflated from a .zip are counted as they come out, never taken from what the archive declares),
and each one, when passed, is one sentence naming it.
"""

from __future__ import annotations

import numpy as np

MAX_FILE_BYTES = 256 * 2**20  # one log file as read (inflated); a 10⁶-step event file is ~50 MB
MAX_TOTAL_BYTES = 1 * 2**30  # every file of one source together
MAX_FILES = 2000  # log files (event, CSV, JSON) in one source; other files are not counted
MAX_ZIP_DIRECTORY_BYTES = 4 * 2**20  # a .zip's central directory (~40,000 entries)
MAX_SERIES = 1000  # learning-rate series in one source (tags, columns, keys)
MAX_POINTS = 10_000_000  # (step, lr) points kept over all series: 16 bytes each
MAX_STEP = 10**15  # the largest step or epoch a log may name (the engine's integer range)
MAX_TENSOR_DIMS = 254  # dimensions of one tensor (TensorFlow's own limit)
MAX_JSON_ENTRY_BYTES = 1 * 2**20  # one log_history entry of a trainer_state.json
# Digits: an integer of more than Python's 4,300 digits is refused as "a number too long to read";
# any number too large for float64 (10^400) reads as infinite, then refused as out of range.
MAX_CSV_HEADER_BYTES = 1 * 2**20  # the header line of a CSV


class LogError(ValueError):
    """A log that cannot give a learning-rate series: one sentence naming the file and the problem."""


class NotALog(LogError):
    """A file that is no log of a known kind (a model's config.json, an event file just opened):
    passed over while another file of the source gives a series."""


class LimitExceeded(LogError):
    """A source past one of the limits: nothing more of it is read."""


def bad_step(steps: np.ndarray) -> int | None:
    """The index of the first step that is no whole number in [0, MAX_STEP], None when all are
    (the one check of every reader: event steps are integers, table steps floats).

    >>> bad_step(np.array([0.0, 12.0])), bad_step(np.array([3, -1])), bad_step(np.array([1.0, 2.5]))
    (None, 1, 1)
    """
    bad = (steps < 0) | (steps > MAX_STEP)
    if steps.dtype.kind == "f":
        bad |= steps != np.floor(steps)
    return int(np.argmax(bad)) if bad.any() else None


def step_error(value, where: str) -> LogError:
    """The sentence for a step out of range: an integer with its digits grouped, else as read.

    >>> str(step_error(np.float64(1e30), "metrics.csv: a row"))
    'metrics.csv: a row has step 1e+30, not a whole number from 0 to 10^15'
    """
    shown = f"{int(value):,}" if isinstance(value, (int, np.integer)) else f"{float(value):g}"
    return LogError(f"{where} has step {shown}, not a whole number from 0 to 10^15")


def check_points(points: int, where: str) -> None:
    if points > MAX_POINTS:
        raise LimitExceeded(f"{where}: more than the {MAX_POINTS:,} learning-rate points read at once")


def check_series(count: int, where: str) -> None:
    if count > MAX_SERIES:
        raise LimitExceeded(f"{where}: holds more than the {MAX_SERIES:,} learning-rate series read at once")
