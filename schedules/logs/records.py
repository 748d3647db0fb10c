"""TFRecord framing, the container of TensorBoard event files, with its checksums.

Each record is ``length`` (uint64, little-endian), ``masked_crc32c(length)`` (uint32), ``data``,
``masked_crc32c(data)`` (uint32). The length's checksum is checked for every record: a damaged
length would send the reader into arbitrary bytes, so the file is read up to it and the rest said
to be lost. The data's checksum is checked for the records whose values are kept
(:func:`data_intact`); a record that fails it is left out and said so.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

HEADER, FOOTER = 12, 4  # length + its checksum; the data's checksum
WINDOW = 1 << 16  # records framed and decoded together: memory stays bounded at any file size


def _crc32c_table() -> np.ndarray:
    """The byte-wise table of CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0x82F63B78), table >> 1).astype(np.uint32)
    return table


_TABLE = _crc32c_table()
_TABLE_LIST = _TABLE.tolist()


def masked_crc32c_rows(rows: np.ndarray) -> np.ndarray:
    """TFRecord's masked CRC-32C of each row of a uint8 matrix, all rows at once.

    One vectorized pass per column (the rows of a batch share a length), so a million short
    records cost a few dozen NumPy passes rather than a Python loop over their bytes.

    >>> int(masked_crc32c_rows(np.frombuffer(b"123456789", np.uint8)[None])[0]) == masked_crc32c(b"123456789")
    True
    """
    crc = np.full(rows.shape[0], 0xFFFFFFFF, dtype=np.uint32)
    for column in range(rows.shape[1]):
        crc = _TABLE[(crc ^ rows[:, column]) & 0xFF] ^ (crc >> 8)
    return _mask(crc ^ np.uint32(0xFFFFFFFF))


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C of one byte string (CRC-32C of "123456789" is 0xE3069283).

    >>> hex(_unmask(masked_crc32c(b"123456789")))
    '0xe3069283'
    """
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE_LIST[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return int(_mask(np.uint32(crc ^ 0xFFFFFFFF)))


def _mask(crc):
    """TFRecord's mask: rotate right by 15 bits and add a constant (mod 2^32)."""
    crc = np.asarray(crc, dtype=np.uint32)
    rotated = (crc >> np.uint32(15)) | (crc << np.uint32(17))
    return (rotated.astype(np.uint64) + 0xA282EAD8).astype(np.uint32)


def _unmask(masked: int) -> int:
    rotated = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


@dataclass
class Framing:
    """What the framing walk found beyond the records: a damaged length, a record cut short."""

    records: int = 0
    notes: list[str] = field(default_factory=list)


def frames(data, framing: Framing) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(data starts, data lengths) of consecutive records, a window at a time, lengths checked.

    Records of one length follow each other in long runs (the step's varint grows at 128,
    16,384…), so each run is located and its length checksums verified in one vectorized pass.
    Where a length fails its checksum the walk stops and ``framing.notes`` says how many bytes
    were not read; a last record cut short (a writer still running, or killed) is said too.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    size, pos, window = len(data), 0, 16
    pending_starts: list[np.ndarray] = []
    pending_lengths: list[np.ndarray] = []
    pending = 0
    while pos + HEADER <= size:
        (length,) = struct.unpack_from("<Q", data, pos)
        record = HEADER + length + FOOTER
        if not _length_intact(view, np.array([pos])).all():
            framing.notes.append(_damaged(framing.records, pos, size))
            break
        if pos + record > size:
            framing.notes.append(
                f"its last record (at byte {pos:,}) is cut short, as a writer still running or stopped "
                f"leaves it: its {size - pos:,} bytes are not read"
            )
            break
        count = min(window, (size - pos) // record)
        offsets = pos + record * np.arange(count, dtype=np.int64)
        heads = view[offsets[:, None] + np.arange(8)].copy().view("<u8").ravel()
        same = count if (heads == length).all() else int(np.argmin(heads == length))
        intact = _length_intact(view, offsets[:same])
        good = same if intact.all() else int(np.argmin(intact))
        pending_starts.append(offsets[:good] + HEADER)
        pending_lengths.append(np.full(good, length, dtype=np.int64))
        pending += good
        framing.records += good
        pos += record * good
        if good < same:
            framing.notes.append(_damaged(framing.records, pos, size))
            break
        window = min(window * 4, WINDOW) if same == count else 16
        if pending >= WINDOW:
            yield np.concatenate(pending_starts), np.concatenate(pending_lengths)
            pending_starts, pending_lengths, pending = [], [], 0
    else:
        if pos < size:
            framing.notes.append(f"its last {size - pos:,} bytes are shorter than a record header and are not read")
    if pending:
        yield np.concatenate(pending_starts), np.concatenate(pending_lengths)


def _length_intact(view: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Whether each record's length matches its checksum."""
    lengths = view[offsets[:, None] + np.arange(8)]
    stored = view[offsets[:, None] + np.arange(8, 12)].copy().view("<u4").ravel()
    return masked_crc32c_rows(lengths) == stored


def _damaged(index: int, pos: int, size: int) -> str:
    return (
        f"record {index + 1:,} (at byte {pos:,}) is damaged: its length fails its checksum, so the "
        f"{size - pos:,} bytes from there on are not read"
    )


def data_intact(view: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Whether the data of each record of one ``length`` matches its checksum."""
    rows = view[starts[:, None] + np.arange(length)]
    stored = view[starts[:, None] + length + np.arange(4)].copy().view("<u4").ravel()
    return masked_crc32c_rows(rows) == stored
