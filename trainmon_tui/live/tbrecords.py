"""One TensorBoard event file read incrementally, its scalars grouped back into the Trainer's log entries.

An event file is a sequence of TFRecords (a little-endian 8-byte length, its masked CRC-32C, the serialized
``Event`` protobuf, its masked CRC-32C). :class:`EventFile` keeps the byte offset after the last complete
record: each :meth:`~EventFile.poll` reads from there. A record not fully written yet is left for the next
poll (``pending`` bytes); one whose data checksum fails, or that is not an ``Event``, is counted and
skipped; a length whose checksum fails ends the reading of that file (nothing after it can be framed).
tensorboard's own loader retries a corrupt record forever and may import TensorFlow; this reader only
takes tensorboard's protobuf classes and CRC function, imported lazily.

Scalars come from ``simple_value`` (torch's ``SummaryWriter``) or from one-element tensors (TensorBoard
2.x summaries). The Trainer's ``TensorBoardCallback`` logs each value of a log entry as ``train/<key>``,
``eval/<key>`` or ``test/<key>`` at the global step, in order: a new entry begins on a new step, on a key
already in the current one, or on a change between training, evaluation, a test run and the end-of-training
summary (:func:`~trainmon_tui.files.entries.key_kind`).

Nothing here imports textual, plotext or matplotlib.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainmon_tui.files.entries import EntryKind, key_kind
from trainmon_tui.files.numeric import count_or_none, loads_big_ints
from trainmon_tui.files.safeopen import open_regular
from trainmon_tui.live.livelog import LogRecord

EVENTS_PREFIX = "events.out.tfevents."
_CHUNK_BYTES = 1 << 22
_MAX_RECORD_BYTES = 1 << 28


def tensorboard_available() -> bool:
    """Whether the ``tensorboard`` package (its protobuf classes) can be imported."""
    try:
        from tensorboard.compat.proto import event_pb2  # noqa: F401
    except Exception:  # not installed, or broken (a protobuf mismatch): the event files are not followed
        return False
    return True


def _checksum() -> Callable[[bytes], int] | None:
    """TFRecord's masked CRC-32C, as tensorboard computes it without TensorFlow; None if unavailable."""
    try:
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    except Exception:  # pragma: no cover - the stub ships with tensorboard
        return None
    return masked_crc32c  # type: ignore[no-any-return]


def tag_key(tag: str) -> str | None:
    """The Trainer's ``log_history`` key for a TensorBoard tag (``rewrite_logs`` undone); None to skip."""
    prefix, slash, rest = tag.partition("/")
    if not slash:
        return tag or None
    if not rest:
        return None
    if prefix == "train":
        return rest
    if prefix in ("eval", "test"):
        return f"{prefix}_{rest}"
    return None


def _record(step: int, time: float, values: dict[str, float]) -> LogRecord:
    epoch, tokens = values.get("epoch"), values.get("num_input_tokens_seen")
    return LogRecord(
        time=time, step=step, epoch=epoch, values=dict(values), num_input_tokens_seen=count_or_none(tokens)
    )


@dataclass(slots=True)
class _Group:
    step: int
    time: float
    values: dict[str, float]
    category: EntryKind | None = None


def _scalar(value: Any) -> float | str | None:
    """A ``Summary.Value`` as a number (``simple_value`` or a one-element tensor), text, or None."""
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return float(value.simple_value)
    if kind != "tensor":
        return None
    from tensorboard.util.tensor_util import make_ndarray

    try:
        array = make_ndarray(value.tensor)
    except Exception:  # a dtype or shape this reader does not know
        return None
    if array.size != 1:
        return None
    item = array.reshape(-1)[0]
    if array.dtype.kind in "fiub":
        return float(item)
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else None


class EventFile:
    """One event file: its offset after the last complete record, and the log entries read so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reset()

    def _reset(self) -> None:
        self.identity: tuple[int, int] | None = None
        self.offset = self.pending = self.events = self.bad = 0
        self.first_error: str | None = None  # "events.out...: byte 1234: checksum mismatch"
        self.stopped = False  # a record length that fails its checksum: nothing after it can be framed
        self.logs: list[LogRecord] = []
        self.open: _Group | None = None
        self.args: tuple[float, dict[str, Any]] | None = None  # the TrainingArguments, as logged at start
        self.last_time: float | None = None

    def poll(self) -> bool:
        """Read the records appended since the last poll; True when something changed."""
        with open_regular(self.path) as f:  # a FIFO or device is refused; reads stop at its size
            stat = f.stat
            identity = (stat.st_dev, stat.st_ino)
            if self.identity not in (None, identity) or stat.st_size < self.offset + self.pending:
                self._reset()  # replaced or truncated: read it again
            self.identity = identity
            before = (self.offset, self.pending, self.bad)
            if not self.stopped:
                f.seek(self.offset)
                self.pending = self._read(f, _checksum())
        return (self.offset, self.pending, self.bad) != before

    def _bad(self, reason: str) -> None:
        self.bad += 1
        if self.first_error is None:
            self.first_error = f"{self.path.name}: byte {self.offset}: {reason}"

    def _read(self, f: Any, crc: Callable[[bytes], int] | None) -> int:
        """Consume the complete records from the file's position on; the bytes of a partial one left over."""
        buffer, pos = b"", 0
        while chunk := f.read(_CHUNK_BYTES):
            buffer = buffer[pos:] + chunk
            pos = 0
            while len(buffer) - pos >= 12:  # length (8 bytes), its checksum (4), data, data checksum (4)
                (length,) = struct.unpack_from("<Q", buffer, pos)
                (length_crc,) = struct.unpack_from("<I", buffer, pos + 8)
                if (
                    crc is not None and crc(buffer[pos : pos + 8]) != length_crc
                ) or length > _MAX_RECORD_BYTES:
                    self._bad("not a record (length checksum), the rest of the file is skipped")
                    self.stopped = True
                    return 0
                end = pos + 12 + length + 4
                if end > len(buffer):
                    break  # not fully written yet: read again from its start next poll
                data = buffer[pos + 12 : end - 4]
                (data_crc,) = struct.unpack_from("<I", buffer, end - 4)
                if crc is not None and crc(data) != data_crc:
                    self._bad("checksum mismatch, record skipped")
                else:
                    self._event(data)
                pos = end
                self.offset += 12 + length + 4
        return len(buffer) - pos

    def _event(self, data: bytes) -> None:
        from google.protobuf.message import DecodeError
        from tensorboard.compat.proto import event_pb2

        try:
            event = event_pb2.Event.FromString(data)
        except DecodeError:
            self._bad("not an Event, record skipped")
            return
        self.events += 1
        self.last_time = max(self.last_time or event.wall_time, event.wall_time)
        if event.WhichOneof("what") != "summary":
            return
        for value in event.summary.value:
            scalar = _scalar(value)
            if isinstance(scalar, str):
                if value.tag in ("args", "args/text_summary"):
                    with contextlib.suppress(ValueError):
                        args = loads_big_ints(scalar)
                        self.args = (event.wall_time, args) if isinstance(args, dict) else self.args
            elif scalar is not None and (key := tag_key(value.tag)) is not None:
                self._add(int(event.step), event.wall_time, key, scalar)

    def _add(self, step: int, time: float, key: str, value: float) -> None:
        group, category = self.open, key_kind(key)
        if (
            group is None
            or group.step != step
            or key in group.values
            or (category and group.category and category != group.category)
        ):
            if group is not None:
                self.logs.append(_record(group.step, group.time, group.values))
            group = self.open = _Group(step, time, {})
        group.values[key] = value
        group.category = group.category or category

    def records(self) -> list[LogRecord]:
        """The entries read, the last one included even if more of its values may still come."""
        tail = [_record(self.open.step, self.open.time, self.open.values)] if self.open else []
        return self.logs + tail
