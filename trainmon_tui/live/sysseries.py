"""The live log's ``sys`` figures as series by step (``sys/rss``, ``sys/cpu``, ``sys/gpu0/util``, ...).

:func:`system_series` turns the log records' :class:`~.sysfigures.SystemFigures` into
:class:`~trainmon_tui.files.model.Series` named like any metric, so that the metrics view, ``--list-metrics``,
``--csv`` and the summary take them with no more work; :func:`with_system_series` adds them to a state
(:func:`~.merge.merge_live` does, whole: a checkpoint holds none of them). The units are what a person reads:

- ``sys/rss`` (GiB, the training process's resident memory), ``sys/cpu`` (% of one core, from the CPU
  time between two records of the same process: 250 means two and a half cores busy), ``sys/workers_cpu``
  (its DataLoader workers' CPU, %) and ``sys/workers`` (how many, a number rather than a chart);
- per CUDA device N: ``sys/gpuN/util`` (%), ``sys/gpuN/mem_used`` and ``mem_total`` (GiB, NVML: every
  process on the device), ``mem_alloc``, ``mem_reserved``, ``mem_peak`` (GiB, torch: this process),
  ``temp`` (°C), ``power`` (W).

Series are built incrementally: a live log that only grew has only its new records read.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.live.livelog import LiveLog, LogRecord
from trainmon_tui.live.sysfigures import GPU_FIELDS

PREFIX = "sys/"
GIB = float(1 << 30)
_MEMORY = frozenset({"mem_used", "mem_total", "mem_alloc", "mem_reserved", "mem_peak"})
_RSS, _CPU = PREFIX + "rss", PREFIX + "cpu"
_PROCESS = {PREFIX + "workers_cpu": "workers_cpu", PREFIX + "workers": "workers"}


def gpu_key(index: int, field: str) -> str:
    return f"{PREFIX}gpu{index}/{field}"


_GPU_KEY = re.compile(r"sys/gpu(\d{1,4})/(\w+)")
_ORDER = ("rss", "cpu", "workers_cpu", "workers")


def system_rank(key: str) -> int:
    """The order of ``sys/`` keys: the process's memory and CPU, then each device's figures in
    :data:`~.sysfigures.GPU_FIELDS`' order (utilisation, memory, temperature, power); others after."""
    name = key.removeprefix(PREFIX)
    if name in _ORDER:
        return _ORDER.index(name)
    match = _GPU_KEY.fullmatch(key)
    if match and match[2] in GPU_FIELDS:
        return 10 + int(match[1]) * 20 + GPU_FIELDS.index(match[2])
    return 100_000


def is_fixed_figure(key: str) -> bool:
    """A figure that hardly moves (a device's total memory, the number of workers): a number in the
    lists, not a chart."""
    return key.startswith(PREFIX) and (key.endswith("/mem_total") or key == PREFIX + "workers")


Points = dict[str, tuple[list[int], list[float]]]  # key: (steps, values)


def _points(records: tuple[LogRecord, ...] | list[LogRecord], previous: LogRecord | None) -> Points:
    """Steps and values per key, in record order (memory in GiB); ``previous`` is the record before the
    first (for the CPU %). One pass, lists only: 200,000 records take about a second."""
    points: Points = {}
    scale = {field: 1 / GIB if field in _MEMORY else 1.0 for field in GPU_FIELDS}
    keys: dict[tuple[int, str], str] = {}
    for record in records:
        figures = record.system
        if figures is None:
            continue
        step = record.step
        if figures.rss is not None:
            column = points.get(_RSS) or points.setdefault(_RSS, ([], []))
            column[0].append(step)
            column[1].append(figures.rss / GIB)
        cpu = _cpu_percent(previous, record)
        if cpu is not None:
            column = points.get(_CPU) or points.setdefault(_CPU, ([], []))
            column[0].append(step)
            column[1].append(cpu)
        for key, name in _PROCESS.items():
            value = getattr(figures, name)
            if value is not None:
                column = points.get(key) or points.setdefault(key, ([], []))
                column[0].append(step)
                column[1].append(value)
        for gpu in figures.gpus:
            for field in GPU_FIELDS:
                value = getattr(gpu, field)
                if value is None:
                    continue
                key = keys.get((gpu.index, field)) or keys.setdefault(
                    (gpu.index, field), gpu_key(gpu.index, field)
                )
                column = points.get(key) or points.setdefault(key, ([], []))
                column[0].append(step)
                column[1].append(value * scale[field])
        previous = record
    return points


def _cpu_percent(before: LogRecord | None, after: LogRecord) -> float | None:
    """CPU time over wall time between two records of one process, in % of one core."""
    if before is None or before.system is None or after.system is None:
        return None
    a, b = before.system, after.system
    if a.cpu_time is None or b.cpu_time is None or a.pid != b.pid:
        return None
    wall = after.time - before.time
    used = b.cpu_time - a.cpu_time
    if wall <= 0 or used < 0:
        return None  # another process (a resume), or clocks that went back
    return 100.0 * used / wall


class SystemSeriesCache:
    """The series of one live log, extended with the records appended since the last call: only the new
    records are read, and each series grows by one array copy."""

    def __init__(self) -> None:
        self._records: tuple[LogRecord, ...] = ()
        self._series: dict[str, Series] = {}

    def series(self, records: tuple[LogRecord, ...]) -> dict[str, Series]:
        done = len(self._records)
        grown = done <= len(records) and (done == 0 or records[done - 1] is self._records[-1])
        if grown and done == len(records):
            return self._series
        if not grown:  # truncated, replaced or resumed: read again
            done, self._series = 0, {}
        series = dict(self._series)
        for key, points in _points(records[done:], records[done - 1] if done else None).items():
            extra, base = _series(points), series.get(key)
            series[key] = (
                extra
                if base is None
                else Series(
                    np.concatenate((base.steps, extra.steps)), np.concatenate((base.values, extra.values))
                )
            )
        self._records, self._series = records, series
        return series


def _series(points: tuple[list[int], list[float]]) -> Series:
    return Series(np.array(points[0], dtype=np.int64), np.array(points[1], dtype=np.float64))


def system_series(records: tuple[LogRecord, ...] | list[LogRecord]) -> dict[str, Series]:
    """Every ``sys/`` series of these records (none when no record carries ``sys``)."""
    return {key: _series(points) for key, points in _points(records, None).items()}


_CACHES: dict[Path, SystemSeriesCache] = {}
_CACHES_LOCK = threading.Lock()
_MAX_CACHES = 64  # live logs followed at once (a workspace of runs); the oldest is dropped beyond


def _cached(live: LiveLog) -> dict[str, Series]:
    with _CACHES_LOCK:
        cache = _CACHES.pop(live.path, None) or SystemSeriesCache()
        _CACHES[live.path] = cache  # the newest last
        while len(_CACHES) > _MAX_CACHES:
            del _CACHES[next(iter(_CACHES))]
        return cache.series(live.logs)


def with_system_series(state: TrainerState | None, live: LiveLog) -> TrainerState | None:
    """``state`` with the live log's ``sys/`` series added (the same object when there are none)."""
    if state is None or not live.logs:
        return state
    series = _cached(live)
    if not series:
        return state
    return replace(state, series={**state.series, **series})
