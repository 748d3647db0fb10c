"""Logs written as text tables: CSV (Lightning, W&B, timm, plain) and Hugging Face's
``trainer_state.json``. Both are read in pieces, keeping only the learning-rate points, so memory
follows the points kept rather than the file's size, and every cost is linear in the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import numpy as np

from schedules.logs.limits import (
    MAX_CSV_HEADER_BYTES,
    MAX_JSON_ENTRY_BYTES,
    MAX_STEP,
    LogError,
    NotALog,
    bad_step,
    check_points,
    check_series,
    step_error,
)
from schedules.logs.series import Series, is_lr_name, last_per_step

STEP_COLUMNS = ("step", "global_step", "trainer/global_step", "_step", "train/global_step")
CHUNK_BYTES = 4 * 2**20  # text parsed at once
BOM = b"\xef\xbb\xbf"


class _Points:
    """(step, lr) points per series name, kept as the arrays each piece of the file gave."""

    def __init__(self, where: str):
        self.where, self.count = where, 0
        self.by_name: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}

    def add(self, name: str, steps: np.ndarray, values: np.ndarray) -> None:
        if name not in self.by_name:
            check_series(len(self.by_name) + 1, self.where)
            self.by_name[name] = ([], [])
        kept_steps, kept_values = self.by_name[name]
        kept_steps.append(np.asarray(steps, np.int64))
        kept_values.append(np.asarray(values, np.float64))
        self.count += len(steps)
        check_points(self.count, self.where)

    def series(self, info=None, unit: str = "step", writer=None, notes: tuple[str, ...] = ()) -> list[Series]:
        out = []
        for name, (step_pieces, value_pieces) in self.by_name.items():
            steps, values = np.concatenate(step_pieces), np.concatenate(value_pieces)
            step_pieces.clear()  # the pieces go as soon as they are joined: 16 bytes a point, not 32
            value_pieces.clear()
            s, v = last_per_step(steps, values)
            dropped = int(values.size - np.isfinite(values).sum())
            said = notes + (
                (f"{self.where}: {dropped:,} non-finite value(s) of {name} are left out",) if dropped else ()
            )
            if s.size:
                out.append(Series(name, s, v, unit, said, dict(info or {}), writer(name) if writer else None))
        return out


# CSV ------------------------------------------------------------------------------------------
def read_csv(name: str, data: bytes) -> list[Series]:
    """The lr columns of a CSV table, each against its step column, else its epoch column (a
    per-epoch log: Keras's CSVLogger, timm, Ultralytics), else the row number."""
    base = PurePosixPath(name).name
    start = len(BOM) if data.startswith(BOM) else 0
    header, body_start = _header(base, data, start)
    if _is_numeric_row(header) and len(header) == 2:  # a bare "step,lr" table without header
        header, body_start = ["step", "lr"], start
    lr_columns = [i for i, column in enumerate(header) if is_lr_name(column.strip())]
    if not lr_columns:
        raise NotALog(f"{base}: no learning-rate column (such as learning_rate, lr or lr-AdamW) in the CSV header")
    check_series(len(lr_columns), base)
    lowered = [column.strip().lower() for column in header]
    step_column = next((i for i, column in enumerate(lowered) if column in STEP_COLUMNS), None)
    unit = "step"
    if step_column is None and "epoch" in lowered:
        step_column, unit = lowered.index("epoch"), "epoch"
    columns = [*lr_columns, *([] if step_column is None else [step_column])]
    points, rows, repeats = _Points(base), 0, 0
    header_line = data[start:body_start].decode("utf-8").rstrip("\r\n") if body_start > start else None
    for text in _chunks(base, data, body_start):
        if header_line and header_line in text:  # a run appended to the file wrote its header again (timm)
            lines = text.split("\n")
            kept = [line for line in lines if line != header_line]
            repeats += len(lines) - len(kept)
            text = "\n".join(kept)
            if not text.strip():
                continue
        table = _numeric_columns(base, text, len(header), columns)
        steps = table[:, -1] if step_column is not None else np.arange(rows, rows + table.shape[0], dtype=np.float64)
        for position, column in enumerate(lr_columns):
            values = table[:, position]
            keep = np.isfinite(values) & np.isfinite(steps)
            if keep.any():
                if (bad := bad_step(steps[keep])) is not None:
                    raise step_error(steps[keep][bad], f"{base}: a row")
                points.add(header[column].strip(), steps[keep].astype(np.int64), values[keep])
        rows += table.shape[0]
    if rows == 0:
        raise LogError(f"{base}: the CSV file has a header but no rows")
    notes = ()
    if repeats:
        notes = (
            f"{base}: its header appears {repeats + 1} times (runs appended to one file?); where two rows give one "
            f"{unit}, the later one is kept",
        )
    series = points.series(unit=unit, writer=_csv_writer, notes=notes)
    if not series:
        raise LogError(f"{base}: the learning-rate column has no numbers")
    return series


def _csv_writer(column: str) -> str | None:
    """Lightning's LearningRateMonitor names its columns lr-<optimizer>[/pg<n>]."""
    return "lightning" if column.startswith("lr-") else None


def _header(base: str, data: bytes, start: int) -> tuple[list[str], int]:
    """The header's cells and where the body begins; bare-CR line ends are lines too."""
    ends = [
        i
        for i in (
            data.find(b"\n", start, start + MAX_CSV_HEADER_BYTES),
            data.find(b"\r", start, start + MAX_CSV_HEADER_BYTES),
        )
        if i >= 0
    ]
    end = min(ends) if ends else len(data)
    if end - start > MAX_CSV_HEADER_BYTES:
        raise LogError(f"{base}: the CSV header is longer than {MAX_CSV_HEADER_BYTES:,} bytes")
    try:
        line = data[start:end].decode("utf-8")
        header = next(csv.reader([line]), [])
    except UnicodeDecodeError:
        raise LogError(f"{base}: not UTF-8 text") from None
    except csv.Error as error:  # a cell over csv's field limit, a stray quote
        raise LogError(f"{base}: the CSV header cannot be read ({error})") from None
    if not header:
        raise LogError(f"{base}: the CSV file has no header")
    body = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    return header, body


def _chunks(base: str, data: bytes, start: int) -> Iterator[str]:
    """The body as text pieces of about CHUNK_BYTES, each ending at a line end, line ends
    made "\\n" (bare-CR files included)."""
    pos = start
    while pos < len(data):
        end = min(pos + CHUNK_BYTES, len(data))
        if end < len(data):
            cut = max(data.rfind(b"\n", pos, end), data.rfind(b"\r", pos, end))
            end = cut + 1 if cut >= pos else _next_line_end(data, end)
        try:
            text = data[pos:end].decode("utf-8")
        except UnicodeDecodeError:
            raise LogError(f"{base}: not UTF-8 text") from None
        pos = end
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.strip():
            yield text


def _next_line_end(data: bytes, pos: int) -> int:
    ends = [i for i in (data.find(b"\n", pos), data.find(b"\r", pos)) if i >= 0]
    return min(ends) + 1 if ends else len(data)


def _is_numeric_row(cells: list[str]) -> bool:
    try:
        [float(cell) for cell in cells]
    except ValueError:
        return False
    return True


_EMPTY_CELL = re.compile(r"(?<=,)(?=,|$)|^(?=,)", re.MULTILINE)


def _numeric_columns(base: str, body: str, width: int, columns: list[int]) -> np.ndarray:
    """The chosen columns of CSV text as float64 (empty cells NaN), parsed by NumPy's loadtxt.

    Empty cells (Lightning writes a row per metric, the others left empty) become "nan" in one
    pass over the text first, so every cell parses as a float in loadtxt's C loop.
    """
    if '""' in body:
        body = body.replace('""', "nan")  # an empty quoted cell (W&B exports quote every cell)
    if ",," in body or ",\n" in body or body.startswith(",") or "\n," in body or body.endswith(","):
        body = _EMPTY_CELL.sub("nan", body)
    try:
        return np.loadtxt(
            io.StringIO(body), delimiter=",", quotechar='"', usecols=columns, dtype=np.float64, ndmin=2, comments=None
        )
    except ValueError as error:
        if "columns" in str(error) or "usecols" in str(error):
            raise LogError(f"{base}: rows do not all have the header's {width} columns") from None
        raise LogError(f"{base}: a step or learning-rate cell is not a number") from None


# trainer_state.json ---------------------------------------------------------------------------
_WS = re.compile(rb"[ \t\n\r]*")
# Possessive and atomic throughout: nothing is ever re-tried, so the engine keeps no backtracking
# state per character (a 600 kB run would otherwise cost tens of MB) and no input can make it slow.
_STRING_PATTERN = rb'"(?>[^"\\]++|\\.)*+"'
_STRING = re.compile(_STRING_PATTERN, re.DOTALL)
_SCALAR = re.compile(rb"-?[0-9][0-9.eE+\-]*+|true|false|null|NaN|-?Infinity|" + _STRING_PATTERN, re.DOTALL)
_TOKEN = re.compile(_STRING_PATTERN + rb"|[\[\]{}]", re.DOTALL)
# A run of flat entries (no nested object or array), each followed by a comma or the list's end:
# matched in the regex engine's C loop, then parsed by json in one call.
_FLAT = rb'\{(?>[^{}\[\]"]++|' + _STRING_PATTERN + rb")*+\}"
_AFTER = rb"[ \t\n\r]*+(?:,[ \t\n\r]*+|(?=\]))"
_FLAT_RUN = re.compile(rb"(?:" + _FLAT + _AFTER + rb"){1,4096}+", re.DOTALL)
_ONE_FLAT = re.compile(_FLAT + _AFTER, re.DOTALL)
INFO_KEYS = ("max_steps", "num_train_epochs", "logging_steps", "train_batch_size", "global_step", "eval_steps")


def read_trainer_state(name: str, data: bytes) -> list[Series]:
    """The lr keys of a ``trainer_state.json``'s ``log_history``, each against the entry's ``step``.

    The file is walked rather than loaded whole: the history's entries are parsed in runs, and
    any other value is skipped without being built, so a large file costs its points, not its size.
    """
    base = PurePosixPath(name).name
    reader = _StateReader(base, data)
    return reader.read()


class _StateReader:
    def __init__(self, base: str, data: bytes):
        self.base, self.data = base, data
        self.pos = len(BOM) if data.startswith(BOM) else 0
        self.points, self.info, self.entries, self.found_history = _Points(base), {}, 0, False

    def read(self) -> list[Series]:
        self._ws()
        if self._peek() != b"{":
            raise NotALog(f"{self.base}: not a Hugging Face trainer_state.json (not a JSON object)")
        self.pos += 1
        first = True
        while True:
            self._ws()
            if self._peek() == b"}":
                self.pos += 1
                break
            if not first:
                self._expect(b",")
                self._ws()
            first = False
            key = self._key()
            self._ws()
            self._expect(b":")
            self._ws()
            if key == "log_history" and self._peek() == b"[":
                self.found_history = True
                self._history()
            else:
                self._value(key)
        self._ws()
        if self.pos != len(self.data):
            self._invalid()
        if not self.found_history:
            raise NotALog(f"{self.base}: not a Hugging Face trainer_state.json (no log_history list)")
        return self.points.series(self.info, writer=lambda name: "transformers.Trainer")

    # Walking ----------------------------------------------------------------------------------
    def _peek(self) -> bytes:
        return self.data[self.pos : self.pos + 1]

    def _ws(self) -> None:
        self.pos = _WS.match(self.data, self.pos).end()

    def _expect(self, token: bytes) -> None:
        self._ws()
        if self._peek() != token:
            self._invalid()
        self.pos += 1

    def _invalid(self):
        raise LogError(f"{self.base}: not valid JSON (at byte {self.pos:,})")

    def _key(self) -> str | None:
        match = _STRING.match(self.data, self.pos)
        if match is None:
            self._invalid()
        self.pos = match.end()
        if match.end() - match.start() > 256:  # no key worth reading is this long
            return None
        return self._loads(match.group())

    def _value(self, key: str | None) -> None:
        """Skip one value; a number under a key of INFO_KEYS is kept as the run's info."""
        if self._peek() in (b"{", b"["):
            self._skip_container()
            return
        match = _SCALAR.match(self.data, self.pos)
        if match is None:
            self._invalid()
        self.pos = match.end()
        if key in INFO_KEYS and len(match.group()) <= 32:
            value = self._loads(match.group())
            if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= MAX_STEP:
                self.info[key] = value

    def _skip_container(self) -> int:
        """Move past the object or array at ``pos`` (strings skipped whole); its start."""
        start, depth = self.pos, 0
        for token in _TOKEN.finditer(self.data, self.pos):
            mark = token.group()
            if mark in (b"{", b"["):
                depth += 1
            elif mark in (b"}", b"]"):
                depth -= 1
                if depth == 0:
                    self.pos = token.end()
                    return start
        self.pos = len(self.data)
        self._invalid()

    def _history(self) -> None:
        self.pos += 1  # the list's "["
        while True:
            self._ws()
            if self._peek() == b"]":
                self.pos += 1
                return
            run = _FLAT_RUN.match(self.data, self.pos)
            if run is not None and run.end() - run.start() > 8 * MAX_JSON_ENTRY_BYTES:
                run = _ONE_FLAT.match(self.data, self.pos)  # a very long run: entry by entry
            if run is not None:
                self._entries(run.start(), run.end())
            elif self._peek() == b"{":  # an entry holding nested values
                start = self._skip_container()
                self._entries(start, self.pos)
                self._ws()
                if self._peek() == b",":
                    self.pos += 1
            else:
                self._invalid()

    def _entries(self, start: int, end: int) -> None:
        text = self.data[start:end].rstrip(b" \t\n\r")
        if text.endswith(b","):
            text = text[:-1]
        if end - start > 8 * MAX_JSON_ENTRY_BYTES or (text.count(b"{") <= 1 and len(text) > MAX_JSON_ENTRY_BYTES):
            raise LogError(
                f"{self.base}: log_history entry {self.entries + 1:,} is longer than {MAX_JSON_ENTRY_BYTES:,} bytes"
            )
        entries = [entry for entry in self._loads(b"[" + text + b"]") if isinstance(entry, dict)]
        first, self.entries, self.pos = self.entries, self.entries + len(entries), end
        # Column by column while the run's entries share a few lr keys (the usual log); entry by
        # entry where they don't, so that many distinct keys never cost keys × entries.
        keys = [key for key in set().union(*entries) if is_lr_name(key)]
        if not keys:
            return
        steps = _numbers([entry.get("step") for entry in entries])
        columns = (
            {key: _numbers([entry.get(key) for entry in entries]) for key in keys}
            if len(keys) <= 8
            else _sparse_columns(entries, keys)
        )
        for key, values in columns.items():
            present = (values != ABSENT) & (steps != ABSENT)
            kept = steps[present]
            if (bad := bad_step(kept)) is not None:
                index = first + 1 + int(np.flatnonzero(present)[bad])
                raise step_error(kept[bad], f"{self.base}: log_history entry {index:,}")
            self.points.add(key, kept.astype(np.int64), values[present])

    def _loads(self, text: bytes):
        try:
            return json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise LogError(f"{self.base}: not valid JSON (near byte {self.pos:,})") from None
        except RecursionError:
            raise LogError(f"{self.base}: nested too deeply") from None
        except ValueError:  # an integer of more digits than Python converts
            raise LogError(f"{self.base}: holds a number too long to read (near byte {self.pos:,})") from None


ABSENT = -math.inf  # where an entry has no number under a key (a -inf read is left out alike)


def _number(value) -> float:
    """A JSON number as float64, an integer too large for one infinite; ABSENT for anything else
    (booleans are no numbers)."""
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value) if -(10**300) < value < 10**300 else (math.inf if value > 0 else -math.inf)
    return ABSENT


def _numbers(values) -> np.ndarray:
    """:func:`_number` of each value, in one list comprehension and one conversion (a million
    entries cost a fraction of a second); an integer past float64's range takes the exact path."""
    values = list(values)
    try:
        return np.array([v if type(v) is float or type(v) is int else ABSENT for v in values], dtype=np.float64)
    except OverflowError:
        return np.fromiter(map(_number, values), dtype=np.float64, count=len(values))


def _sparse_columns(entries: list[dict], keys: list[str]) -> dict[str, np.ndarray]:
    """Each key's numbers over the entries (NaN where absent), visiting each entry's keys once."""
    wanted = set(keys)
    columns = {key: np.full(len(entries), ABSENT) for key in keys}
    for row, entry in enumerate(entries):
        for key in wanted.intersection(entry):
            columns[key][row] = _number(entry[key])
    return columns
