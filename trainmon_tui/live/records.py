"""One line of the live log decoded into a record (:func:`parse_record`), or refused (:class:`BadRecord`).

A line is a JSON object (bare ``NaN`` / ``Infinity`` allowed, as Python's json writes them) of a type
:mod:`.schema` names, with its fields checked: a wall time that is a finite number, steps and counts by
:mod:`~trainmon_tui.files.numeric`'s rule (a line with one beyond int64 is bad), a schema version no newer
than this reader's. A record of a type this version does not know is skipped, not an error. A log record's
``sys`` object (version 2) is read by :mod:`.sysfigures`: a bad one is missing, never a bad line.
"""

from __future__ import annotations

import json
import math
from typing import Any

from trainmon_tui.files.decode import decode_json
from trainmon_tui.files.numeric import OUT_OF_RANGE, OutOfRange, as_float, brief, count_of
from trainmon_tui.live.livelog import EndRecord, HeartbeatRecord, LogRecord, Record, SaveRecord, StartRecord
from trainmon_tui.live.runconfig import read_args
from trainmon_tui.live.schema import END, HEARTBEAT, LOG, SAVE, SCHEMA_VERSION, START, SYSTEM_KEY, VERSION_KEY
from trainmon_tui.live.sysfigures import parse_system


class BadRecord(ValueError):
    """A line that is not a valid record; ``str()`` says why."""


def _num(raw: dict[str, Any], key: str, *, required: bool = False) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise BadRecord(f"{key} is missing")
        return None
    number = as_float(value)
    if number is None:
        raise BadRecord(f"{key} is {brief(value)}, expected a number")
    return number


def _int(raw: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    """A step or count by :mod:`~trainmon_tui.files.numeric`'s rule: finite, within int64 (a line beyond
    it is bad)."""
    number = _num(raw, key, required=required)
    if number is None:
        return None
    try:
        count = count_of(raw[key])
    except OutOfRange:
        raise BadRecord(f"{key} {OUT_OF_RANGE}") from None
    if count is None:
        raise BadRecord(f"{key} is {number}, expected a finite number")
    return count


def _check_version(raw: dict[str, Any]) -> None:
    """A record written by a newer schema than this reader knows is not read: its fields may mean
    something else. A record without a version is of version 1."""
    version = _int(raw, VERSION_KEY)
    if version is not None and version > SCHEMA_VERSION:
        raise BadRecord(
            f"schema version {version}, newer than the {SCHEMA_VERSION} this trainmon-tui reads "
            "(upgrade trainmon-tui)"
        )


def _time(raw: dict[str, Any]) -> float:
    value = _num(raw, "time", required=True)
    assert value is not None
    if not math.isfinite(value):
        raise BadRecord(f"time is {value}, expected a finite number")
    return value


def _values(raw: dict[str, Any]) -> dict[str, float]:
    values = raw.get("values")
    if not isinstance(values, dict):
        raise BadRecord(f"values is {type(values).__name__}, expected an object")
    return {str(k): number for k, v in values.items() if (number := as_float(v)) is not None}


def parse_record(line: bytes) -> Record | None:
    """One line as a record; None for a record type this version does not know (skipped, not an error).

    Raises :class:`BadRecord` for a line that is not a valid record.
    """
    try:
        raw = decode_json(line)
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not UTF-8 text ({exc.reason})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadRecord(f"not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise BadRecord(f"a JSON {type(raw).__name__}, expected an object")
    _check_version(raw)
    kind = raw.get("type")
    if kind == LOG:
        return LogRecord(
            time=_time(raw),
            step=_int(raw, "step", required=True) or 0,
            epoch=_num(raw, "epoch"),
            values=_values(raw),
            num_input_tokens_seen=_int(raw, "num_input_tokens_seen"),
            gpu_mem_peak=_int(raw, "gpu_mem_peak"),
            system=parse_system(raw.get(SYSTEM_KEY)),
        )
    if kind == START:
        return StartRecord(
            time=_time(raw),
            step=_int(raw, "step") or 0,
            epoch=_num(raw, "epoch"),
            max_steps=_int(raw, "max_steps"),
            num_train_epochs=_num(raw, "num_train_epochs"),
            logging_steps=_int(raw, "logging_steps"),
            eval_steps=_int(raw, "eval_steps"),
            save_steps=_int(raw, "save_steps"),
            world_size=_int(raw, "world_size"),
            train_batch_size=_int(raw, "train_batch_size"),
            gradient_accumulation_steps=_int(raw, "gradient_accumulation_steps"),
            samples_per_step=_int(raw, "samples_per_step"),
            num_input_tokens_seen=_int(raw, "num_input_tokens_seen"),
            pid=_int(raw, "pid"),
            host=host if isinstance(host := raw.get("host"), str) else None,
            args=read_args(raw.get("args")),
            model=model[:200] if isinstance(model := raw.get("model"), str) else None,
        )
    if kind == SAVE:
        checkpoint = raw.get("checkpoint")
        if not isinstance(checkpoint, str):
            raise BadRecord(f"checkpoint is {checkpoint!r}, expected a string")
        return SaveRecord(time=_time(raw), step=_int(raw, "step", required=True) or 0, checkpoint=checkpoint)
    if kind == END:
        return EndRecord(time=_time(raw), step=_int(raw, "step") or 0, epoch=_num(raw, "epoch"))
    if kind == HEARTBEAT:
        phase = raw.get("phase")
        return HeartbeatRecord(
            time=_time(raw), step=_int(raw, "step") or 0, phase=phase if isinstance(phase, str) else None
        )
    if not isinstance(kind, str):
        raise BadRecord(f"type is {kind!r}, expected a string")
    return None
