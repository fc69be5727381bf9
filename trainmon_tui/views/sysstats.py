"""The resources the training process used, as the summary shows them: the latest ``sys/`` figures.

:func:`system_latest` takes the newest point of every ``sys/`` series of a state (the live log's ``sys``
figures, :mod:`~trainmon_tui.live.sysseries`); :meth:`SystemLatest.to_json` is ``--format json``'s
``system`` key; :func:`system_rows` the summary table's section (every figure) and :func:`compact_rows`
the dashboard's few lines (per device utilisation and memory, the process's RSS and CPU). Memory is in
GiB, utilisation and CPU in % (CPU of one core: 250% is two and a half cores), temperature °C, power W.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.sysseries import PREFIX, system_rank
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.numfmt import DASH, format_number

_GPU = re.compile(r"sys/gpu(\d{1,4})/")


@dataclass(frozen=True, slots=True)
class SystemLatest:
    step: int  # the newest step a figure was recorded at
    metrics: dict[str, float]  # every sys/ key and its newest value, in the catalogue's order

    def to_json(self) -> dict[str, Any]:
        values = {key: value if math.isfinite(value) else None for key, value in self.metrics.items()}
        return {"step": self.step, "metrics": values}

    def get(self, key: str) -> float | None:
        return self.metrics.get(PREFIX + key)

    @property
    def gpus(self) -> list[int]:
        """The devices with figures, by index."""
        found = {int(m[1]) for key in self.metrics if (m := _GPU.match(key))}
        return sorted(found)


def system_latest(state: TrainerState) -> SystemLatest | None:
    """The newest ``sys/`` figures of ``state``; None when it has none (no live log, or a version 1 one)."""
    keys = sorted((key for key in state.series if key.startswith(PREFIX)), key=lambda k: (system_rank(k), k))
    metrics: dict[str, float] = {}
    step = None
    for key in keys:
        series = state.series[key]
        if len(series):
            metrics[key] = float(series.values[-1])
            last = int(series.steps[-1])
            step = last if step is None else max(step, last)
    return SystemLatest(step, metrics) if step is not None else None


def gib(value: float | None) -> str:
    return DASH if value is None else format_number(value)


def _percent(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.0f}%"


def _memory(used: float | None, total: float | None) -> str:
    """``21.3 / 24 GiB``, or ``21.3 GiB`` without a total."""
    if used is None:
        return DASH
    if total is None or not math.isfinite(total):
        return f"{gib(used)} GiB"
    return f"{gib(used)} / {gib(total)} GiB"


def _torch_memory(latest: SystemLatest, index: int, lang: Lang, *, peak: bool = True) -> str | None:
    """torch's allocated memory: ``18 / 24 GiB`` with the device's total, ``(peak 19.5)`` when asked."""
    alloc = latest.get(f"gpu{index}/mem_alloc")
    if alloc is None:
        return None
    text = _memory(alloc, latest.get(f"gpu{index}/mem_total"))
    high = latest.get(f"gpu{index}/mem_peak")
    return text + (t("sys_peak", lang, value=gib(high)) if peak and high is not None else "")


def compact_rows(latest: SystemLatest, lang: Lang = "en") -> Iterator[tuple[str, str | None]]:
    """The dashboard's resources lines: a line per device (utilisation and memory), one for the process
    (its RSS and CPU): ``GPU0  87% 21.3 / 24 GiB``, ``Process  3.4 GiB · CPU 130%``."""
    yield t("resources", lang), None
    for index in latest.gpus:
        util = latest.get(f"gpu{index}/util")
        used = latest.get(f"gpu{index}/mem_used")
        if used is not None:
            value = _memory(used, latest.get(f"gpu{index}/mem_total"))
            yield f"GPU{index}", f"{_percent(util)} {value}" if util is not None else value
        else:  # torch's figures only (no NVML): the peak too when there is room for it
            total = latest.get(f"gpu{index}/mem_total") is not None
            torch = _torch_memory(latest, index, lang, peak=not total)
            if torch is not None:
                yield f"GPU{index}", torch
    rss, cpu = latest.get("rss"), latest.get("cpu")
    parts = ([f"{gib(rss)} GiB"] if rss is not None else []) + (
        [f"CPU {_percent(cpu)}"] if cpu is not None else []
    )
    if parts:
        yield t("sys_process", lang), " · ".join(parts)
    workers = _workers(latest)
    if workers is not None:
        yield t("sys_workers", lang), workers


def _workers(latest: SystemLatest) -> str | None:
    """``4 · CPU 310%``: the DataLoader's worker processes and their CPU."""
    count, cpu = latest.get("workers"), latest.get("workers_cpu")
    if not count:
        return None
    return f"{count:.0f}" + (f" · CPU {_percent(cpu)}" if cpu is not None else "")


def _process_rows(latest: SystemLatest, lang: Lang) -> Iterator[tuple[str, str]]:
    rss, cpu = latest.get("rss"), latest.get("cpu")
    if rss is not None:
        yield t("sys_rss", lang), f"{gib(rss)} GiB"
    if cpu is not None:
        yield t("sys_cpu", lang), _percent(cpu)
    workers = _workers(latest)
    if workers is not None:
        yield t("sys_workers", lang), workers


def system_rows(latest: SystemLatest, lang: Lang = "en") -> Iterator[tuple[str, str | None]]:
    """``--summary``'s resources section: every figure of the newest record, per device, then the process."""
    yield t("resources_at", lang, step=latest.step), None
    for index in latest.gpus:
        name = f"GPU{index}"

        def get(field: str, index: int = index) -> float | None:
            return latest.get(f"gpu{index}/{field}")

        if get("util") is not None:
            yield f"{name} {t('sys_util', lang)}", _percent(get("util"))
        if get("mem_used") is not None:
            yield f"{name} {t('sys_memory', lang)}", _memory(get("mem_used"), get("mem_total"))
        torch = _torch_memory(latest, index, lang)
        if torch is not None:
            yield f"{name} torch", torch
        if get("mem_reserved") is not None:
            yield f"{name} {t('sys_reserved', lang)}", f"{gib(get('mem_reserved'))} GiB"
        if get("temp") is not None:
            yield f"{name} {t('sys_temp', lang)}", f"{format_number(get('temp'))} °C"
        if get("power") is not None:
            yield f"{name} {t('sys_power', lang)}", f"{format_number(get('power'))} W"
    yield from _process_rows(latest, lang)
