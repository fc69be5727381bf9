"""The training process's resource probe: process figures, a fake torch.cuda and a fake NVML, failures."""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trainmon_tui.callback import TrainmonCallback
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.schema import LIVE_LOG_FILE, SCHEMA_VERSION
from trainmon_tui.live.sysprobe import Nvml, SystemProbe, Workers, process_figures, visible_nvml_indices

GIB = 1 << 30


class FakeCuda:
    """torch.cuda as the probe uses it: two visible devices, this process on device 0 only."""

    def __init__(self, *, initialized: bool = True, uuids: tuple[str, ...] = ("aaaa", "bbbb")) -> None:
        self.initialized = initialized
        self.uuids = uuids
        self.calls = 0

    def is_initialized(self) -> bool:
        return self.initialized

    def is_available(self) -> bool:
        return True

    def current_device(self) -> int:
        return 0

    def device_count(self) -> int:
        return len(self.uuids)

    def memory_stats(self, index: int) -> dict[str, int]:
        self.calls += 1
        if index == 0:
            return {
                "allocated_bytes.all.current": 2 * GIB,
                "reserved_bytes.all.current": 3 * GIB,
                "allocated_bytes.all.peak": 5 * GIB // 2,
            }
        return {}  # another rank's device: nothing reserved by this process

    def max_memory_allocated(self) -> int:
        return 5 * GIB // 2

    def get_device_properties(self, index: int) -> Any:
        return SimpleNamespace(uuid=self.uuids[index], total_memory=24 * GIB)


class NVMLError_NotSupported(Exception):
    pass


class FakeNvml:
    """pynvml's calls the probe makes, counted; device ``GPU-aaaa`` has no power sensor."""

    NVML_TEMPERATURE_GPU = 0

    def __init__(self, *, fail_init: Exception | None = None) -> None:
        self.fail_init = fail_init
        self.inits = 0
        self.handles: list[Any] = []
        self.broken = False

    def nvmlInit(self) -> None:
        self.inits += 1
        if self.fail_init is not None:
            raise self.fail_init

    def nvmlDeviceGetCount(self) -> int:
        return 2

    def nvmlDeviceGetHandleByUUID(self, uuid: str) -> Any:
        self.handles.append(uuid)
        return uuid

    def nvmlDeviceGetHandleByIndex(self, index: int) -> Any:
        self.handles.append(index)
        return f"GPU-{index}"

    def nvmlDeviceGetUtilizationRates(self, handle: Any) -> Any:
        if self.broken:
            raise RuntimeError("GPU is lost")
        return SimpleNamespace(gpu=87, memory=40)

    def nvmlDeviceGetMemoryInfo(self, handle: Any) -> Any:
        return SimpleNamespace(used=10 * GIB, total=24 * GIB, free=14 * GIB)

    def nvmlDeviceGetTemperature(self, handle: Any, sensor: int) -> int:
        return 65

    def nvmlDeviceGetPowerUsage(self, handle: Any) -> int:
        if handle == "GPU-aaaa":
            raise NVMLError_NotSupported("Not Supported")
        return 250_500  # mW


@pytest.fixture
def cuda(monkeypatch: pytest.MonkeyPatch) -> FakeCuda:
    fake = FakeCuda()
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(cuda=fake))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    return fake


def test_process_figures_are_this_process() -> None:
    figures = process_figures()
    assert figures["pid"] == os.getpid()
    assert figures["cpu_time"] >= 0
    if os.path.exists("/proc/self/statm"):
        status = Path("/proc/self/status").read_text()
        rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        assert abs(figures["rss"] - rss_kb * 1024) < 64 << 20  # the same figure, give or take the moment
        assert figures["rss_peak"] >= figures["rss"] // 2


def test_without_torch_there_are_no_gpu_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    sample = SystemProbe(nvml=FakeNvml()).sample()
    assert sample is not None and "gpus" not in sample and "rss" in sample


def test_cuda_not_initialised_is_never_touched(cuda: FakeCuda) -> None:
    cuda.initialized = False
    nvml = FakeNvml()
    sample = SystemProbe(nvml=nvml).sample()
    assert sample is not None and "gpus" not in sample
    assert cuda.calls == 0 and nvml.inits == 0


def test_torch_and_nvml_figures_per_device_this_process_uses(cuda: FakeCuda) -> None:
    nvml = FakeNvml()
    probe = SystemProbe(nvml=nvml)
    first = probe.sample()
    assert first is not None
    assert first["gpus"] == [
        {
            "index": 0,
            "mem_alloc": 2 * GIB,
            "mem_reserved": 3 * GIB,
            "mem_peak": 5 * GIB // 2,
            "util": 87,
            "mem_used": 10 * GIB,
            "mem_total": 24 * GIB,
            "temp": 65,  # no power: its sensor is not supported, quietly left out
        }
    ]
    for _ in range(5):
        probe.sample()
    assert nvml.inits == 1  # NVML initialised once, handles looked up once (by the devices' UUIDs)
    assert nvml.handles == ["GPU-aaaa", "GPU-bbbb"]


def test_cuda_visible_devices_maps_to_nvml_devices(cuda: FakeCuda, monkeypatch: pytest.MonkeyPatch) -> None:
    assert visible_nvml_indices(4, None) == [0, 1, 2, 3]
    assert visible_nvml_indices(4, "2,0") == [2, 0]
    assert visible_nvml_indices(4, "GPU-x,1") == ["GPU-x", 1]
    assert visible_nvml_indices(4, "1,oops,2") == [1]
    assert visible_nvml_indices(4, "") == []
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,0")
    cuda.uuids = ("", "")  # torch gives no UUID: NVML's index from CUDA_VISIBLE_DEVICES
    nvml = FakeNvml()
    sample = SystemProbe(nvml=nvml).sample()
    assert sample is not None and nvml.handles == [1, 0]
    assert sample["gpus"][0]["power"] == 250.5  # device 0 is NVML's device 1, which has a power sensor


def test_no_nvml_driver_is_no_failure(cuda: FakeCuda) -> None:
    nvml = FakeNvml(fail_init=RuntimeError("NVML Shared Library Not Found"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all
        sample = SystemProbe(nvml=nvml).sample()
    assert sample is not None
    assert sample["gpus"] == [  # torch's figures alone, the device's memory from its properties
        {
            "index": 0,
            "mem_alloc": 2 * GIB,
            "mem_reserved": 3 * GIB,
            "mem_peak": 5 * GIB // 2,
            "mem_total": 24 * GIB,
        }
    ]
    assert not Nvml(FakeNvml(fail_init=RuntimeError("Driver Not Loaded"))).available


def test_a_failing_probe_is_dropped_with_one_warning(cuda: FakeCuda) -> None:
    nvml = FakeNvml()
    probe = SystemProbe(nvml=nvml)
    assert probe.sample() is not None
    nvml.broken = True
    with pytest.warns(RuntimeWarning, match="NVML probe failed .*GPU is lost.* off for this run") as caught:
        for _ in range(10):
            sample = probe.sample()
            assert sample is not None
            assert sample["gpus"][0]["mem_alloc"] == 2 * GIB  # torch's figures go on
            assert "util" not in sample["gpus"][0]
    assert len(caught) == 1


def test_a_broken_torch_cuda_never_raises_into_the_training(cuda: FakeCuda, tmp_path: Path) -> None:
    def boom(index: int) -> dict[str, int]:
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    cuda.memory_stats = boom  # type: ignore[method-assign]
    callback = TrainmonCallback()
    args = SimpleNamespace(output_dir=str(tmp_path))
    state = SimpleNamespace(global_step=1, epoch=0.1, log_history=[], is_world_process_zero=True)
    with pytest.warns(RuntimeWarning, match="torch.cuda probe failed") as caught:
        for step in (1, 2, 3):
            state.global_step = step
            callback.on_log(args, state, None, logs={"loss": 1.0})
    assert len(caught) == 1
    live = read_live_log(tmp_path)
    assert [r.step for r in live.logs] == [1, 2, 3]
    assert all(r.system is not None and r.system.rss and not r.system.gpus for r in live.logs)


def test_every_log_record_carries_sys_and_the_start_record_says_version_2(
    cuda: FakeCuda, tmp_path: Path
) -> None:
    callback = TrainmonCallback()
    callback._probe = SystemProbe(nvml=FakeNvml())
    args = SimpleNamespace(output_dir=str(tmp_path))
    state = SimpleNamespace(global_step=0, epoch=0.0, log_history=[], is_world_process_zero=True)
    callback.on_train_begin(args, state, None)
    for step in (1, 2):
        state.global_step = step
        callback.on_log(args, state, None, logs={"loss": 1.0})
    raw = [json.loads(line) for line in (tmp_path / LIVE_LOG_FILE).read_text().splitlines()]
    assert raw[0]["v"] == SCHEMA_VERSION == 2
    assert all("sys" in record for record in raw[1:])
    live = read_live_log(tmp_path)
    gpu = live.logs[-1].system.gpus[0]  # type: ignore[union-attr]
    assert (gpu.index, gpu.util, gpu.mem_used, gpu.mem_total, gpu.temp) == (0, 87, 10 * GIB, 24 * GIB, 65)


def test_system_false_writes_no_sys(tmp_path: Path) -> None:
    callback = TrainmonCallback(system=False)
    args = SimpleNamespace(output_dir=str(tmp_path))
    callback.on_log(args, SimpleNamespace(global_step=1, epoch=0.1, log_history=[]), None, logs={"loss": 1.0})
    assert "sys" not in json.loads((tmp_path / LIVE_LOG_FILE).read_text())


def test_dataloader_like_workers_are_counted_with_their_cpu() -> None:
    if not Path(f"/proc/self/task/{os.getpid()}/children").exists():
        pytest.skip("no /proc/PID/task/TID/children here")
    import subprocess
    import time

    workers = Workers()
    assert "workers" not in workers.figures()  # no child yet
    busy = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 20\nwhile time.time() < end: pass"]
    )
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(20)"])
    try:
        time.sleep(0.3)
        first = workers.figures()
        assert first == {"workers": 2}  # their CPU from the next sample on: since this one
        time.sleep(1.0)
        second = workers.figures()
        assert second["workers"] == 2
        assert 20 <= second["workers_cpu"] <= 210  # one child spinning: about one core (a shared machine)
    finally:
        busy.kill()
        idle.kill()
        busy.wait()
        idle.wait()
    assert "workers" not in workers.figures()  # reaped: gone


def test_a_uuid_and_an_index_in_cuda_visible_devices_get_their_own_devices(
    cuda: FakeCuda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-bbbb,0")
    cuda.uuids = ("", "")  # torch says no UUID: CUDA_VISIBLE_DEVICES decides
    nvml = FakeNvml()
    probe = SystemProbe(nvml=nvml)
    probe.sample()
    assert nvml.handles == ["GPU-bbbb", 0]  # device 0 by its UUID, device 1 as NVML's index 0
    assert list(probe._nvml_map.values()) == ["GPU-bbbb", "GPU-0"]
