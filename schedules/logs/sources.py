"""Where logs come from: a file, a folder (runs in subfolders), a .zip of a folder, or uploaded
``(name, bytes)`` pairs; each file read once, bounded (:mod:`schedules.logs.limits`), and passed
to its reader.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from schedules.files import FileTooLarge, UnreadableFile, is_regular_file, read_regular_file
from schedules.logs import limits
from schedules.logs.events import EVENT_MARK, RunScalars, looks_like_events
from schedules.logs.limits import LimitExceeded, LogError, NotALog
from schedules.logs.series import Series, is_lr_name
from schedules.logs.tables import read_csv, read_trainer_state

ZIP_CHUNK = 1 << 20


def read_path(path: str | Path) -> list[Series]:
    """Every learning-rate series in a log file, a folder of logs (runs in subfolders) or a .zip.

    Only regular files are read: a device, FIFO or socket is refused before it is opened.
    """
    path = Path(path)
    label = path.name or str(path)
    if path.is_dir():
        return _collect(_folder_files(path), source=label)
    if not path.exists():
        raise LogError(f"{label}: no such file or folder")
    if not is_regular_file(path):
        raise LogError(f"{label}: not a regular file (a device, FIFO or socket is not read)")
    return _collect([(path.name, lambda: _read(path, path.name))], source=label)


def read_files(files: Iterable[tuple[str, bytes]], source: str = "the upload") -> list[Series]:
    """Every learning-rate series in uploaded ``(name, bytes)`` pairs; a ``.zip`` is opened as a folder.

    Names may hold folders (``run1/events.out…``): each folder of event files is one run. A file
    that is no log beside ones that are is passed over; one that is a log but cannot be read is
    named in the series' notes; a source with no lr series at all raises :class:`LogError` naming
    its files and what each lacks.
    """
    return _collect(sorted(((name, lambda data=data: data) for name, data in files), key=_name), source=source)


def is_log_name(name: str) -> bool:
    """Whether a file in a folder or a .zip is read as a log (by its name; the content decides how)."""
    lowered = PurePosixPath(name).name.lower()
    return EVENT_MARK in lowered or lowered.endswith((".csv", ".json", ".zip", ".log"))


def _name(item: tuple[str, object]) -> str:
    return item[0]


def _read(path: Path, name: str) -> bytes:
    try:
        return read_regular_file(path, limits.MAX_FILE_BYTES)
    except FileTooLarge as error:
        raise LimitExceeded(f"{name}: {error}") from None
    except UnreadableFile as error:
        raise LogError(f"{name}: {error}") from None


def _folder_files(folder: Path) -> list[tuple[str, object]]:
    """The log files under ``folder`` (regular files only, symlinked folders not followed)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            if is_log_name(name) and is_regular_file(path):
                relative = path.relative_to(folder).as_posix()
                found.append((relative, lambda path=path, relative=relative: _read(path, relative)))
                _check_count(len(found), folder.name or str(folder))  # before a huge tree is listed whole
    return found


def _check_count(count: int, source: str) -> None:
    if count > limits.MAX_FILES:
        raise LimitExceeded(f"{source}: holds more than the {limits.MAX_FILES:,} log files read at once")


class _Budget:
    """Bytes read so far from one source, counted as they come (never as a file claims)."""

    def __init__(self, source: str):
        self.source, self.total, self.files = source, 0, 0

    def check(self, name: str, size: int) -> None:
        """LimitExceeded when a file of ``size`` bytes so far passes a limit."""
        if size > limits.MAX_FILE_BYTES:
            raise LimitExceeded(f"{name}: more than the {limits.MAX_FILE_BYTES:,} bytes read from one file")
        if self.total + size > limits.MAX_TOTAL_BYTES:
            raise LimitExceeded(
                f"{name}: the files add up to more than the {limits.MAX_TOTAL_BYTES:,} bytes read at once"
            )

    def take(self, name: str, size: int) -> None:
        self.check(name, size)
        self.total += size
        self.files += 1
        _check_count(self.files, self.source)


def _expanded(files, budget: _Budget) -> Iterator[tuple[str, bytes]]:
    """Each file's (name, bytes), one at a time; a .zip's log members inflated in its place."""
    for name, load in files:
        data = load()
        if name.lower().endswith(".zip"):
            yield from _zip_members(name, data, budget)
        else:
            budget.take(name, len(data))
            yield name, data


def _zip_members(name: str, data: bytes, budget: _Budget) -> Iterator[tuple[str, bytes]]:
    """The log files of a .zip, inflated in a stream against the limits.

    The archive's directory is bounded before it is parsed (each entry costs Python objects). A
    member declaring more than the limits is refused before anything inflates; one declaring less
    is still counted as it inflates (and ends at its declared size, failing its checksum).
    """
    _check_directory(name, data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir() and is_log_name(m.filename)), key=_member_name
        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise LogError(f"{name}: not a readable .zip archive") from None
    for member in members:  # what the archive declares refuses early; the running count decides
        budget.check(member.filename, member.file_size)
    for member in members:
        yield member.filename, _inflate(name, archive, member, budget)


def _member_name(member: zipfile.ZipInfo) -> str:
    return member.filename


def _inflate(name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: _Budget) -> bytes:
    pieces, size = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(ZIP_CHUNK):
                size += len(chunk)
                budget.check(member.filename, size)  # a running count: nothing more inflates past a limit
                pieces.append(chunk)
    except LimitExceeded:
        raise
    except RuntimeError:  # encrypted
        raise LogError(f"{name}: {member.filename} is encrypted") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
        raise LogError(f"{name}: {member.filename} cannot be inflated (a damaged or unsupported member)") from None
    budget.take(member.filename, size)
    return b"".join(pieces)


_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def _check_directory(name: str, data: bytes) -> None:
    """LogError when the archive's central directory is larger than MAX_ZIP_DIRECTORY_BYTES."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        raise LogError(f"{name}: not a readable .zip archive")
    size = struct.unpack_from("<I", data, end + 12)[0]
    locator = end - 20
    if size == 0xFFFFFFFF and locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 <= len(data):
            size = struct.unpack_from("<Q", data, record + 40)[0]
    if size > limits.MAX_ZIP_DIRECTORY_BYTES:
        raise LimitExceeded(
            f"{name}: its directory of {size:,} bytes is more than the {limits.MAX_ZIP_DIRECTORY_BYTES:,} read"
        )


def _kind_of(name: str, data: bytes) -> str:
    """ "events", "json" or "csv"; NotALog for anything else."""
    base = PurePosixPath(name).name
    if not data:
        raise NotALog(f"{base}: the file is empty")
    lowered = base.lower()
    if EVENT_MARK in lowered or looks_like_events(data):
        return "events"
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".txt", ".log")):  # .log: Keras's CSVLogger writes training.log
        return "csv"
    raise NotALog(
        f"{base}: not a log of any known kind (TensorBoard events, trainer_state.json, or CSV as .csv, .txt or .log)"
    )


class _Gathered:
    """The series found so far in one source, and the files passed over."""

    def __init__(self, source: str):
        self.source, self.names, self.points = source, [], 0
        self.found: list[tuple[str, Series]] = []  # (context: file or run, series)
        self.runs: dict[str, RunScalars] = {}
        self.not_logs: list[LogError] = []
        self.damaged: list[LogError] = []

    def add(self, name: str, data: bytes) -> None:
        self.names.append(name)
        kind = _kind_of(name, data)
        if kind == "events":
            run = str(PurePosixPath(name).parent).strip(".")
            self.points += self.runs.setdefault(run, RunScalars()).add(name, data, is_lr_name)
        else:
            for series in (read_trainer_state if kind == "json" else read_csv)(name, data):
                self.found.append((name, series))
                self.points += len(series)
        limits.check_points(self.points, self.source)
        limits.check_series(len(self.found) + sum(len(run.pieces) for run in self.runs.values()), self.source)

    def series(self) -> list[Series]:
        found = list(self.found)
        for run_name, run in self.runs.items():
            for tag, (steps, values) in run.scalars().items():
                if steps.size:
                    unit = "epoch" if tag.rsplit("/", 1)[-1].startswith("epoch_") else "step"
                    series = Series(tag, steps, values, unit, tuple(run.notes), writer=_event_writer(tag))
                    found.append((run_name, series))
        if not found:
            problems = self.damaged or self.not_logs
            if len(problems) == 1:
                raise problems[0]
            listed = ", ".join(self.names[:5]) + (" …" if len(self.names) > 5 else "")
            raise NotALog(
                f"{listed or self.source}: no learning-rate series (a tag or column such as learning_rate or lr)"
            )
        passed_over = tuple(f"not read: {error}" for error in self.damaged)
        several = len({context for context, _ in found}) > 1
        return [
            Series(
                f"{context}/{s.name}" if several and context else s.name,
                s.steps,
                s.lr,
                s.unit,
                s.notes + passed_over,
                s.info,
                s.writer,
            )
            for context, s in found
        ]


def _event_writer(tag: str) -> str | None:
    """The writer a tag names: Hugging Face's TensorBoard callback prefixes "train/", Keras's
    callback writes "epoch_learning_rate" at each epoch's end."""
    if tag == "train/learning_rate":
        return "transformers.Trainer"
    if tag.rsplit("/", 1)[-1] == "epoch_learning_rate":
        return "keras"
    return None


def _collect(files, source: str) -> list[Series]:
    """Read each file in turn, its bytes dropped once read, and gather every lr series.

    A limit passed stops the reading at once; a file that is no log is passed over, and one that
    is a log but damaged is named in the notes, while another file gives a series.
    """
    budget, gathered = _Budget(source), _Gathered(source)
    for name, data in _expanded(files, budget):
        try:
            gathered.add(name, data)
        except LimitExceeded:
            raise
        except NotALog as error:
            gathered.not_logs.append(error)
        except LogError as error:
            gathered.damaged.append(error)
    return gathered.series()
