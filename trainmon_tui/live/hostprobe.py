"""This host, sampled for ``--system``: CPU and memory (psutil, or ``/proc``), each GPU through NVML.

:class:`HostProbe` keeps what it needs between samples (the CPU counters, NVML and its handles, from
:mod:`.sysprobe`'s :class:`~.sysprobe.Nvml`), so that a sample every 2 s costs a few hundred
microseconds: psutil's ``cpu_percent`` (since the previous call) and ``virtual_memory``, or, without
psutil, one read each of ``/proc/stat`` and ``/proc/meminfo``; NVML per device: name, utilisation,
memory, temperature, power. Without NVML (no library, no driver, no GPU) :attr:`HostSample.gpu_note` says
why, in one line. Never raises: a figure that cannot be read is None.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from trainmon_tui.live.sysprobe import Nvml


@dataclass(frozen=True, slots=True)
class HostGpu:
    index: int
    name: str
    util: float | None
    mem_used: float | None  # bytes
    mem_total: float | None
    temp: float | None
    power: float | None


@dataclass(frozen=True, slots=True)
class HostSample:
    cpu_percent: float | None  # of all cores together (0 to 100), since the previous sample
    cores: int
    mem_used: float | None  # bytes: total less available
    mem_total: float | None
    load: tuple[float, float, float] | None
    gpus: tuple[HostGpu, ...]
    gpu_note: str | None  # why there is no GPU figure (None when NVML answers)
    source: str  # "psutil" or "/proc"


def _proc_cpu() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from ``/proc/stat``'s first line."""
    try:
        with open("/proc/stat", "rb") as f:
            first = f.readline().split()
    except OSError:
        return None
    if not first or first[0] != b"cpu":
        return None
    ticks = [int(x) for x in first[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    total = sum(ticks[:8])  # guest times are counted in user already
    return total - idle, total


def _proc_memory() -> tuple[float, float] | None:
    """(used, total) bytes from ``/proc/meminfo``: used is MemTotal less MemAvailable."""
    fields: dict[bytes, int] = {}
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                name, _, rest = line.partition(b":")
                if name in (b"MemTotal", b"MemAvailable"):
                    fields[name] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    if len(fields) < 2:
        return None
    return float(fields[b"MemTotal"] - fields[b"MemAvailable"]), float(fields[b"MemTotal"])


NO_DRIVER = "no NVIDIA driver"
NO_NVML = "nvidia-ml-py not installed"


def _short(reason: str) -> str:
    """NVML's reason for no GPU, in a few words: no library or driver is :data:`NO_DRIVER`."""
    lowered = reason.lower()
    if "library not found" in lowered or "driver not loaded" in lowered or "no such file" in lowered:
        return NO_DRIVER
    if "not installed" in lowered:
        return NO_NVML
    return reason or "NVML not available"


class HostProbe:
    """This host's figures, one :meth:`sample` at a time. ``psutil`` / ``nvml``: modules to use (tests
    pass fakes, or False for none); None imports them when installed."""

    def __init__(self, *, psutil: Any = None, nvml: Any = None) -> None:
        if psutil is None:
            try:
                import psutil as installed

                psutil = installed
            except ImportError:
                psutil = False
        self.psutil = psutil or None
        self.nvml = Nvml(nvml) if nvml is not False else None
        self._cpu = _proc_cpu()
        if self.psutil is not None:
            self.psutil.cpu_percent(None)  # the baseline for the first sample
        self._names: dict[int, str] = {}
        self._nvml_failed = ""

    def sample(self) -> HostSample:
        cpu, memory = self._cpu_percent(), self._memory()
        try:
            load: tuple[float, float, float] | None = os.getloadavg()
        except (OSError, AttributeError):
            load = None
        gpus, note = self._gpus()
        return HostSample(
            cpu_percent=cpu,
            cores=os.cpu_count() or 1,
            mem_used=memory[0] if memory else None,
            mem_total=memory[1] if memory else None,
            load=load,
            gpus=gpus,
            gpu_note=note,
            source="psutil" if self.psutil is not None else "/proc",
        )

    def _cpu_percent(self) -> float | None:
        if self.psutil is not None:
            try:
                return float(self.psutil.cpu_percent(None))
            except Exception:
                return None
        now, before = _proc_cpu(), self._cpu
        self._cpu = now
        if now is None or before is None or now[1] <= before[1]:
            return None
        return 100.0 * (now[0] - before[0]) / (now[1] - before[1])

    def _memory(self) -> tuple[float, float] | None:
        if self.psutil is not None:
            try:
                vm = self.psutil.virtual_memory()
                return float(vm.total - vm.available), float(vm.total)
            except Exception:
                return None
        return _proc_memory()

    def _gpus(self) -> tuple[tuple[HostGpu, ...], str | None]:
        nvml = self.nvml
        if nvml is None:
            return (), "NVML: off"
        if not nvml.available:
            return (), _short(nvml.reason)
        if self._nvml_failed:
            return (), self._nvml_failed
        try:
            gpus = tuple(self._gpu(nvml, index) for index in range(nvml.count()))
        except Exception as exc:  # a lost GPU, a driver reloaded: said once, in the pane
            self._nvml_failed = f"NVML: {type(exc).__name__}: {exc}"
            return (), self._nvml_failed
        return gpus, None if gpus else "NVML: no GPU"

    def _gpu(self, nvml: Nvml, index: int) -> HostGpu:
        handle = nvml.handle(index)
        if index not in self._names:
            try:
                name = nvml.nv.nvmlDeviceGetName(handle)
                self._names[index] = name.decode() if isinstance(name, bytes) else str(name)
            except Exception:
                self._names[index] = ""
        figures = nvml.figures(index, handle)
        return HostGpu(
            index=index,
            name=self._names[index],
            util=figures.get("util"),
            mem_used=figures.get("mem_used"),
            mem_total=figures.get("mem_total"),
            temp=figures.get("temp"),
            power=figures.get("power"),
        )
