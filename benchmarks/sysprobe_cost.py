"""Rows 11 and 12: what the resource figures cost: the training process per log record, ``--system`` idle.

Ours: :meth:`~trainmon_tui.live.sysprobe.SystemProbe.sample` as the callback calls it at every ``on_log``,
with CUDA "in use" on 8 devices through a fake ``torch.cuda`` and a fake NVML (this machine has no GPU):
the process figures from ``/proc`` and ``getrusage``, one ``memory_stats`` call and five NVML calls per
device, handles kept. The fakes answer at once, so this is the probe's own cost; on a GPU host each NVML
call adds the driver's few microseconds.

The naive way: the probe people write first: ``psutil.Process()`` made at each call, ``/proc/self/status``
read and parsed whole, NVML initialised, every handle looked up again and NVML shut down at each call
(through the same fake: its init is free here, where the real ``nvmlInit`` costs milliseconds on a GPU
host). The note gives the log call itself (``on_log`` writing its record, without the probe) for scale.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from benchmarks.util import Row, interleaved, median

DEVICES = 8
CALLS = 200  # probe calls per timed repeat

Log = Callable[[str], None]


class _Cuda:
    def is_initialized(self) -> bool:
        return True

    def current_device(self) -> int:
        return 0

    def device_count(self) -> int:
        return DEVICES

    def memory_stats(self, index: int) -> dict[str, int]:
        return {"allocated_bytes.all.current": 1 << 33, "reserved_bytes.all.current": 1 << 34,
                "allocated_bytes.all.peak": 1 << 34}  # fmt: skip

    def get_device_properties(self, index: int) -> Any:
        return SimpleNamespace(uuid=f"uuid-{index}")


class _Nvml:
    NVML_TEMPERATURE_GPU = 0

    def nvmlInit(self) -> None:
        pass

    def nvmlShutdown(self) -> None:
        pass

    def nvmlDeviceGetCount(self) -> int:
        return DEVICES

    def nvmlDeviceGetHandleByUUID(self, uuid: str) -> str:
        return uuid

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetUtilizationRates(self, handle: Any) -> Any:
        return SimpleNamespace(gpu=90, memory=50)

    def nvmlDeviceGetMemoryInfo(self, handle: Any) -> Any:
        return SimpleNamespace(used=1 << 34, total=1 << 35, free=1 << 34)

    def nvmlDeviceGetTemperature(self, handle: Any, sensor: int) -> int:
        return 70

    def nvmlDeviceGetPowerUsage(self, handle: Any) -> int:
        return 300_000


def _naive_probe(nv: _Nvml, cuda: _Cuda) -> dict[str, Any]:
    try:
        import psutil
    except ImportError:  # not in the test extra (the smoke test runs without it): getrusage instead
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        memory = SimpleNamespace(rss=usage.ru_maxrss * 1024)
        times = SimpleNamespace(user=usage.ru_utime, system=usage.ru_stime)
    else:
        process = psutil.Process()
        memory, times = process.memory_info(), process.cpu_times()
    with open("/proc/self/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    nv.nvmlInit()
    gpus = []
    for index in range(nv.nvmlDeviceGetCount()):
        handle = nv.nvmlDeviceGetHandleByIndex(index)
        stats = cuda.memory_stats(index)
        gpus.append(
            {
                "util": nv.nvmlDeviceGetUtilizationRates(handle).gpu,
                "mem_used": nv.nvmlDeviceGetMemoryInfo(handle).used,
                "mem_total": nv.nvmlDeviceGetMemoryInfo(handle).total,
                "temp": nv.nvmlDeviceGetTemperature(handle, 0),
                "power": nv.nvmlDeviceGetPowerUsage(handle) / 1000,
                "alloc": stats["allocated_bytes.all.current"],
            }
        )
    nv.nvmlShutdown()
    return {
        "rss": memory.rss,
        "cpu": times.user + times.system,
        "threads": status.get("Threads"),
        "gpus": gpus,
    }


def row_sysprobe(repeats: int, log: Log) -> Row:
    from trainmon_tui.live.sysprobe import SystemProbe

    cuda, nv = _Cuda(), _Nvml()
    saved = sys.modules.get("torch")
    sys.modules["torch"] = SimpleNamespace(cuda=cuda)  # type: ignore[assignment]
    try:
        probe = SystemProbe(nvml=nv)
        sample = probe.sample()
        assert sample is not None and len(sample["gpus"]) == DEVICES, sample

        def ours() -> None:
            for _ in range(CALLS):
                probe.sample()

        def naive() -> None:
            for _ in range(CALLS):
                _naive_probe(nv, cuda)

        naive()  # warm-up: psutil's import
        a, b = interleaved(ours, naive, repeats)
        log_call = _log_call_seconds(repeats)
    finally:
        if saved is None:
            sys.modules.pop("torch", None)
        else:
            sys.modules["torch"] = saved
    per_ours, per_naive = median(a) / CALLS * 1e6, median(b) / CALLS * 1e6
    record = len(json.dumps(sample, separators=(",", ":")))
    log(f"sys probe: {per_ours:.1f} µs a record (naive {per_naive:.1f} µs, log call {log_call:.1f} µs)")
    return Row(
        "11",
        f"the callback's `sys` probe per log record: process figures + {DEVICES} CUDA devices "
        "(fake torch.cuda and NVML: the probe's own cost)",
        "<= 1 ms a log record on the CPU",
        per_ours,
        per_naive,
        "psutil.Process(), /proc/self/status parsed, NVML init + handle lookups + shutdown at every call",
        "µs",
        per_ours < 1000,
        note=f"the log call itself (on_log writing its record, no probe) takes {log_call:.0f} µs; "
        f"the `sys` object adds {record} bytes to the line",
    )


def _log_call_seconds(repeats: int) -> float:
    """µs of one ``on_log`` without the probe (``system=False``), writing to a temporary live log."""
    from trainmon_tui.callback import TrainmonCallback

    with tempfile.TemporaryDirectory(prefix="trainmon-bench-") as folder:
        callback = TrainmonCallback(system=False)
        args = SimpleNamespace(output_dir=str(Path(folder)))
        state = SimpleNamespace(global_step=1, epoch=0.1, log_history=[], is_world_process_zero=True)
        logs = {"loss": 0.5, "grad_norm": 1.2, "learning_rate": 1e-4, "epoch": 0.1}

        def calls() -> None:
            for _ in range(CALLS):
                callback.on_log(args, state, None, logs=logs)

        times, _ = interleaved(calls, lambda: None, repeats)
    return median(times) / CALLS * 1e6


def row_system_idle(n: int, idle_seconds: float, log: Log) -> Row:
    """Row 12: the dashboard's CPU while idle with ``--system`` (a host sample every 2 s, in its pane),
    next to the same dashboard without it: the same run, the same window, tmux at 80x24."""
    import time

    from benchmarks import data
    from benchmarks.tmux import TmuxPane, cpu_seconds
    from benchmarks.util import clean_env, console_script

    outputs = data.run_folder(n)
    env = clean_env()
    with TmuxPane(80, 24, env) as with_pane, TmuxPane(80, 24, env) as without_pane:
        with_pane.start([*console_script(), str(outputs), "--system"])
        without_pane.start([*console_script(), str(outputs)])
        with_pane.wait_for([f"checkpoint-{n}", "This host", "Mem "], timeout=120)
        without_pane.wait_for([f"checkpoint-{n}"], timeout=120)
        time.sleep(3.0)  # past start-up and the first samples
        pids = with_pane.pid(), without_pane.pid()
        before, wall = [cpu_seconds(pid) for pid in pids], time.perf_counter()
        time.sleep(idle_seconds)
        used = [cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
        wall = time.perf_counter() - wall
    ours, base = (u / wall * 100 for u in used)
    log(f"--system idle: {ours:.2f}% of a core over {wall:.0f} s; without it {base:.2f}%")
    return Row(
        "12",
        f"CPU while idle with `--system` (this host sampled every 2 s), dashboard on the {n:,}-entry run, "
        f"tmux 80x24, over {wall:.0f} s (utime+stime from /proc/PID/stat)",
        "<= 1% of one core",
        ours,
        base,
        "the same dashboard without `--system`, same run, same window",
        "%",
        ours <= 1.0,
        note=f"--system's own share: {ours - base:+.2f} points of a core",
    )
