"""A log record's ``sys`` object read back: the training process's memory and CPU time, each GPU's figures.

The writer is :mod:`.sysprobe` (schema version 2, ``docs/live-log.md``). What comes from the file is
untrusted: :func:`parse_system` keeps only the fields it knows, as finite numbers not below zero (others
are missing, not errors: a bad ``sys`` object never makes the training values of its line bad), at most
:data:`MAX_GPUS` devices with distinct indices below :data:`MAX_GPU_INDEX`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from trainmon_tui.files.numeric import as_float

MAX_GPUS = 64
MAX_GPU_INDEX = 1024
GPU_FIELDS = ("util", "mem_used", "mem_total", "mem_alloc", "mem_reserved", "mem_peak", "temp", "power")


@dataclass(frozen=True, slots=True)
class GpuFigures:
    """One CUDA device: bytes for memory, % for utilisation, °C, W; None where not recorded."""

    index: int
    util: float | None = None
    mem_used: float | None = None  # NVML: every process on the device
    mem_total: float | None = None
    mem_alloc: float | None = None  # torch: this process's tensors
    mem_reserved: float | None = None  # torch: its caching allocator
    mem_peak: float | None = None
    temp: float | None = None
    power: float | None = None


@dataclass(frozen=True, slots=True)
class SystemFigures:
    """The ``sys`` object of one log record."""

    pid: int | None = None
    rss: float | None = None  # bytes
    rss_peak: float | None = None
    cpu_time: float | None = None  # seconds of CPU, all threads, since the process started
    workers: float | None = None  # child processes (DataLoader workers)
    workers_cpu: float | None = None  # their CPU since the previous record, % of one core
    gpus: tuple[GpuFigures, ...] = ()


_BIG = 2**53  # an int up to this is a float exactly: the fast path


def _figure(raw: dict[str, Any], key: str) -> float | None:
    """A finite number not below zero, else None. Plain ints and floats (nearly every figure) go the fast
    way; anything else (a huge integer, a string) by :func:`~trainmon_tui.files.numeric.as_float`."""
    value: Any = raw.get(key)
    kind = value.__class__
    if kind is float:
        return value if 0 <= value < math.inf else None
    if kind is int and 0 <= value < _BIG:
        return float(value)
    if value is None or kind is bool:
        return None
    number = as_float(value)
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def _index(value: Any) -> int | None:
    """A device index: an integer (``0`` or ``0.0``) from 0 to below :data:`MAX_GPU_INDEX`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if 0 <= value < MAX_GPU_INDEX else None


def parse_system(raw: Any) -> SystemFigures | None:
    """The ``sys`` object of a record, or None when there is none (or it is not an object)."""
    if not isinstance(raw, dict):
        return None
    gpus: dict[int, GpuFigures] = {}
    listed = raw.get("gpus")
    for item in listed[:MAX_GPUS] if isinstance(listed, list) else ():
        if not isinstance(item, dict):
            continue
        index = _index(item.get("index"))
        if index is None or index in gpus:
            continue
        gpus[index] = GpuFigures(index, *[_figure(item, name) for name in GPU_FIELDS])  # in field order
    return SystemFigures(
        pid=_pid(raw.get("pid")),
        rss=_figure(raw, "rss"),
        rss_peak=_figure(raw, "rss_peak"),
        cpu_time=_figure(raw, "cpu_time"),
        workers=_figure(raw, "workers"),
        workers_cpu=_figure(raw, "workers_cpu"),
        gpus=tuple(sorted(gpus.values(), key=lambda gpu: gpu.index)),
    )


def _pid(value: Any) -> int | None:
    """A process id: a positive integer within 32 bits."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**32:
        return None
    return value
