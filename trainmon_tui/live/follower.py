"""``trainmon_log.jsonl`` followed as it grows: :class:`LiveLogFollower`, each poll reading what was appended.

- a last line without its newline is kept pending until the newline arrives;
- a file that shrank, changed inode, or whose first bytes changed (deleted and recreated, truncated and
  rewritten) is read again from the start;
- a line that is not a valid record (:mod:`.records`) is counted and skipped (the first message is kept),
  nothing else is lost;
- a ``log`` record whose step is lower than the last one (or a ``start`` record whose step is) is a resumed
  run, not corruption: the earlier records past the resume point are dropped, as the Trainer's own
  ``log_history`` is after ``resume_from_checkpoint``.

What the records add to a checkpoint's state is :mod:`.merge`'s business.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from trainmon_tui.files.entries import EntryKind
from trainmon_tui.files.safeopen import NotRegularFileError, open_regular
from trainmon_tui.live.livelog import (
    EndRecord,
    HeartbeatRecord,
    LiveLog,
    LogRecord,
    Record,
    Resume,
    SaveRecord,
    StartRecord,
    empty_live_log,
)
from trainmon_tui.live.records import BadRecord, parse_record
from trainmon_tui.live.schema import EVALUATE, LIVE_LOG_FILE, SAVING

# The first bytes of the file identify it (the start record holds a wall time): when they change, the file
# was replaced even if its inode number was reused and it already grew past the old offset.
_HEAD_BYTES = 128
_CHUNK_BYTES = 1 << 22
_MAX_LINE_BYTES = 1 << 23  # a longer "line" is not a record (a binary file?): skipped, not held in memory


class LiveLogFollower:
    """Follows one ``trainmon_log.jsonl``; each :meth:`poll` reads only what was appended since the last.

    Not thread-safe: use one follower from one thread (the dashboard's reload worker). The :class:`LiveLog`
    it returns is immutable and may be handed to any thread.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        chunk_bytes: int = _CHUNK_BYTES,
        max_line_bytes: int = _MAX_LINE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.chunk_bytes = chunk_bytes
        self.max_line_bytes = max_line_bytes
        self.bytes_read = 0  # bytes of records read from disk in total (the head check not counted)
        self.rereads = 0  # times the file was found replaced or truncated and read again from the start
        self._reset()
        self._snapshot: LiveLog | None = None

    def _reset(self) -> None:
        self._identity: tuple[int, int] | None = None
        self._head = b""
        self._offset = 0
        self._pending = b""
        self._skipping = False  # inside an over-long line: dropping bytes until its newline
        self._lines = 0
        self._start: StartRecord | None = None
        self._logs: list[LogRecord] = []
        self._saves: list[SaveRecord] = []
        self._end: EndRecord | None = None
        self._session_first = 0
        self._from_step_zero = False
        self._first_record = True
        self._last_time: float | None = None
        self._phase: str | None = None
        self._phase_step = 0
        self._last_step: int | None = None
        self._resumes: list[Resume] = []
        self._bad = 0
        self._first_error: str | None = None
        self._snapshot = None

    @property
    def offset(self) -> int:
        """Bytes consumed so far: the next poll reads from here (plus any pending half line)."""
        return self._offset

    @property
    def live(self) -> LiveLog:
        """The latest snapshot (empty before the first poll)."""
        return self._snapshot or empty_live_log(self.path)

    def poll(self) -> LiveLog:
        """Read what was appended, and return the log as it now stands."""
        try:
            with open_regular(self.path) as f:  # a FIFO or /dev/zero is refused; reads stop at its size
                stat = f.stat
                identity = (stat.st_dev, stat.st_ino)
                if self._identity is not None and (
                    identity != self._identity
                    or stat.st_size < self._offset + len(self._pending)
                    or not self._same_head(f)
                ):
                    self.rereads += 1
                    self._reset()
                if self._identity is None:
                    self._identity = identity
                self._read_from(f, self._offset + len(self._pending))
        # Not yet written, or deleted, or OUTPUTS is no folder (a file, a FIFO): nothing to show.
        except (FileNotFoundError, NotADirectoryError):
            if self._snapshot is None or self._snapshot.exists:
                self._reset()
                self._snapshot = empty_live_log(self.path)
            return self._snapshot
        except OSError as exc:  # a folder, no permission, an I/O error: read again from the start later
            self._reset()
            reason = (
                exc.strerror
                if isinstance(exc, NotRegularFileError)
                else f"cannot read: {exc.strerror or exc}"
            )
            self._snapshot = replace(empty_live_log(self.path, exists=True), error=reason)
            return self._snapshot
        return self._take_snapshot()

    def _same_head(self, f: Any) -> bool:
        if not self._head:
            return True
        f.seek(0)
        return bool(f.read(len(self._head)) == self._head)

    def _read_from(self, f: Any, position: int) -> None:
        f.seek(position)
        changed = False
        while True:
            chunk = f.read(self.chunk_bytes)
            if not chunk:
                break
            changed = True
            self.bytes_read += len(chunk)
            if self._skipping:
                newline = chunk.find(b"\n")
                self._offset += len(chunk) if newline < 0 else newline + 1
                if newline < 0:
                    continue
                self._skipping = False
                chunk = chunk[newline + 1 :]
            data = self._pending + chunk if self._pending else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > self.max_line_bytes:
                    self._too_long(len(data))
                else:
                    self._pending = data
                continue
            complete, self._pending = data[: cut + 1], data[cut + 1 :]
            if len(self._head) < _HEAD_BYTES and self._offset < _HEAD_BYTES:
                self._head = (self._head + complete)[:_HEAD_BYTES]
            self._offset += len(complete)
            for line in complete.split(b"\n")[:-1]:
                self._lines += 1
                self._consume(line)
        if changed:
            self._snapshot = None

    def _too_long(self, size: int) -> None:
        self._lines += 1
        self._bad += 1
        if self._first_error is None:
            self._first_error = f"line {self._lines}: longer than {self.max_line_bytes} bytes"
        self._offset += size
        self._pending = b""
        self._skipping = True

    def _consume(self, line: bytes) -> None:
        line = line.strip()
        if not line:
            return
        try:
            record = parse_record(line)
        except BadRecord as exc:
            self._bad += 1
            if self._first_error is None:
                self._first_error = f"line {self._lines}: {exc}"
            return
        if record is None:
            return
        first, self._first_record = self._first_record, False
        self._last_time = record.time
        if isinstance(record, HeartbeatRecord):
            self._phase, self._phase_step = record.phase, record.step
            return
        self._update_phase(record)
        if isinstance(record, LogRecord):
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step - 1, record.time)  # records at >= this step are replaced
            self._logs.append(record)
            self._last_step = record.step
        elif isinstance(record, SaveRecord):
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step - 1, record.time)
            self._saves.append(record)
            self._last_step = record.step
        elif isinstance(record, StartRecord):
            if first:
                self._from_step_zero = record.step == 0
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step, record.time)
            self._start = record
            self._end = None
            self._session_first = len(self._logs)
            self._last_step = max(self._last_step or 0, record.step)
        elif isinstance(record, EndRecord):
            self._end = record

    def _update_phase(self, record: Record) -> None:
        """A phase lasts until what ends it is logged (the evaluation's metrics, the save) or a later step."""
        if self._phase is None:
            return
        if (
            isinstance(record, (StartRecord, EndRecord))
            or record.step > self._phase_step
            or (self._phase == EVALUATE and isinstance(record, LogRecord) and record.kind is EntryKind.EVAL)
            or (self._phase == SAVING and isinstance(record, SaveRecord))
        ):
            self._phase = None

    def _resume(self, kept_up_to: int, time: float) -> None:
        """Drop what an abandoned run logged past ``kept_up_to``, as ``resume_from_checkpoint`` does."""
        before = len(self._logs)
        self._logs = [r for r in self._logs if r.step <= kept_up_to]
        self._saves = [r for r in self._saves if r.step <= kept_up_to]
        self._session_first = min(self._session_first, len(self._logs))
        self._end = None
        self._resumes.append(Resume(kept_up_to, time, before - len(self._logs)))
        self._last_step = kept_up_to

    def _take_snapshot(self) -> LiveLog:
        if self._snapshot is None:
            self._snapshot = LiveLog(
                path=self.path,
                exists=True,
                start=self._start,
                logs=tuple(self._logs),
                saves=tuple(self._saves),
                end=self._end,
                session_first=self._session_first,
                from_step_zero=self._from_step_zero,
                last_time=self._last_time,
                phase=self._phase,
                resumes=tuple(self._resumes),
                bad_lines=self._bad,
                first_error=self._first_error,
                pending_bytes=len(self._pending),
                offset=self._offset,
                lines=self._lines,
            )
        return self._snapshot


def read_live_log(path: str | os.PathLike[str]) -> LiveLog:
    """Read a whole live log once (a folder means its ``trainmon_log.jsonl``)."""
    path = Path(path)
    if path.is_dir():
        path = path / LIVE_LOG_FILE
    return LiveLogFollower(path).poll()
