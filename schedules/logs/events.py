"""TensorBoard event files from any writer: the scalars of the tags wanted, per run.

Scalars are stored as ``simple_value`` or as one-element float tensors (``tensor_content``,
``float_val``, ``double_val``, ``half_val``). Records are decoded a window at a time; within a
window, records of one length that share a layout (every byte equal but the wall time, the step
and the numbers, as a writer logging one scalar per step leaves them) are decoded at once, which
is what keeps a 10⁶-step file to a fraction of a second (``bench/bench_verify.py``); any other
record is decoded on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np

from schedules.logs import protobuf as pb
from schedules.logs.limits import LogError, NotALog, bad_step, step_error
from schedules.logs.records import HEADER, Framing, data_intact, frames, masked_crc32c
from schedules.logs.series import last_per_step

EVENT_MARK = "tfevents"
ROWS = 16384  # records stacked into one byte matrix


def looks_like_events(data) -> bool:
    """True when the first record is an Event naming its file version ("brain.Event:2")."""
    if len(data) < 16:
        return False
    length = int.from_bytes(bytes(data[:8]), "little")
    if length > 4096 or len(data) < HEADER + length:
        return False
    try:
        version = pb.file_version(data, HEADER, HEADER + length)
    except pb.MALFORMED:
        return False
    return version is not None and version.startswith(b"brain.Event")


@dataclass
class RunScalars:
    """The wanted scalars of one run's event files, gathered file by file in writing order."""

    pieces: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    order: int = 0  # records read so far: later files' records come after earlier ones'

    def add(self, name: str, data, wanted: Callable[[str], bool]) -> int:
        """Read one event file; the number of points kept. LogError if it is no event file."""
        base = PurePosixPath(name).name
        if len(data) < HEADER or len(data) < HEADER + int.from_bytes(bytes(data[:8]), "little") + 4:
            raise NotALog(f"{base}: the event file is truncated before its first complete record")
        if not looks_like_events(data):
            raise NotALog(f"{base}: not a TensorBoard event file (its first record is not a file version)")
        framing, kept, damaged = Framing(), 0, []
        for starts, lengths in frames(data, framing):
            for tag, order, steps, values, bad in _decode_window(data, starts, lengths, wanted):
                if bad.size:
                    damaged.append(bad)
                if steps.size:
                    if (bad := bad_step(steps)) is not None:
                        raise step_error(steps[bad], f"{base}: a record")
                    self.pieces.setdefault(tag, []).append((order + self.order, steps, values))
                    kept += steps.size
            self.order += starts.size
        if framing.records == 0:
            raise NotALog(f"{base}: the event file is truncated before its first complete record")
        if damaged:
            positions = np.unique(np.concatenate(damaged))
            self.notes.append(
                f"{base}: {positions.size:,} record(s) fail their checksum and are left out, the first at byte "
                f"{int(positions[0]):,}"
            )
        self.notes.extend(f"{base}: {note}" for note in framing.notes)
        return kept

    def scalars(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """(steps, values) per tag, sorted by step, the last write of a step winning."""
        out = {}
        for tag, parts in self.pieces.items():
            order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
            steps = np.concatenate([p[1] for p in parts])[order]
            values = np.concatenate([p[2] for p in parts])[order]
            out[tag] = last_per_step(steps, values)
        return out


def event_scalars(files: list[tuple[str, bytes]], tag: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of the scalar ``tag`` in one run's event files (any writer), sorted by step,
    the last write of a step winning; empty when no file holds it. A file cut short yields what was
    written before the cut."""
    run = RunScalars()
    for name, data in files:
        try:
            run.add(name, data, lambda name: name == tag)
        except LogError:  # truncated before its first record, or not an event file
            continue
    return run.scalars().get(tag, (np.zeros(0, np.int64), np.zeros(0, np.float64)))


def _decode_window(data, starts: np.ndarray, lengths: np.ndarray, wanted):
    """(tag, record order, steps, values, damaged byte positions) for the wanted scalars of a window.

    Records of one length are stacked into a byte matrix; those sharing a layout are decoded at
    once, a few layouts per length, the rest one at a time. Only the records kept have their data
    checksum verified.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    single: list[int] = []
    for length in np.unique(lengths).tolist():
        (group,) = np.nonzero(lengths == length)
        for chunk in range(0, group.size, ROWS):
            index = group[chunk : chunk + ROWS]
            rows = view[starts[index][:, None] + np.arange(length)]
            left = np.arange(index.size)
            for _ in range(4):
                if left.size == 0:
                    break
                first = int(starts[index[left[0]]])
                matched, pieces = _decode_layout(data, first, length, rows[left], wanted)
                if pieces:
                    hits = index[left[matched]]
                    intact = data_intact(view, starts[hits], length)
                    bad = starts[hits][~intact] - HEADER
                    for tag, steps, values in pieces:
                        yield tag, hits[intact], steps[intact], values[intact], bad
                        bad = bad[:0]
                if not matched.any():
                    single.append(int(index[left[0]]))
                    matched[0] = True
                left = left[~matched]
            single.extend(index[left].tolist())
    for record in single:
        yield from _decode_single(data, int(starts[record]), int(lengths[record]), record, wanted)


def _decode_single(data, start: int, length: int, record: int, wanted):
    try:
        step, values, _ = pb.decode_event(data, start, start + length)
    except pb.MALFORMED:
        return
    values = [value for value in values if wanted(value.tag)]
    if not values:
        return
    stored = int.from_bytes(bytes(data[start + length : start + length + 4]), "little")
    if masked_crc32c(bytes(data[start : start + length])) != stored:
        yield values[0].tag, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.array([start - HEADER])
        return
    for value in values:
        yield value.tag, np.array([record]), np.array([step], np.int64), np.array([value.number]), np.zeros(0, np.int64)


def _decode_layout(data, start: int, length: int, rows: np.ndarray, wanted):
    """Rows sharing the layout of the record at ``start``: (matched mask, [(tag, steps, values)])
    for its wanted tags."""
    nothing = np.zeros(rows.shape[0], bool), []
    try:
        _, values, spans = pb.decode_event(data, start, start + length)
    except pb.MALFORMED:
        return nothing
    if any(value.dtype not in ("<f4", "<f8") for value in values):
        return nothing
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
        if b - a > 8:  # past 2^56 (or negative): leave them to the one-by-one path, exact in Python
            matched[:] = False
        steps = ((digits & 0x7F) << (7 * np.arange(b - a))).sum(axis=1).astype(np.int64)
    pieces = []
    for value in values:
        if not wanted(value.tag):
            continue
        offset, size = value.start - start, 4 if value.dtype == "<f4" else 8
        numbers = np.ascontiguousarray(rows[matched, offset : offset + size]).view(value.dtype).ravel()
        pieces.append((value.tag, steps[matched], numbers.astype(np.float64)))
    return matched, pieces
