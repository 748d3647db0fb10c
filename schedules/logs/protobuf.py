"""Just enough of the protocol-buffer wire format to read scalars out of TensorBoard events.

A hand-written reader rather than TensorBoard's generated classes: verification must run in a
user's CI with NumPy alone. Field numbers are those of TensorBoard's own ``event.proto``,
``summary.proto`` and ``tensor.proto``. Every loop is linear in the bytes it walks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from schedules.logs.limits import MAX_TENSOR_DIMS

EVENT_WALL_TIME, EVENT_STEP, EVENT_FILE_VERSION, EVENT_SUMMARY = 1, 2, 3, 5
SUMMARY_VALUE = 1
VALUE_TAG, VALUE_SIMPLE, VALUE_TENSOR = 1, 2, 8
TENSOR_DTYPE, TENSOR_SHAPE, TENSOR_CONTENT = 1, 2, 4
TENSOR_FLOAT_VAL, TENSOR_DOUBLE_VAL, TENSOR_HALF_VAL = 5, 6, 13
SHAPE_DIM, DIM_SIZE = 2, 1
DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF = 1, 2, 14, 19  # types.proto's DataType


class Malformed(Exception):
    """A record that does not decode; the reader skips it."""


# What a damaged or hostile record can raise while it is decoded: each means "skip this record".
MALFORMED = (Malformed, struct.error, OverflowError, ValueError, IndexError)


def varint(buf, pos: int) -> tuple[int, int]:
    """(value, position after it) of the base-128 varint at ``pos``; at most ten bytes."""
    result = shift = 0
    while True:
        try:
            byte = buf[pos]
        except IndexError:
            raise Malformed from None
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise Malformed


def fields(buf, start: int, end: int):
    """(field number, wire type, value start, value end, varint value) for each field in buf[start:end]."""
    pos = start
    while pos < end:
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        value = None
        if wire == 0:
            value, after = varint(buf, pos)
        elif wire == 1 or wire == 5:
            after = pos + (8 if wire == 1 else 4)
        elif wire == 2:
            length, pos = varint(buf, pos)
            after = pos + length
        else:
            raise Malformed
        if after > end:  # a field running past its message
            raise Malformed
        yield number, wire, pos, after, value
        pos = after


def signed(value: int) -> int:
    """A varint read as int64 (two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass
class Value:
    """One scalar of a summary: its tag, where its number's bytes are, their type and the number."""

    tag: str
    start: int
    dtype: str  # "<f4", "<f8", or "half"/"bfloat16" (read one by one)
    number: float


def file_version(buf, start: int, end: int) -> bytes | None:
    """The ``file_version`` of an Event record ("brain.Event:2"), None if it has none."""
    for number, wire, a, b, _ in fields(buf, start, end):
        if number == EVENT_FILE_VERSION and wire == 2:
            return bytes(buf[a:b])
    return None


def decode_event(buf, start: int, end: int):
    """(step, values, variable spans) of one Event; spans are (start, end, role) payload offsets."""
    step, values, spans = 0, [], []
    for number, wire, a, b, value in fields(buf, start, end):
        if number == EVENT_WALL_TIME and wire == 1:
            spans.append((a, b, "time"))
        elif number == EVENT_STEP and wire == 0:
            step = signed(value)
            spans.append((a, b, "step"))
        elif number == EVENT_SUMMARY and wire == 2:
            for n2, w2, a2, b2, _ in fields(buf, a, b):
                if n2 == SUMMARY_VALUE and w2 == 2 and (found := decode_value(buf, a2, b2)) is not None:
                    values.append(found)
                    size = 4 if found.dtype == "<f4" else 8
                    spans.append((found.start, found.start + size, "value"))
    return step, values, spans


def decode_value(buf, start: int, end: int) -> Value | None:
    tag, found = None, None
    for number, wire, a, b, _ in fields(buf, start, end):
        if number == VALUE_TAG and wire == 2:
            tag = bytes(buf[a:b]).decode("utf-8", "replace")
        elif number == VALUE_SIMPLE and wire == 5:
            found = (a, "<f4", struct.unpack_from("<f", buf, a)[0])
        elif number == VALUE_TENSOR and wire == 2:
            found = decode_scalar_tensor(buf, a, b)
    if tag is None or found is None:
        return None
    return Value(tag, *found)


def _is_scalar_shape(buf, start: int, end: int) -> bool:
    """True when every dimension of a TensorShapeProto has size 1 (or there are none).

    Compared dimension by dimension rather than multiplied: a hostile shape of 100,000
    dimensions would make the product a huge integer and the check quadratic.
    """
    dims = 0
    for number, wire, a, b, _ in fields(buf, start, end):
        if number == SHAPE_DIM and wire == 2:
            dims += 1
            if dims > MAX_TENSOR_DIMS:
                return False
            for n3, w3, _, _, size in fields(buf, a, b):
                if n3 == DIM_SIZE and w3 == 0 and size != 1:
                    return False
    return True


def decode_scalar_tensor(buf, start: int, end: int):
    """(offset, dtype, value) of a one-element float tensor; None for anything else."""
    dtype, scalar, found = 0, True, None
    for number, wire, a, b, value in fields(buf, start, end):
        if number == TENSOR_DTYPE and wire == 0:
            dtype = value
        elif number == TENSOR_SHAPE and wire == 2:
            scalar = scalar and _is_scalar_shape(buf, a, b)
        elif number == TENSOR_CONTENT and wire == 2:
            found = (a, b - a, "content")
        elif number == TENSOR_FLOAT_VAL and wire in (2, 5):
            found = (a, b - a, "<f4")
        elif number == TENSOR_DOUBLE_VAL and wire in (1, 2):
            found = (a, b - a, "<f8")
        elif number == TENSOR_HALF_VAL and wire in (0, 2):
            found = (a, b - a, "half")
    if found is None or not scalar:
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
        bits = (struct.unpack_from("<H", buf, offset)[0] if how == "content" else varint(buf, offset)[0]) & 0xFFFF
        if dtype == DT_HALF:
            return offset, "half", float(np.array(bits, dtype=np.uint16).view(np.float16))
        return offset, "bfloat16", float(np.array(bits << 16, dtype=np.uint32).view(np.float32))
    return None
