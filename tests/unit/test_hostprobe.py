"""``--system``'s sampling of this host (fake psutil and NVML, and /proc) and its text at every width."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest
from rich.cells import cell_len

from trainmon_tui.live.hostprobe import HostGpu, HostProbe, HostSample
from trainmon_tui.views.hostview import bar, host_text

GIB = 1 << 30


class FakePsutil:
    def __init__(self) -> None:
        self.percents = iter([0.0, 37.5, 50.0])

    def cpu_percent(self, interval: Any) -> float:
        assert interval is None  # never blocks
        return next(self.percents)

    def virtual_memory(self) -> Any:
        return SimpleNamespace(total=32 * GIB, available=20 * GIB)


class FakeNvml:
    NVML_TEMPERATURE_GPU = 0

    def __init__(self, count: int = 2, fail: Exception | None = None) -> None:
        self.count, self.fail, self.inits = count, fail, 0

    def nvmlInit(self) -> None:
        self.inits += 1
        if self.fail is not None:
            raise self.fail

    def nvmlDeviceGetCount(self) -> int:
        return self.count

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetName(self, handle: int) -> bytes:
        return b"NVIDIA A100-SXM4-80GB\x1b[31m"

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> Any:
        return SimpleNamespace(gpu=[98, 3][handle])

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> Any:
        return SimpleNamespace(used=[78 * GIB, GIB][handle], total=80 * GIB)

    def nvmlDeviceGetTemperature(self, handle: int, sensor: int) -> int:
        return 71

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:
        return 412_000


def test_psutil_and_nvml_figures() -> None:
    nvml = FakeNvml()
    probe = HostProbe(psutil=FakePsutil(), nvml=nvml)
    first, second = probe.sample(), probe.sample()
    assert (first.cpu_percent, second.cpu_percent) == (37.5, 50.0)  # since the previous call
    assert (first.mem_used, first.mem_total, first.source) == (12 * GIB, 32 * GIB, "psutil")
    assert first.gpu_note is None and [g.index for g in first.gpus] == [0, 1]
    gpu = first.gpus[0]
    assert (gpu.util, gpu.mem_used, gpu.mem_total, gpu.temp, gpu.power) == (98, 78 * GIB, 80 * GIB, 71, 412.0)
    assert nvml.inits == 1


def test_proc_without_psutil() -> None:
    if not os.path.exists("/proc/stat"):
        pytest.skip("no /proc here")
    probe = HostProbe(psutil=False, nvml=False)
    sum(i * i for i in range(200_000))  # some CPU between the two readings
    sample = probe.sample()
    assert sample.source == "/proc" and sample.cores == os.cpu_count()
    assert sample.cpu_percent is None or 0 <= sample.cpu_percent <= 100
    assert sample.mem_total is not None and 0 < sample.mem_used < sample.mem_total  # type: ignore[operator]
    assert sample.gpus == () and sample.gpu_note == "NVML: off"


@pytest.mark.parametrize(
    ("error", "note"),
    [
        (RuntimeError("NVML Shared Library Not Found"), "no NVIDIA driver"),
        (RuntimeError("Driver Not Loaded"), "no NVIDIA driver"),
        (RuntimeError("Insufficient Permissions"), "NVML: Insufficient Permissions"),
    ],
)
def test_no_gpu_says_why_in_a_few_words(error: Exception, note: str) -> None:
    sample = HostProbe(psutil=FakePsutil(), nvml=FakeNvml(fail=error)).sample()
    assert sample.gpus == () and sample.gpu_note == note


def test_a_gpu_lost_while_sampling_is_said_never_raised() -> None:
    nvml = FakeNvml()
    probe = HostProbe(psutil=FakePsutil(), nvml=nvml)
    probe.sample()

    def lost(handle: int) -> Any:
        raise RuntimeError("GPU is lost")

    nvml.nvmlDeviceGetUtilizationRates = lost  # type: ignore[method-assign]
    sample = probe.sample()
    assert sample.gpus == () and sample.gpu_note == "NVML: RuntimeError: GPU is lost"


def sample(gpus: tuple[HostGpu, ...] = (), note: str | None = "no NVIDIA driver") -> HostSample:
    return HostSample(45.0, 2, 12 * GIB, 32 * GIB, (1.25, 1.0, 0.5), gpus, note, "psutil")


def test_bars_fill_in_eighths() -> None:
    assert bar(0.5, 4) == "██··" and bar(1.0, 3) == "███" and bar(None, 3) == "···"
    assert bar(1 / 8, 4) == "▌···" and bar(1 / 16, 4) == "▎···" and bar(7.0, 2) == "██" and bar(-1, 2) == "··"


def test_no_gpu_is_one_line_and_nothing_is_cut_at_36_columns() -> None:
    text = host_text(sample(), "en", 36).plain
    lines = text.splitlines()
    assert lines[0].startswith("CPU  ") and lines[0].endswith(" 45% ×2 · 1.2")
    assert lines[1].startswith("Mem  ") and lines[1].endswith("12.0/32.0G")
    assert lines[2:] == ["No GPU (no NVIDIA driver)"]
    assert all(cell_len(line) <= 36 for line in lines)


def test_gpus_a_line_each_with_temperature_and_power_when_wide() -> None:
    gpus = (
        HostGpu(0, "A100\x1b[31m", 98, 78 * GIB, 80 * GIB, 71, 412.0),
        HostGpu(1, "", 3, GIB, 80 * GIB, None, None),
    )
    narrow = host_text(sample(gpus, None), "en", 36).plain.splitlines()
    assert narrow[2].startswith("GPU0 ") and narrow[2].endswith(" 98% 78.0/80.0G")
    assert narrow[3].endswith("  3% 1.0/80.0G") and len(narrow) == 4
    assert all(cell_len(line) <= 36 for line in narrow)
    wide = host_text(sample(gpus, None), "en", 60).plain.splitlines()
    assert wide[2].endswith(" 98% 78.0/80.0G 71°C 412W")
    hostile = host_text(sample(note="NVML: \x1b[2J[bold]x"), "en", 60).plain  # text from the driver
    assert "\x1b" not in hostile and "\\x1b[2J[bold]x" in hostile


def test_compact_is_one_line_in_both_languages() -> None:
    assert host_text(sample(), "en", 58, compact=True).plain == "This host CPU 45% · Mem 12.0/32.0G · no GPU"
    zh = host_text(sample(), "zh", 58, compact=True).plain
    assert "\n" not in zh and zh.startswith("本机 CPU 45% · 内存 12.0/32.0G") and zh.endswith("无 GPU")
    lines = host_text(sample(), "zh", 36).plain.splitlines()
    assert lines[1].startswith("内存 ") and cell_len(lines[1]) == cell_len(
        host_text(sample(), "en", 36).plain.splitlines()[1]
    )


def test_the_usual_reasons_in_chinese() -> None:
    assert host_text(sample(), "zh", 36).plain.splitlines()[-1] == "无 GPU（无 NVIDIA 驱动）"
    assert host_text(sample(note="nvidia-ml-py not installed"), "zh", 36).plain.endswith(
        "（未安装 nvidia-ml-py）"
    )


def test_waiting_before_the_first_sample() -> None:
    assert host_text(None, "en", 36).plain == "Reading this host…"
