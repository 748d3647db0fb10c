"""Learning-rate series read back from real training logs, with NumPy and the standard library only.

Formats, recognised by name and content:

- TensorBoard event files from any writer (Keras's ``TensorBoard`` callback, ``tf.summary``,
  PyTorch's ``SummaryWriter``, the Hugging Face and Lightning loggers): scalars stored as
  ``simple_value`` or as one-element float tensors (``tensor_content``, ``float_val``,
  ``double_val``, ``half_val``);
- Hugging Face ``trainer_state.json`` (``log_history`` entries with ``step`` and ``learning_rate``);
- CSV: Lightning's ``metrics.csv`` (``lr-AdamW``, ``lr-SGD/pg1``… beside ``step``, rows with empty
  cells), a W&B export (``Step``, ``<run> - train/learning_rate`` and its ``__MIN``/``__MAX``
  companions, which are ignored), or a plain table of step and lr.

Sources: a file, a folder (several files and runs in subfolders), a ``.zip`` of a folder, or
uploaded ``(name, bytes)`` pairs. Every series whose name reads as a learning rate is returned
(param groups, several runs): choosing one is the caller's decision, see :func:`choose`.

Event files are parsed by a small hand-written protobuf wire-format reader rather than
TensorBoard's generated classes: verification must run in a user's CI with NumPy alone.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

MAX_FILE_BYTES = 512 * 2**20  # one log file; a 10⁶-step event file is about 50 MB
MAX_TOTAL_BYTES = 2 * 2**30  # all files of one source together
MAX_FILES = 2000  # log files (event, CSV, JSON) in one source; other files are not counted
EVENT_MARK = "tfevents"
# Field numbers from TensorBoard's own event.proto, summary.proto and tensor.proto.
EVENT_WALL_TIME, EVENT_STEP, EVENT_FILE_VERSION, EVENT_SUMMARY = 1, 2, 3, 5
SUMMARY_VALUE = 1
VALUE_TAG, VALUE_SIMPLE, VALUE_TENSOR = 1, 2, 8
TENSOR_DTYPE, TENSOR_SHAPE, TENSOR_CONTENT = 1, 2, 4
TENSOR_FLOAT_VAL, TENSOR_DOUBLE_VAL, TENSOR_HALF_VAL = 5, 6, 13
SHAPE_DIM, DIM_SIZE = 2, 1
DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF = 1, 2, 14, 19  # types.proto's DataType
STEP_COLUMNS = ("step", "global_step", "trainer/global_step", "_step", "train/global_step")


class LogError(ValueError):
    """A log that cannot give a learning-rate series: one sentence naming the file and the problem."""


@dataclass(frozen=True)
class Series:
    """One logged learning-rate series, sorted by step, one value per step (the last one written).

    Attributes:
      name: the tag or column, prefixed by its run or file when a source holds several.
      steps: int64 steps as logged; ``unit`` says whether they count optimizer steps or epochs
        (Keras's ``epoch_*`` scalars count epochs).
      lr: float64 learning rates.
    """

    name: str
    steps: np.ndarray
    lr: np.ndarray
    unit: str = "step"

    def __len__(self) -> int:
        return int(self.steps.size)


# Names ----------------------------------------------------------------------------------------
_LR_WORD = re.compile(r"(?:^|[/_\-. :])(?:lr|learning[_\- ]?rate)(?:$|[/_\-. :])", re.IGNORECASE)
_NOT_LR = re.compile(r"(?:_min|_max|momentum|weight[_\- ]?decay|beta\d?|step|epoch)$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # a log repeats its few names a million times
def is_lr_name(name: str) -> bool:
    """True for a tag or column that reads as a learning rate.

    >>> [is_lr_name(n) for n in ("learning_rate", "train/lr", "lr-SGD/pg1", "epoch_learning_rate")]
    [True, True, True, True]
    >>> [is_lr_name(n) for n in ("loss", "run - train/learning_rate__MAX", "lr-SGD-momentum", "flr")]
    [False, False, False, False]
    """
    return bool(_LR_WORD.search(name)) and not _NOT_LR.search(name)


def choose(series: Sequence[Series], tag: str | None = None) -> Series:
    """The one series to check: the only one, or the one named ``tag`` (or ending in ``/tag``).

    Raises:
      LogError: when several match and no tag (or an ambiguous one) is given, listing the names.
    """
    if tag is not None:
        found = [s for s in series if s.name == tag] or [s for s in series if s.name.endswith("/" + tag)]
        if not found:
            raise LogError(f"no learning-rate series is named {tag!r}; the log has: {_names(series)}")
        series = found
    if len(series) != 1:
        raise LogError(f"the log holds {len(series)} learning-rate series, choose one: {_names(series)}")
    return series[0]


def _names(series: Sequence[Series]) -> str:
    return ", ".join(repr(s.name) for s in series)


# Sources -------------------------------------------------------------------------------------
def read_path(path: str | Path) -> list[Series]:
    """Every learning-rate series in a log file, a folder of logs (runs in subfolders) or a .zip."""
    try:
        return _read_path(Path(path))
    except OSError as error:  # unreadable: permissions, a file vanishing mid-read
        raise LogError(f"{Path(path).name or path}: cannot be read ({error.strerror or error})") from None


def _read_path(path: Path) -> list[Series]:
    if path.is_dir():
        files = [p for p in sorted(path.rglob("*")) if p.is_file() and _is_log_name(p.name)]
        _check_count(len(files), path.name or str(path))
        sizes = [p.stat().st_size for p in files]
        _check_sizes(zip([p.name for p in files], sizes, strict=True))
        return read_files([(p.relative_to(path).as_posix(), p.read_bytes()) for p in files], source=path.name)
    if not path.is_file():
        raise LogError(f"{path.name or path}: no such file or folder")
    _check_sizes([(path.name, path.stat().st_size)])
    return read_files([(path.name, path.read_bytes())], source=path.name)


def read_files(files: Iterable[tuple[str, bytes]], source: str = "the upload") -> list[Series]:
    """Every learning-rate series in uploaded ``(name, bytes)`` pairs; a ``.zip`` is opened as a folder.

    Names may hold folders (``run1/events.out…``): each folder of event files is one run. Files
    that are not logs beside ones that are are passed over; a source with no lr series at all raises
    :class:`LogError` naming its files and what each lacks.
    """
    files = _unzipped(list(files))
    _check_count(len(files), source)
    _check_sizes((name, len(data)) for name, data in files)
    found: list[tuple[str, str, Series]] = []  # (context, tag, series)
    events: dict[str, list[tuple[str, bytes]]] = {}
    problems: list[LogError] = []
    # Among several files, one that is not a log (a model's config.json, an empty event file just
    # opened) is passed over; it is named only when no file gives a series.
    for name, data in sorted(files):
        try:
            kind = _kind_of(name, data)
            if kind == "events":
                events.setdefault(str(PurePosixPath(name).parent).strip("."), []).append((name, data))
            elif kind == "json":
                found += [(name, s.name, s) for s in _read_trainer_state(name, data)]
            elif kind == "csv":
                found += [(name, s.name, s) for s in _read_csv(name, data)]
        except LogError as error:
            problems.append(error)
    for run, run_files in events.items():
        try:
            found += [(run, s.name, s) for s in _read_event_run(run_files)]
        except LogError as error:
            problems.append(error)
    if not found:
        if len(problems) == 1:
            raise problems[0]
        listed = ", ".join(name for name, _ in files[:5]) + (" …" if len(files) > 5 else "")
        raise LogError(f"{listed or source}: no learning-rate series (a tag or column such as learning_rate or lr)")
    several = len({context for context, _, _ in found}) > 1
    return [
        Series(f"{context}/{tag}" if several and context else tag, s.steps, s.lr, s.unit) for context, tag, s in found
    ]


def _unzipped(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    out = []
    for name, data in files:
        if not name.lower().endswith(".zip"):
            out.append((name, data))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [m for m in archive.infolist() if not m.is_dir() and _is_log_name(PurePosixPath(m.filename).name)]
            _check_count(len(members), name)
            _check_sizes((m.filename, m.file_size) for m in members)  # before inflating: no zip bombs
            out += [(m.filename, archive.read(m)) for m in members]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
            raise LogError(f"{name}: not a readable .zip archive") from None
    return out


def _is_log_name(name: str) -> bool:
    lowered = name.lower()
    return EVENT_MARK in lowered or lowered.endswith((".csv", ".json", ".zip"))


def _check_count(count: int, source: str) -> None:
    if count > MAX_FILES:
        raise LogError(f"{source}: holds {count:,} log files, more than the {MAX_FILES:,} read at once")


def _check_sizes(sizes: Iterable[tuple[str, int]]) -> None:
    total = 0
    for name, size in sizes:
        if size > MAX_FILE_BYTES:
            raise LogError(f"{name}: {size:,} bytes is more than the {MAX_FILE_BYTES:,} read from one file")
        total += size
        if total > MAX_TOTAL_BYTES:
            raise LogError(f"{name}: the files add up to more than the {MAX_TOTAL_BYTES:,} bytes read at once")


def _kind_of(name: str, data: bytes) -> str:
    """ "events", "json" or "csv"; LogError for anything else."""
    base = PurePosixPath(name).name
    if not data:
        raise LogError(f"{base}: the file is empty")
    if EVENT_MARK in base.lower() or _looks_like_events(data):
        return "events"
    lowered = base.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    raise LogError(f"{base}: not a log of any known kind (TensorBoard events, trainer_state.json or CSV)")


def _looks_like_events(data: bytes) -> bool:
    """True when the first record is an Event naming its file version ("brain.Event:2")."""
    if len(data) < 16:
        return False
    (length,) = struct.unpack_from("<Q", data)
    if length > 4096 or len(data) < 12 + length:
        return False
    try:
        for number, wire, start, end, _ in _fields(data, 12, 12 + length):
            if number == EVENT_FILE_VERSION and wire == 2:
                return data[start:end].startswith(b"brain.Event")
    except MALFORMED:
        return False
    return False


# Protocol buffers ----------------------------------------------------------------------------
class _Malformed(Exception):
    pass


# What a damaged or hostile record can raise while it is decoded: each means "skip this record".
MALFORMED = (_Malformed, struct.error, OverflowError, ValueError, IndexError)


def _varint(buf, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        try:
            byte = buf[pos]
        except IndexError:
            raise _Malformed from None
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise _Malformed


def _fields(buf, start: int, end: int):
    """(field number, wire type, value start, value end, varint value) for each field in buf[start:end]."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, after = _varint(buf, pos)
            yield number, wire, pos, after, value
            pos = after
        elif wire == 1 or wire == 5:
            size = 8 if wire == 1 else 4
            yield number, wire, pos, pos + size, None
            pos += size
        elif wire == 2:
            length, pos = _varint(buf, pos)
            yield number, wire, pos, pos + length, None
            pos += length
        else:
            raise _Malformed
    if pos != end:
        raise _Malformed


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass
class _Value:
    tag: str
    start: int  # where the number's bytes are, in the payload
    dtype: str  # "<f4", "<f8", or "half"/"bfloat16" (read one by one)
    number: float


def _decode_event(buf, start: int, end: int):
    """(step, values, variable spans) of one Event; spans are (start, end, role) payload offsets."""
    step, values, spans = 0, [], []
    for number, wire, a, b, value in _fields(buf, start, end):
        if number == EVENT_WALL_TIME and wire == 1:
            spans.append((a, b, "time"))
        elif number == EVENT_STEP and wire == 0:
            step = _signed(value)
            spans.append((a, b, "step"))
        elif number == EVENT_SUMMARY and wire == 2:
            for n2, w2, a2, b2, _ in _fields(buf, a, b):
                if n2 == SUMMARY_VALUE and w2 == 2 and (found := _decode_value(buf, a2, b2)) is not None:
                    values.append(found)
                    size = 4 if found.dtype == "<f4" else 8
                    spans.append((found.start, found.start + size, "value"))
    return step, values, spans


def _decode_value(buf, start: int, end: int) -> _Value | None:
    tag, found = None, None
    for number, wire, a, b, _ in _fields(buf, start, end):
        if number == VALUE_TAG and wire == 2:
            tag = bytes(buf[a:b]).decode("utf-8", "replace")
        elif number == VALUE_SIMPLE and wire == 5:
            found = (a, "<f4", struct.unpack_from("<f", buf, a)[0])
        elif number == VALUE_TENSOR and wire == 2:
            found = _decode_scalar_tensor(buf, a, b)
    if tag is None or found is None:
        return None
    return _Value(tag, *found)


def _decode_scalar_tensor(buf, start: int, end: int):
    """(offset, dtype, value) of a one-element float tensor; None for anything else."""
    dtype, elements, found = 0, 1, None
    for number, wire, a, b, value in _fields(buf, start, end):
        if number == TENSOR_DTYPE and wire == 0:
            dtype = value
        elif number == TENSOR_SHAPE and wire == 2:
            for n2, w2, a2, b2, _ in _fields(buf, a, b):
                if n2 == SHAPE_DIM and w2 == 2:
                    for n3, w3, _, _, size in _fields(buf, a2, b2):
                        if n3 == DIM_SIZE and w3 == 0:
                            elements *= _signed(size)
        elif number == TENSOR_CONTENT and wire == 2:
            found = (a, b - a, "content")
        elif number == TENSOR_FLOAT_VAL and wire in (2, 5):
            found = (a, b - a, "<f4")
        elif number == TENSOR_DOUBLE_VAL and wire in (1, 2):
            found = (a, b - a, "<f8")
        elif number == TENSOR_HALF_VAL and wire in (0, 2):
            found = (a, b - a, "half")
    if found is None or elements != 1:
        return None
    offset, size, how = found
    if dtype == DT_FLOAT and size == 4 and how in ("content", "<f4"):
        return offset, "<f4", struct.unpack_from("<f", buf, offset)[0]
    if dtype == DT_DOUBLE and size == 8 and how in ("content", "<f8"):
        return offset, "<f8", struct.unpack_from("<d", buf, offset)[0]
    if dtype in (DT_HALF, DT_BFLOAT16):
        if how == "content" and size < 2:
            return None
        # 16 bits, however a writer packed them (a varint may carry more: a malformed record)
        bits = (struct.unpack_from("<H", buf, offset)[0] if how == "content" else _varint(buf, offset)[0]) & 0xFFFF
        if dtype == DT_HALF:
            return offset, "half", float(np.array(bits, dtype=np.uint16).view(np.float16))
        return offset, "bfloat16", float(np.array(bits << 16, dtype=np.uint32).view(np.float32))
    return None


# Event files ---------------------------------------------------------------------------------
def _records(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(payload starts, payload lengths) of a TFRecord file's complete records.

    Records of one length follow each other in long runs (the step's varint grows at 128,
    16,384…), so each run is checked in one vectorized pass rather than record by record. A
    record cut short (a killed writer) ends the file.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    size = len(data)
    starts, lengths = [], []
    pos, window = 0, 16
    while pos + 12 <= size:
        (length,) = struct.unpack_from("<Q", data, pos)
        if pos + 16 + length > size:
            break
        record = 16 + length
        count = min(window, (size - pos) // record)
        offsets = pos + record * np.arange(count, dtype=np.int64)
        heads = view[offsets[:, None] + np.arange(8)].copy().view("<u8").ravel()
        same = int(np.argmin(heads == length)) if not (heads == length).all() else count
        starts.append(offsets[:same] + 12)
        lengths.append(np.full(same, length, dtype=np.int64))
        pos += record * same
        window = min(window * 4, 1 << 16) if same == count else 16
    if not starts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(starts), np.concatenate(lengths)


def _read_event_run(files: list[tuple[str, bytes]]) -> list[Series]:
    """The lr series of one run's event files, files in name order, the last write of a step winning."""
    series = []
    for tag, (steps, values) in _scalars_by_tag(files, is_lr_name).items():
        if steps.size:
            unit = "epoch" if tag.rsplit("/", 1)[-1].startswith("epoch_") else "step"
            series.append(Series(tag, steps, values, unit))
    return series


def event_scalars(files: list[tuple[str, bytes]], tag: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of the scalar ``tag`` in one run's event files (any writer), sorted by step,
    the last write of a step winning; empty when no file holds it. A file cut short yields what was
    written before the cut."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.float64))
    if not files:
        return empty
    try:
        return _scalars_by_tag(files, lambda name: name == tag).get(tag, empty)
    except LogError:  # every file truncated before its first record, or none an event file
        return empty


def _scalars_by_tag(files: list[tuple[str, bytes]], wanted) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar whose tag ``wanted`` accepts, as (steps, values) per tag; LogError when no file
    is a readable event file."""
    per_tag: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}  # tag → (order, steps, values)
    order_base, problems = 0, []
    for name, data in files:
        starts, lengths = _records(data)
        base = PurePosixPath(name).name
        if starts.size == 0:
            problems.append(LogError(f"{base}: the event file is truncated before its first complete record"))
            continue
        if not _looks_like_events(data):
            problems.append(LogError(f"{base}: not a TensorBoard event file (its first record is not a file version)"))
            continue
        for tag, order, steps, values in _decode_records(data, starts, lengths):
            if wanted(tag):
                per_tag.setdefault(tag, []).append((order + order_base, steps, values))
        order_base += starts.size
    if len(problems) == len(files):
        raise problems[0]
    scalars = {}
    for tag, parts in per_tag.items():
        order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
        steps = np.concatenate([p[1] for p in parts])[order]
        values = np.concatenate([p[2] for p in parts])[order]
        scalars[tag] = last_per_step(steps, values)
    return scalars


def last_per_step(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted by step, one finite value per step: the last one written.

    >>> s, v = last_per_step(np.array([0, 1, 1, 2]), np.array([1.0, 2.0, 3.0, np.nan]))
    >>> s.tolist(), v.tolist()
    ([0, 1], [1.0, 3.0])
    """
    keep = np.isfinite(values)
    steps, values = np.asarray(steps, np.int64)[keep], np.asarray(values, np.float64)[keep]
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    last = np.ones(steps.size, dtype=bool)
    last[:-1] = steps[1:] != steps[:-1]
    return steps[last], values[last]


def _decode_records(data: bytes, starts: np.ndarray, lengths: np.ndarray):
    """(tag, record order, steps, values) pieces for every scalar in the records.

    Records of one length are stacked into a byte matrix; where they share the first one's
    layout — every byte equal except the wall time, the step and the numbers — all of them are
    decoded at once. Anything else is decoded one record at a time.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    single: list[int] = []
    for length in np.unique(lengths):
        (group,) = np.nonzero(lengths == length)
        for chunk_start in range(0, group.size, 16384):
            rows_index = group[chunk_start : chunk_start + 16384]
            rows = view[starts[rows_index][:, None] + np.arange(length)]
            left = np.arange(rows_index.size)
            for _ in range(4):  # a few layouts per length; the rest one by one
                if left.size == 0:
                    break
                matched, pieces = _decode_layout(data, int(starts[rows_index[left[0]]]), int(length), rows[left])
                yield from ((tag, rows_index[left[matched]], s, v) for tag, s, v in pieces)
                if not matched.any():
                    single.append(int(rows_index[left[0]]))
                    matched[0] = True
                left = left[~matched]
            single.extend(int(i) for i in rows_index[left])
    for index in single:
        start = int(starts[index])
        try:
            step, values, _ = _decode_event(data, start, start + int(lengths[index]))
        except MALFORMED:
            continue
        for value in values:
            yield value.tag, np.array([index]), np.array([step], np.int64), np.array([value.number])


def _decode_layout(data: bytes, start: int, length: int, rows: np.ndarray):
    """Rows sharing the layout of the record at ``start``: (matched mask, [(tag, steps, values)])."""
    try:
        _, values, spans = _decode_event(data, start, start + length)
    except MALFORMED:
        return np.zeros(rows.shape[0], bool), []
    if any(value.dtype not in ("<f4", "<f8") for value in values):
        return np.zeros(rows.shape[0], bool), []
    fixed = np.ones(length, dtype=bool)
    for a, b, _ in spans:
        fixed[a - start : b - start] = False
    matched = (rows[:, fixed] == rows[0, fixed]).all(axis=1)
    steps = np.zeros(rows.shape[0], dtype=np.int64)
    for a, b, role in spans:
        if role != "step":
            continue
        digits = rows[:, a - start : b - start].astype(np.int64)
        # A well-formed varint of this width: continuation bits on all but its last byte.
        matched &= (digits[:, :-1] >= 0x80).all(axis=1) & (digits[:, -1] < 0x80)
        if b - a > 9:  # negative steps need all ten bytes; leave them to the one-by-one path
            matched[:] = False
        steps = (((digits & 0x7F) << (7 * np.arange(b - a))).sum(axis=1)).astype(np.int64)
    pieces = []
    for value in values:
        offset, size = value.start - start, 4 if value.dtype == "<f4" else 8
        numbers = np.ascontiguousarray(rows[matched, offset : offset + size]).view(value.dtype).ravel()
        pieces.append((value.tag, steps[matched], numbers.astype(np.float64)))
    return matched, pieces


# JSON and CSV --------------------------------------------------------------------------------
def _read_trainer_state(name: str, data: bytes) -> list[Series]:
    base = PurePosixPath(name).name
    try:
        state = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise LogError(f"{base}: not valid JSON") from None
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise LogError(f"{base}: not a Hugging Face trainer_state.json (no log_history list)")
    # Column by column rather than entry by entry, each a NumPy array: a million entries cost a
    # few passes of plain list comprehensions (NaN marks an entry without a number there).
    entries = [entry for entry in history if isinstance(entry, dict)]
    keys = dict.fromkeys(itertools.chain.from_iterable(entries))  # every key, in first-seen order
    step_column = _number_column([entry.get("step") for entry in entries])
    series = []
    for key in keys:
        if isinstance(key, str) and is_lr_name(key):
            values = _number_column([entry.get(key) for entry in entries])
            present = np.isfinite(step_column) & np.isfinite(values)
            if present.any():
                steps, lr = last_per_step(step_column[present].astype(np.int64), values[present])
                series.append(Series(key, steps, lr))
    return series


def _number_column(values: list) -> np.ndarray:
    """The JSON numbers of a column as float64, NaN where an entry holds none (booleans are not numbers)."""
    return np.array([v if type(v) is float or type(v) is int else np.nan for v in values], dtype=np.float64)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_csv(name: str, data: bytes) -> list[Series]:
    """The lr columns of a CSV table, each against its step column (or the row number)."""
    import csv  # noqa: PLC0415 - the header only; the body is parsed column-wise by NumPy

    base = PurePosixPath(name).name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogError(f"{base}: not UTF-8 text") from None
    first_line, _, body = text.partition("\n")
    header = next(csv.reader([first_line.strip("\r")]), [])
    if not header:
        raise LogError(f"{base}: the CSV file has no header")
    lowered = [column.strip().lower() for column in header]
    if _is_numeric_row(header) and len(header) == 2:  # a bare "step,lr" table without header
        header, lowered, body = ["step", "lr"], ["step", "lr"], text
    lr_columns = [i for i, column in enumerate(header) if is_lr_name(column.strip())]
    if not lr_columns:
        raise LogError(f"{base}: no learning-rate column (such as learning_rate, lr or lr-AdamW) in the CSV header")
    step_column = next((i for i, column in enumerate(lowered) if column in STEP_COLUMNS), None)
    table = _numeric_columns(base, body, len(header), [*lr_columns, *([] if step_column is None else [step_column])])
    rows = table.shape[0]
    steps = table[:, -1] if step_column is not None else np.arange(rows, dtype=np.float64)
    series = []
    for position, column in enumerate(lr_columns):
        values = table[:, position]
        keep = np.isfinite(values) & np.isfinite(steps)
        if keep.any():
            series.append(Series(header[column].strip(), *last_per_step(steps[keep].astype(np.int64), values[keep])))
    if not series:
        raise LogError(f"{base}: the learning-rate column has no numbers")
    return series


def _is_numeric_row(cells: Sequence[str]) -> bool:
    try:
        [float(cell) for cell in cells]
    except ValueError:
        return False
    return True


def _numeric_columns(base: str, body: str, width: int, columns: list[int]) -> np.ndarray:
    """The chosen columns of the CSV body as float64 (empty cells NaN), parsed by NumPy's loadtxt.

    Empty cells (Lightning writes a row per metric, the others left empty) become "nan" in one
    pass over the text first, so every cell parses as a float in loadtxt's C loop.
    """
    body = body.strip("\r\n")
    if not body:
        raise LogError(f"{base}: the CSV file has a header but no rows")
    if '""' in body:
        body = body.replace('""', "nan")  # an empty quoted cell (W&B exports quote every cell)
    if ",," in body or ",\n" in body or ",\r" in body or body.startswith(",") or "\n," in body or body.endswith(","):
        body = _EMPTY_CELL.sub("nan", body)
    try:
        return np.loadtxt(
            io.StringIO(body), delimiter=",", quotechar='"', usecols=columns, dtype=np.float64, ndmin=2, comments=None
        )
    except ValueError as error:
        if "columns" in str(error) or "usecols" in str(error):
            raise LogError(f"{base}: rows do not all have the header's {width} columns") from None
        raise LogError(f"{base}: a step or learning-rate cell is not a number") from None


_EMPTY_CELL = re.compile(r"(?<=,)(?=,|\r?$)|^(?=,)", re.MULTILINE)
