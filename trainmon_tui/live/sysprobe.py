"""What the training process uses, sampled at each log: its memory and CPU time, each GPU's figures.

:class:`SystemProbe` is called by :class:`~trainmon_tui.callback.TrainmonCallback` once per ``log``
record; :meth:`SystemProbe.sample` returns the record's ``sys`` object (``docs/live-log.md``):

- the process: resident memory (``rss``, ``/proc/self/statm``), its peak (``rss_peak``, ``getrusage``),
  CPU time of all its threads (``cpu_time``, seconds) and ``pid``; its child processes (DataLoader
  workers: ``workers``, their ``workers_cpu`` in % of one core since the previous sample);
- where CUDA is in use (an already imported torch with CUDA initialised: this module never imports torch
  and never initialises CUDA), per visible device this process holds memory on: ``mem_alloc``,
  ``mem_reserved``, ``mem_peak`` (bytes, one ``torch.cuda.memory_stats`` call per device), ``mem_total``
  (the device's memory, looked up once), and when
  ``pynvml`` (nvidia-ml-py) is importable: ``util`` (%), ``mem_used`` / ``mem_total`` (bytes), ``temp``
  (°C), ``power`` (W). NVML is initialised once and its handles are kept.

Nothing here may stop the training: a probe that raises is dropped for the rest of the run with one
``RuntimeWarning``; a figure the device does not support (``NVMLError_NotSupported``) is dropped quietly.
No NVML library or driver is no failure either: the GPU figures are then torch's alone.

Standard library only (pynvml is imported on the first sample, and only if it is there): the training
process imports it. :class:`Nvml` is reused by :mod:`.hostprobe` for this host's GPUs.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# ru_maxrss is in KiB on Linux, in bytes on macOS.
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024
_STATM = "/proc/self/statm"
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
MAX_WORKERS = 64  # child processes looked at, at most


def warn_once(what: str, exc: BaseException) -> None:
    warnings.warn(
        f"trainmon: the {what} probe failed ({type(exc).__name__}: {exc}); it is off for this run",
        RuntimeWarning,
        stacklevel=5,  # the callback's hook: warn_once < _guard < sample < on_log
    )


def process_figures() -> dict[str, Any]:
    """This process: ``rss`` (bytes, Linux), ``rss_peak`` (bytes), ``cpu_time`` (s, all threads), ``pid``."""
    figures: dict[str, Any] = {"pid": os.getpid()}
    try:
        fd = os.open(_STATM, os.O_RDONLY)
    except OSError:
        pass
    else:
        try:
            fields = os.read(fd, 128).split()
        finally:
            os.close(fd)
        figures["rss"] = int(fields[1]) * _PAGE
    if resource is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        figures["rss_peak"] = int(usage.ru_maxrss) * _MAXRSS_UNIT
        figures["cpu_time"] = round(usage.ru_utime + usage.ru_stime, 4)
    else:
        figures["cpu_time"] = round(time.process_time(), 4)
    return figures


class Workers:
    """This process's child processes (the DataLoader's workers, which its own CPU time leaves out): how
    many, and their CPU % of one core since the previous sample, per child seen both times (a worker
    respawned at an epoch's start counts from its second sample). Linux only (``/proc/self/task/PID/
    children``); nothing elsewhere, or without children."""

    def __init__(self) -> None:
        self._cpu: dict[int, float] = {}
        self._at = 0.0

    def figures(self) -> dict[str, Any]:
        try:
            with open(f"/proc/self/task/{os.getpid()}/children", "rb") as f:
                children = f.read().split()[:MAX_WORKERS]
        except OSError:
            return {}
        now, cpu = time.monotonic(), {}
        for child in children:
            try:
                with open(b"/proc/%s/stat" % child, "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            cpu[int(child)] = (int(fields[11]) + int(fields[12])) / _TICKS
        figures: dict[str, Any] = {"workers": len(cpu)} if cpu else {}
        known = [(pid, used) for pid, used in cpu.items() if pid in self._cpu and used >= self._cpu[pid]]
        if known and now > self._at:
            busy = sum(used - self._cpu[pid] for pid, used in known)
            figures["workers_cpu"] = round(100.0 * busy / (now - self._at), 1)
        self._cpu, self._at = cpu, now
        return figures


def cuda_in_use() -> Any:
    """``torch.cuda`` when torch is already imported and this process initialised CUDA, else None."""
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    if cuda is None:
        return None
    is_initialized = getattr(cuda, "is_initialized", None)
    return cuda if callable(is_initialized) and is_initialized() else None


def torch_figures(cuda: Any, totals: dict[int, int | None]) -> dict[int, dict[str, int]]:
    """Per visible device this process holds memory on (and the current one): torch's allocator figures,
    and the device's memory (``total_memory``, looked up once into ``totals``)."""
    current = int(cuda.current_device())
    devices: dict[int, dict[str, int]] = {}
    for index in range(int(cuda.device_count())):
        stats = cuda.memory_stats(index)
        reserved = int(stats.get("reserved_bytes.all.current", 0))
        if reserved == 0 and index != current:
            continue  # another process's device (another rank): its figures are not this run's
        devices[index] = {
            "mem_alloc": int(stats.get("allocated_bytes.all.current", 0)),
            "mem_reserved": reserved,
            "mem_peak": int(stats.get("allocated_bytes.all.peak", 0)),
        }
        if index not in totals:
            total = getattr(cuda.get_device_properties(index), "total_memory", None)
            totals[index] = int(total) if isinstance(total, int) and total > 0 else None
        if totals[index] is not None:
            devices[index]["mem_total"] = totals[index]  # type: ignore[assignment]
    return devices


class Nvml:
    """NVML, initialised once, its device handles kept: utilisation, memory, temperature, power.

    ``module`` is pynvml (a fake in tests); None imports it now, and :attr:`available` is False when it
    cannot be imported or NVML has no library or driver (no GPU here: no failure).
    """

    FIELDS = ("util", "mem_used", "mem_total", "temp", "power")

    def __init__(self, module: Any = None) -> None:
        self.nv: Any = module
        self.available = False
        self.reason = ""
        self._handles: dict[int | str, Any] = {}
        self._unsupported: set[tuple[int, str]] = set()
        if self.nv is None:
            try:
                with warnings.catch_warnings():  # the old "pynvml" package warns that it is deprecated
                    warnings.simplefilter("ignore")
                    import pynvml

                self.nv = pynvml
            except Exception:
                self.reason = "nvidia-ml-py is not installed"
                return
        try:
            self.nv.nvmlInit()
        except Exception as exc:  # no library, no driver, no device: nothing to sample
            self.reason = f"NVML: {exc}".strip()
            return
        self.available = True

    def count(self) -> int:
        return int(self.nv.nvmlDeviceGetCount()) if self.available else 0

    def handle(self, index: int, uuid: str | None = None) -> Any:
        """The handle of the device with this UUID, or else of NVML device ``index``; kept once looked up."""
        key: int | str = uuid or index
        if key not in self._handles:
            handle = None
            if uuid:
                try:
                    handle = self.nv.nvmlDeviceGetHandleByUUID(uuid)
                except Exception:
                    handle = None
            self._handles[key] = handle if handle is not None else self.nv.nvmlDeviceGetHandleByIndex(index)
        return self._handles[key]

    def figures(self, key: int, handle: Any) -> dict[str, float]:
        """One device's figures; a figure it does not support is dropped for good, quietly."""
        nv, out = self.nv, {}
        memory: Any = None
        for name in self.FIELDS:
            if (key, name) in self._unsupported:
                continue
            try:
                if name == "util":
                    value: float = nv.nvmlDeviceGetUtilizationRates(handle).gpu
                elif name == "temp":
                    value = nv.nvmlDeviceGetTemperature(handle, getattr(nv, "NVML_TEMPERATURE_GPU", 0))
                elif name == "power":
                    value = round(nv.nvmlDeviceGetPowerUsage(handle) / 1000.0, 1)  # mW
                else:
                    memory = memory or nv.nvmlDeviceGetMemoryInfo(handle)
                    value = memory.used if name == "mem_used" else memory.total
            except Exception as exc:
                if "NotSupported" in type(exc).__name__ or "Not Supported" in str(exc):
                    self._unsupported.add((key, name))
                    continue
                raise
            out[name] = value if name == "power" else int(value)
        return out


def visible_nvml_indices(count: int, env: str | None) -> list[int | str]:
    """The NVML device of each CUDA device index, from ``CUDA_VISIBLE_DEVICES`` (indices or UUIDs): a
    list as long as the visible devices; unset means every device in order."""
    if env is None:
        return list(range(count))
    picked: list[int | str] = []
    for part in env.split(","):
        part = part.strip()
        if part.isdigit():
            picked.append(int(part))
        elif part.startswith("GPU-"):
            picked.append(part)
        else:
            break  # CUDA stops at the first entry it cannot read
    return picked


class SystemProbe:
    """The ``sys`` object of each log record. ``nvml``: a pynvml module (tests pass a fake); None imports
    it on the first sample where CUDA is in use."""

    def __init__(self, nvml: Any = None) -> None:
        self._nvml_module = nvml
        self._nvml: Nvml | None = None
        self._nvml_map: dict[int, Any] = {}
        self._totals: dict[int, int | None] = {}  # each device's memory, from torch, looked up once
        self._workers = Workers()
        self.failed: set[str] = set()  # the probes that raised once: off for the rest of the run

    def sample(self) -> dict[str, Any] | None:
        """The figures now; None when every probe is off. Never raises."""
        figures: dict[str, Any] = self._guard("process", process_figures) or {}
        figures.update(self._guard("workers", self._workers.figures) or {})
        cuda = self._guard("torch.cuda", cuda_in_use)
        devices: dict[int, dict[str, Any]] = (
            (self._guard("torch.cuda", lambda: torch_figures(cuda, self._totals)) or {}) if cuda else {}
        )
        if devices:
            nvml = self._guard("NVML", lambda: self._nvml_for(cuda))
            if nvml is not None:
                self._guard("NVML", lambda: self._nvml_figures(nvml, devices))
            figures["gpus"] = [{"index": index, **values} for index, values in sorted(devices.items())]
        return figures or None

    def _guard(self, what: str, probe: Callable[[], Any]) -> Any:
        """``probe()``, or None once it has failed: it warns once and is off for the rest of the run."""
        if what in self.failed:
            return None
        try:
            return probe()
        except Exception as exc:
            self.failed.add(what)
            warn_once(what, exc)
            return None

    def _nvml_figures(self, nvml: Nvml, devices: dict[int, dict[str, Any]]) -> None:
        for index, values in devices.items():
            handle = self._nvml_map.get(index)
            if handle is not None:
                values.update(nvml.figures(index, handle))

    def _nvml_for(self, cuda: Any) -> Nvml | None:
        """NVML, its handles matched to the CUDA devices on the first call (by UUID where torch says it)."""
        if self._nvml is None:
            self._nvml = Nvml(self._nvml_module)
            if self._nvml.available:
                nvml_ids = visible_nvml_indices(self._nvml.count(), os.environ.get("CUDA_VISIBLE_DEVICES"))
                for index, nvml_id in enumerate(nvml_ids[: int(cuda.device_count())]):
                    uuid = nvml_id if isinstance(nvml_id, str) else _torch_uuid(cuda, index)
                    position = nvml_id if isinstance(nvml_id, int) else index
                    self._nvml_map[index] = self._nvml.handle(position, uuid)
        return self._nvml if self._nvml.available else None


def _torch_uuid(cuda: Any, index: int) -> str | None:
    """The device's UUID as NVML spells it (``GPU-...``), where torch gives it."""
    try:
        uuid = getattr(cuda.get_device_properties(index), "uuid", None)
    except Exception:
        return None
    text = str(uuid) if uuid is not None else ""
    if not text:
        return None
    return text if text.startswith("GPU-") else f"GPU-{text}"
