"""Opening a file from a run folder so that nothing in its place can block or feed bytes without end.

A run folder may hold anything where ``trainer_state.json``, ``trainmon_log.jsonl`` or an event file should
be: a FIFO (``open()`` blocks until a writer comes), a symlink to ``/dev/zero`` or ``/dev/urandom`` (a read
never ends), a socket, a folder. :func:`open_regular` is the one way the core opens such a file: it looks
first (``stat``: a device or FIFO is never even opened), opens with ``O_NONBLOCK`` (so a FIFO swapped in
between cannot block), checks again on the open descriptor (``fstat``: what was opened is what is read), and
hands back a :class:`RegularFile` that never reads past the size ``fstat`` reported plus :data:`READ_MARGIN`
(a file still being appended to is read up to there; the rest is for the next look).

:func:`open_append` is the same for the callback's appends (a FIFO would block the training process).
Anything that is not a regular file raises :class:`NotRegularFileError`, an :class:`OSError` whose message
says in a few words what it is (``is a FIFO, not a regular file``). Standard library only: the training
process may import it.
"""

from __future__ import annotations

import errno
import io
import os
import stat as stat_module
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

# Bytes read past the size fstat reported: the file may grow while it is read (the Trainer's plain write,
# the callback's appends). Bounded, so that nothing can make a read go on for ever.
READ_MARGIN = 1 << 20

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def describe(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a message: ``a FIFO``, ``a folder``, ..."""
    if stat_module.S_ISDIR(mode):
        return "a folder"
    if stat_module.S_ISFIFO(mode):
        return "a FIFO"
    if stat_module.S_ISSOCK(mode):
        return "a socket"
    if stat_module.S_ISCHR(mode):
        return "a character device"
    if stat_module.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


class NotRegularFileError(OSError):
    """A FIFO, socket, device or folder where a regular file was expected. ``kind`` says which."""

    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        self.kind = describe(mode)
        code = errno.EISDIR if stat_module.S_ISDIR(mode) else errno.EINVAL
        super().__init__(code, f"is {self.kind}, not a regular file", os.fspath(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


class RegularFile:
    """A regular file open for reading; no read goes past ``limit`` (fstat's size plus a margin)."""

    def __init__(self, fd: int, path: str, stat: os.stat_result, margin: int) -> None:
        self._file = io.FileIO(fd, "rb", closefd=True)
        self.path = path
        self.stat = stat
        self.limit = stat.st_size + max(0, margin)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all up to the limit when negative); ``b""`` at the end or at the limit."""
        left = self.limit - self._file.tell()
        if left <= 0:
            return b""
        want = left if size < 0 else min(size, left)
        pieces: list[bytes] = []
        while want > 0:
            piece = self._file.read(want)
            if not piece:
                break
            pieces.append(piece)
            want -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RegularFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_regular(path: str | os.PathLike[str], *, margin: int | None = None) -> RegularFile:
    """Open ``path`` for reading if it is a regular file (symlinks followed); else NotRegularFileError.

    Other failures are the usual OSErrors (FileNotFoundError, PermissionError, ...). ``margin``: bytes that
    may be read past the size at opening (default :data:`READ_MARGIN`).
    """
    name = os.fspath(path)
    before = os.stat(name)
    if not stat_module.S_ISREG(before.st_mode):
        raise NotRegularFileError(name, before.st_mode)
    fd = os.open(name, _FLAGS)
    try:
        stat = os.fstat(fd)
        if not stat_module.S_ISREG(stat.st_mode):  # replaced between the stat and the open
            raise NotRegularFileError(name, stat.st_mode)
        return RegularFile(fd, name, stat, READ_MARGIN if margin is None else margin)
    except BaseException:
        os.close(fd)
        raise


HEAD_BYTES = 4096


def read_regular(
    path: str | os.PathLike[str],
    *,
    margin: int | None = None,
    check: Callable[[bytes, os.stat_result], None] | None = None,
) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file (at most its size at opening plus the margin) and its ``fstat``.

    ``check`` sees the first :data:`HEAD_BYTES` and the ``fstat`` before the rest is read, and may raise
    to refuse a file that cannot be what is wanted without reading all of it.
    """
    with open_regular(path, margin=margin) as f:
        if check is None:
            return f.read(), f.stat
        head = f.read(HEAD_BYTES)
        check(head, f.stat)
        return head + f.read(), f.stat


def open_append(path: str | os.PathLike[str], *, binary: bool = False) -> IO[Any]:
    """Open ``path`` to append (created if missing) if it is a regular file; else NotRegularFileError.

    For the callback in the training process: ``open(path, "a")`` on a FIFO blocks until a reader comes.
    Non-blocking, a FIFO without a reader fails at once (ENXIO), one with a reader is refused by fstat.
    """
    name = os.fspath(path)
    try:
        before = os.stat(name)
    except FileNotFoundError:
        pass  # created below
    else:
        if not stat_module.S_ISREG(before.st_mode):
            raise NotRegularFileError(name, before.st_mode)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (_FLAGS & ~os.O_RDONLY)
    fd = os.open(name, flags, 0o666)
    try:
        stat = os.fstat(fd)
        if not stat_module.S_ISREG(stat.st_mode):
            raise NotRegularFileError(name, stat.st_mode)
        if binary:
            return os.fdopen(fd, "ab")
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def stat_regular(path: str | os.PathLike[str]) -> os.stat_result | None:
    """``stat`` of a regular file (symlinks followed), None when there is nothing there; NotRegularFileError
    for a FIFO, device, socket or folder. For listings (discovery), which open nothing."""
    try:
        result = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat_module.S_ISREG(result.st_mode):
        raise NotRegularFileError(path, result.st_mode)
    return result
