"""``trainer_state.json`` read from disk: one file (:func:`load_state`) or many (:class:`StateCache`).

The Hugging Face Trainer writes this file with ``json.dumps(state, indent=2, sort_keys=True)`` and a
plain, non-atomic write, so a reader can meet it half written, and Python's json writes bare ``NaN`` /
``Infinity`` tokens that strict parsers reject. :func:`load_state` turns any file into either a
:class:`~.model.TrainerState` (every numeric ``log_history`` key kept as a numeric series by step) or a
:class:`~.model.StateError` whose message says, in one line, which file and why.

The layers below, each importing only those under it: :mod:`.model` (the dataclasses), :mod:`.decode`
(JSON with bare tokens), :mod:`.columns` (``log_history`` folded into columns), :mod:`.build` (the
reference: a decoded file checked and assembled, whose errors are the ones reported) and
:mod:`.blockread` (a file in the Trainer's own layout read in blocks cut at its bytes, falling back to the
reference on anything unexpected, and letting :class:`StateCache` read a newer checkpoint from its new
entries only).

Nothing here unpickles anything: ``training_args.bin``, ``*.pt`` and ``*.pth`` are never opened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trainmon_tui.files import blockread
from trainmon_tui.files.build import build_state
from trainmon_tui.files.decode import decode_json
from trainmon_tui.files.model import STATE_FILE, ErrorKind, StateError, TrainerState
from trainmon_tui.files.safeopen import NotRegularFileError, read_regular


def _parse_reference(data: bytes, path: Path, mtime: float) -> TrainerState:
    try:
        raw = decode_json(data)
    except UnicodeDecodeError as exc:
        raise StateError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # Cut short: the error is at the end, or a string opened before it never closes (a JSON string
        # holds no raw newline, so that string runs to the end of the data).
        if exc.pos >= len(data.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            raise StateError(path, "JSON ends early (still being written?)", ErrorKind.INCOMPLETE) from None
        what = exc.msg.removesuffix(" at")  # "Invalid control character at" + " at line ..."
        raise StateError(path, f"not valid JSON: {what} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise StateError(path, "not valid JSON: nested too deeply") from None
    return build_state(raw, path, mtime=mtime, size=len(data))


def parse_state(data: bytes, path: Path, *, mtime: float = 0.0) -> TrainerState:
    """Decode and check the bytes of a ``trainer_state.json``."""
    if not data or data.isspace():
        raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
    try:
        return blockread.parse_layout(data, path, mtime)[0]
    except (blockread.NotTheLayout, UnicodeDecodeError):
        return _parse_reference(data, path, mtime)


# The Trainer writes a state in milliseconds: one cut short and unchanged for this long is truncated for
# good, not being written (a lasting warning, not a quiet retry).
SETTLED_SECONDS = 10.0


JSON_STARTS = frozenset(bytes([c]) for c in b'{["-0123456789tfnNI')  # what a JSON text can start with
# 5 million log entries at the Trainer's ~175 bytes each: far beyond any real run.
MAX_STATE_BYTES = 1 << 30


def _check_head(head: bytes, path: Path, stat: os.stat_result) -> None:
    """Refuse what cannot be a state from its first bytes, before reading the rest: a file of NUL bytes
    (preallocated, sparse) or of anything else, and a file too large to be one."""
    text = head.lstrip(b" \t\r\n\xef\xbb\xbf")  # whitespace, and a UTF-8 byte-order mark
    if text and (b"\x00" in head or text[:1] not in JSON_STARTS):
        start = text[:8].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise StateError(path, f"not valid JSON: starts with {start!r}")
    if stat.st_size > MAX_STATE_BYTES:
        raise StateError(path, f"too large for a trainer state ({stat.st_size / 1e9:.1f} GB)")


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes, through :func:`~.safeopen.read_regular`: a FIFO, device or folder is an error,
    never a read that blocks or does not end."""
    try:
        return read_regular(path, check=lambda head, stat: _check_head(head, path, stat))
    except FileNotFoundError:
        raise StateError(path, "no such file (deleted?)", ErrorKind.MISSING) from None
    except NotRegularFileError as exc:
        raise StateError(path, exc.strerror or "not a regular file") from None
    except OSError as exc:
        raise StateError(path, f"cannot read: {exc.strerror or exc}") from None


def settled(error: StateError, now: float) -> StateError:
    """``error`` as it stands at ``now`` (wall time): a state cut short (``INCOMPLETE``) whose file has not
    changed for :data:`SETTLED_SECONDS` is truncated for good, ``INVALID``, its reason no longer asking
    "still being written?". Others, and a file that cannot be looked at, as they are."""
    if error.kind is not ErrorKind.INCOMPLETE:
        return error
    try:
        age = now - os.stat(error.path).st_mtime
    except OSError:
        return error
    if age < SETTLED_SECONDS:
        return error
    what = error.reason.removesuffix(" (still being written?)")
    return StateError(error.path, f"{what} (truncated: unchanged for over {SETTLED_SECONDS:g} s)")


def state_path(path: str | os.PathLike[str]) -> Path:
    """A checkpoint folder as its ``trainer_state.json``; a file path (or a folder named like the state
    file, which is then reported as not a regular file) as it is."""
    path = Path(path)
    if path.name != STATE_FILE and path.is_dir():
        return path / STATE_FILE
    return path


def load_state(path: str | os.PathLike[str]) -> TrainerState:
    """Read one ``trainer_state.json`` (or a checkpoint folder holding one)."""
    path = state_path(path)
    data, stat = _read(path)
    return parse_state(data, path, mtime=stat.st_mtime)


class StateCache:
    """Parsed states by path, reused while the file's size and mtime are unchanged.

    A checkpoint's ``trainer_state.json`` never changes once written, so the dashboard parses each one
    once however often it looks. Bounded: states of long runs are large. The bytes of the last file read
    are kept too: when the next checkpoint's log begins with exactly those bytes (the Trainer rewrites the
    whole history each time, so it does), only the entries after them are parsed and appended to the
    previous state's columns, and a reload costs what is new plus one read and one ``memcmp``.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._states: dict[Path, tuple[tuple[int, int], TrainerState]] = {}
        self._base: blockread.LastRead | None = None

    def load(self, path: str | os.PathLike[str]) -> TrainerState:
        path = state_path(path)
        try:
            stat = path.stat()
        except OSError:
            self._states.pop(path, None)
            return load_state(path)  # raises the right StateError
        key = (stat.st_size, stat.st_mtime_ns)
        hit = self._states.get(path)
        if hit is not None and hit[0] == key:
            self._states[path] = self._states.pop(path)  # most recently used last
            return hit[1]
        state = self._parse(path)
        self._states[path] = (key, state)
        while len(self._states) > self.capacity:
            del self._states[next(iter(self._states))]
        return state

    def _parse(self, path: Path) -> TrainerState:
        data, stat = _read(path)
        if not data or data.isspace():
            raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
        result = None
        base, self._base = self._base, None
        if base is not None:
            try:
                result = blockread.parse_extension(data, path, stat.st_mtime, base)
            except (blockread.NotTheLayout, UnicodeDecodeError):
                result = None
            if result is None and base.data:
                # Not an extension of it (a file half written, another run): the next file may still be.
                self._base = base
            del base
        if result is None:
            try:
                result = blockread.parse_layout(data, path, stat.st_mtime)
            except (blockread.NotTheLayout, UnicodeDecodeError):
                return _parse_reference(data, path, stat.st_mtime)
        state, span, step = result
        self._base = blockread.LastRead(data, span, state, step)
        return state
