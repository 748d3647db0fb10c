"""Reading a file a user named, bounded: regular files only, never more than a limit.

A device (``/dev/zero``), a FIFO or a socket is refused before it is read (opening a FIFO would
wait for a writer forever), and a file is read up to its limit and one byte more, whatever size
it claims: ``/proc`` files say 0, and a file may grow while it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(ValueError):
    """One sentence saying why a file was not read, without its name (the caller adds it)."""


class FileTooLarge(UnreadableFile):
    """A file holding more than the bytes the caller reads."""


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises:
      UnreadableFile: missing, not a regular file, or an OS error; FileTooLarge past ``limit`` bytes.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UnreadableFile("not a regular file (a folder, device, FIFO or socket)")
        # O_NONBLOCK: should the path become a FIFO after the check, opening it does not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with open(descriptor, "rb", closefd=True) as file:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise UnreadableFile("not a regular file (a folder, device, FIFO or socket)")
            data = _read_at_most(file, limit + 1, status.st_size)
    except UnreadableFile:
        raise
    except FileNotFoundError:
        raise UnreadableFile("no such file or folder") from None
    except OSError as error:  # permissions, a file vanishing mid-read, a name too long
        raise UnreadableFile(f"cannot be read ({error.strerror or error})") from None
    except ValueError:  # a name holding a NUL character
        raise UnreadableFile("cannot be read (the name holds a NUL character)") from None
    if len(data) > limit:
        raise FileTooLarge(f"more than the {limit:,} bytes read from one file")
    return data


def _read_at_most(file, count: int, expected: int) -> bytes:
    """Up to ``count`` bytes: as many as the file says it holds (read(count) would allocate all
    ``count`` bytes up front), then on in pieces should it hold more (``/proc`` files say 0)."""
    data = bytearray(file.read(min(expected, count)))
    while len(data) < count and (piece := file.read(min(count - len(data), 1 << 20))):
        data += piece
    return bytes(data)


def is_regular_file(path: str | Path) -> bool:
    """True for a regular file (following symlinks); False for anything else, missing included."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
