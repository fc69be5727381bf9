"""The Trainer's own layout of ``trainer_state.json``, read in blocks cut at its bytes.

The Trainer writes ``json.dumps(state, indent=2, sort_keys=True)``: the top-level key is the line
``  "log_history": [``, its entries are objects indented by 4 spaces, and the list closes with the line
``  ]``. A raw newline never occurs inside a JSON string, so those byte patterns only occur there. A file
in that layout is read as: everything but the log (with a placeholder string where the list was, which
must come back as the value of the top-level "log_history"), then the log in blocks of about
:data:`BLOCK_BYTES` of whole entries, each parsed on its own (orjson while it is in the CPU cache, folded
into :class:`~.columns.Columns` at once, no list of 200,000 dicts ever held). Bare ``NaN`` / ``Infinity``
are swapped for marker floats before orjson sees a block, and must all come back in its numeric columns.

The fallbacks, from the smallest to the largest:

- a block orjson refuses, or that :meth:`~.columns.Columns.add_fast` does not take (nulls, strings, bools,
  floats as steps, a summary entry, a marker count that does not match): that block alone is decoded with
  :func:`~.decode.decode_json` and folded entry by entry (:meth:`~.columns.Columns.add_slow`);
- anything unexpected about the file (another layout, a placeholder that does not come back, a block that
  does not decode as a list, any error while folding, including the StateError of a bad entry):
  :class:`NotTheLayout`, on which :mod:`.state` reads the whole file the reference way
  (:func:`~.decode.decode_json` + :func:`~.build.build_state`), whose errors are the ones reported.

:func:`parse_extension` is the incremental path of :class:`~.state.StateCache`: when a newer checkpoint's
log begins with exactly the bytes of the previous file's log (:class:`LastRead`), followed by ``,``, only
the entries after them are parsed, appended to the previous state's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainmon_tui.files.build import assemble_state
from trainmon_tui.files.columns import Columns
from trainmon_tui.files.decode import PLACEHOLDER_PREFIX, decode_json
from trainmon_tui.files.model import TrainerState

try:  # orjson is several times faster on large files; the stdlib is the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

_LOG_KEY = b'\n  "log_history": ['
_LOG_END = b"\n  ]"
_ENTRY_SEP = b"\n    },\n    {"  # the comma between two entries is at offset 6
_LOG_PLACEHOLDER = PLACEHOLDER_PREFIX + "log_history"
BLOCK_BYTES = 1 << 18


class NotTheLayout(Exception):
    """The fast reading does not apply: read the file the reference way."""


def _log_span(data: bytes) -> tuple[int, int]:
    """Offsets of the log list's content: ``data[start - 1]`` is its ``[``; ``data[end:]`` closes it."""
    at = data.find(_LOG_KEY)
    if at < 0:
        raise NotTheLayout
    start = at + len(_LOG_KEY)
    if data[start : start + 1] == b"]":
        return start, start
    # The last such line: the keys after "log_history" hold no lists. Were one to, the cut would fall
    # after a '"key": ' at the list's own level, which no block or top-level parse accepts.
    end = data.rfind(_LOG_END, start)
    if end < 0:
        raise NotTheLayout
    return start, end


def _decode_top(data: bytes, start: int, end: int) -> dict[str, Any]:
    """Everything but the log, checked to be the top-level object with the log where we cut it."""
    rest = data[start + 1 :] if start == end else data[end + len(_LOG_END) :]
    text = data[: start - 1] + b'"' + _LOG_PLACEHOLDER.encode() + b'"' + rest
    try:
        raw = decode_json(text)
    except (ValueError, RecursionError):
        raise NotTheLayout from None
    if not isinstance(raw, dict) or raw.get("log_history") != _LOG_PLACEHOLDER:
        raise NotTheLayout
    return raw


def _at_line_end(block: bytes, end: int) -> bool:
    """Whether a value ending at ``end`` ends its line: ``\n``, ``\r`` or ``,`` and one of them next."""
    after = block[end : end + 2]
    return after[:1] in (b"\n", b"\r") or after in (b",\n", b",\r")


def _swap_nonfinite(block: bytes) -> tuple[bytes, int]:
    """``: NaN``, ``: Infinity``, ``: -Infinity`` swapped for the marker floats; how many were swapped.

    Found with ``memchr`` on ``N`` and ``I`` (a number never holds them), so a block without them costs
    a few scans at memory speed; where those letters abound (keys such as "eval_NLL") the tokens are
    searched for whole instead. Only a token that ends its line is swapped: JSON strings hold no raw
    newline, so such a token, and the ``": "`` before it, are outside any string (the Trainer's indent=2
    puts every value on a line of its own). A token in a key or a string (``"note: NaN"``) is left alone,
    so no key is renamed; a swapped token always lands in a numeric column or makes add_fast refuse the
    block, so a number equal to a marker in the file makes the count differ and the block goes the
    reference way. A token anywhere else (in a list) makes orjson refuse the block.
    """
    pieces: list[bytes] = []
    done = 0
    hits: list[tuple[int, int, bytes]] = []
    for letter, token, marker in ((b"N", b"NaN", b"5e-324"), (b"I", b"Infinity", b"1e-323")):
        finder, misses = letter, 0
        at = block.find(finder)
        while at >= 0:
            if block.startswith(token, at):
                end = at + len(token)
                if not _at_line_end(block, end):
                    pass
                elif block[at - 2 : at] == b": ":
                    hits.append((at, end, marker))
                elif token == b"Infinity" and block[at - 3 : at] == b": -":
                    hits.append((at - 1, end, b"1.5e-323"))
            else:
                misses += 1
                if misses == 64:  # the letter is everywhere: look for the token itself from here on
                    finder = token
            at = block.find(finder, at + 1)
    if not hits:
        return block, 0
    hits.sort()
    for begin, end, marker in hits:
        pieces.append(block[done:begin])
        pieces.append(marker)
        done = end
    pieces.append(block[done:])
    return b"".join(pieces), len(hits)


def _fold_log(columns: Columns, data: bytes, start: int, end: int) -> None:
    """Fold the entries in ``data[start:end]`` (whole entries, comma separated) into ``columns``."""
    view = memoryview(data)
    pos = start
    while pos < end:
        cut = end
        if end - pos > BLOCK_BYTES:
            found = data.find(_ENTRY_SEP, pos + BLOCK_BYTES, end)
            if found >= 0:
                cut = found + 6
        block = b"".join((b"[", view[pos:cut], b"]"))
        pos = cut + 1
        if orjson is not None:
            swapped, markers = _swap_nonfinite(block)
            try:
                entries = orjson.loads(swapped)
            except orjson.JSONDecodeError:
                entries = None
            if isinstance(entries, list) and columns.add_fast(entries, markers=markers):
                continue
        try:
            entries = decode_json(block)
        except (ValueError, RecursionError):
            raise NotTheLayout from None
        if not isinstance(entries, list):
            raise NotTheLayout
        columns.add_slow(entries)


def parse_layout(data: bytes, path: Path, mtime: float) -> tuple[TrainerState, tuple[int, int], int]:
    """The state, the log's span in ``data`` and the step of its last entry (or NotTheLayout)."""
    start, end = _log_span(data)
    raw = _decode_top(data, start, end)
    columns = Columns(path)
    try:
        _fold_log(columns, data, start, end)
    except Exception:  # let the reference way report it, exactly as it always has
        raise NotTheLayout from None
    return assemble_state(raw, columns, path, mtime, len(data)), (start, end), columns.step


@dataclass(slots=True)
class LastRead:
    """The last file read in the Trainer's layout: a newer checkpoint's file usually extends its log."""

    data: bytes  # emptied by parse_extension once compared: two 35 MB copies at once is one too many
    span: tuple[int, int]
    state: TrainerState
    step: int


def parse_extension(
    data: bytes, path: Path, mtime: float, base: LastRead
) -> tuple[TrainerState, tuple[int, int], int]:
    """Read a file whose log begins with ``base``'s log, byte for byte: only the new entries are parsed."""
    start, end = _log_span(data)
    old_start, old_end = base.span
    old_len = old_end - old_start
    if old_len == 0 or end - start < old_len:
        raise NotTheLayout
    if not data.startswith(memoryview(base.data)[old_start:old_end], start):
        raise NotTheLayout
    base.data = b""  # the caller has let go of it: freed before the new columns are built
    tail = start + old_len
    if tail != end and data[tail : tail + 1] != b",":
        raise NotTheLayout
    raw = _decode_top(data, start, end)
    columns = Columns.resume(base.state, base.step, path)
    try:
        _fold_log(columns, data, tail + 1, end)
    except Exception:
        raise NotTheLayout from None
    return assemble_state(raw, columns, path, mtime, len(data)), (start, end), columns.step
