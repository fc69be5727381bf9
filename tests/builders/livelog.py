"""Live-log records for the tests, in the format of :mod:`trainmon_tui.live.schema`.

One argument order for every builder: the step first (positional, where the record has one), the wall
time as the keyword ``time``, every other field as a keyword. Records are dicts (a test may break one on
purpose); :func:`line` / :func:`write` / :func:`append` turn them into the file's lines as the callback
writes them (Python's json: bare ``NaN`` / ``Infinity``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trainmon_tui.live import schema


def record(kind: str, *, time: float, **fields: Any) -> dict[str, Any]:
    """A record of any type (one this reader does not know included)."""
    return {"type": kind, "time": time, **fields}


def start(step: int = 0, *, time: float, **fields: Any) -> dict[str, Any]:
    """A start record of this schema version (``v``); the plan (``max_steps``, ...) as keywords."""
    return record(
        schema.START, time=time, **{schema.VERSION_KEY: schema.SCHEMA_VERSION, "step": step, **fields}
    )


def log(step: int, *, time: float, values: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
    """A log record: one ``log_history`` entry's ``values``; ``epoch``, ``num_input_tokens_seen``, ... as
    keywords."""
    return record(schema.LOG, time=time, step=step, **fields, values=dict(values))


def save(step: int, *, time: float, checkpoint: str | None = None) -> dict[str, Any]:
    return record(schema.SAVE, time=time, step=step, checkpoint=checkpoint or f"checkpoint-{step}")


def heartbeat(step: int, *, time: float, phase: str = schema.EVALUATE) -> dict[str, Any]:
    return record(schema.HEARTBEAT, time=time, step=step, phase=phase)


def end(step: int, *, time: float, **fields: Any) -> dict[str, Any]:
    return record(schema.END, time=time, step=step, **fields)


def line(rec: Mapping[str, Any]) -> str:
    """One line of the file, its newline included."""
    return json.dumps(rec, ensure_ascii=False) + "\n"


def lines(*records: Mapping[str, Any]) -> str:
    return "".join(line(r) for r in records)


def append(path: Path, *chunks: bytes | Mapping[str, Any]) -> None:
    """Append records (or raw bytes, a half line or garbage) to the file at ``path``."""
    with open(path, "ab") as f:
        for chunk in chunks:
            f.write(chunk if isinstance(chunk, bytes) else line(chunk).encode())


def write(path: Path, *records: Mapping[str, Any]) -> Path:
    """A live log holding exactly ``records`` (its folder made); ``path`` may be the run folder."""
    if path.suffix != ".jsonl":
        path = path / schema.LIVE_LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lines(*records), encoding="utf-8")
    return path
