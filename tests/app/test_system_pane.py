"""``--system``'s pane under Pilot: this host's CPU and memory, its GPUs or one line saying there is none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders import livelog as records
from builders.apps import until
from rich.cells import cell_len

from trainmon_tui.live.hostprobe import HostGpu, HostSample
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.widgets import systempane
from trainmon_tui.ui.widgets.summary import SummaryPane
from trainmon_tui.ui.widgets.systempane import SystemPane

GIB = 1 << 30


def outputs(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    logs = [records.log(s, time=1e9 + s, values={"loss": 1.0 / s}) for s in range(1, 4)]
    records.write(out, records.start(time=1e9, max_steps=10), *logs)
    return out


def app_for(out: Path, system: bool = True) -> TrainmonApp:
    return TrainmonApp(DashboardOptions(outputs=out, system=system), watch=False)


class TwoGpus:
    """A host with two GPUs, one nearly full."""

    def __init__(self) -> None:
        self.calls = 0

    def sample(self) -> HostSample:
        self.calls += 1
        gpus = (
            HostGpu(0, "A100", 97, 79 * GIB, 80 * GIB, 70, 400.0),
            HostGpu(1, "A100", 0, 0.5 * GIB, 80 * GIB, 30, 60.0),
        )
        return HostSample(25.0, 16, 100 * GIB, 256 * GIB, (4.0, 3.0, 2.0), gpus, None, "psutil")


def pane_text(app: TrainmonApp) -> str:
    return app.query_one(SystemPane).content.plain  # type: ignore[union-attr]


async def test_this_host_without_a_gpu_says_so_in_one_line(tmp_path: Path) -> None:
    app = app_for(outputs(tmp_path))
    async with app.run_test(size=(80, 24)):
        pane = app.query_one(SystemPane)
        await until(app, lambda: pane.samples >= 1, timeout=15)
        lines = pane_text(app).splitlines()
        assert pane.border_title == "This host"
        assert lines[0].startswith("CPU  ") and "×" in lines[0]
        assert lines[1].startswith("Mem  ") and lines[1].endswith("G")
        if pane.sample is not None and not pane.sample.gpus:  # this machine: no NVIDIA driver
            assert lines[2:] == [f"No GPU ({pane.sample.gpu_note})"]
        assert all(cell_len(line) <= pane.content_region.width for line in lines)
        assert "Current" in app.query_one(SummaryPane).content.plain  # type: ignore[union-attr]


async def test_a_line_per_gpu_and_a_sample_every_two_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = TwoGpus()
    monkeypatch.setattr(systempane, "HostProbe", lambda: probe)
    app = app_for(outputs(tmp_path))
    async with app.run_test(size=(80, 24)):
        pane = app.query_one(SystemPane)
        await until(app, lambda: pane.samples >= 2, timeout=15)  # the first at once, the next 2 s later
        lines = pane_text(app).splitlines()
        assert len(lines) == 4
        assert lines[2].startswith("GPU0 ") and lines[2].endswith(" 97% 79.0/80.0G")
        assert lines[3].startswith("GPU1 ") and lines[3].endswith("  0% 0.5/80.0G")


async def test_a_stacked_pane_gives_it_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = TwoGpus()
    monkeypatch.setattr(systempane, "HostProbe", lambda: probe)
    app = app_for(outputs(tmp_path))
    async with app.run_test(size=(60, 18)):
        pane = app.query_one(SystemPane)
        await until(app, lambda: pane.samples >= 1, timeout=15)
        assert (
            pane_text(app) == "This host CPU 25% · Mem 100.0/256.0G · GPU0 97% 79.0/80.0G · GPU1 0% 0.5/80.0G"
        )
        assert pane.size.height == 1


async def test_no_pane_without_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> Any:
        raise AssertionError("sampled without --system")

    monkeypatch.setattr(systempane, "HostProbe", never)
    app = app_for(outputs(tmp_path), system=False)
    async with app.run_test(size=(80, 24)):
        await until(app, lambda: app.snapshot is not None)
        assert not app.query(SystemPane)


async def test_out_of_sight_it_samples_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = TwoGpus()
    monkeypatch.setattr(systempane, "HostProbe", lambda: probe)
    app = app_for(outputs(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(SystemPane)
        await until(app, lambda: pane.samples >= 1, timeout=15)
        await pilot.press("2")  # the metrics view: the side pane is not on screen
        await until(app, lambda: not pane.is_on_screen)
        await app.workers.wait_for_complete()
        before = probe.calls
        pane.tick()  # what the 2 s timer does
        await app.workers.wait_for_complete()
        assert probe.calls == before
        await pilot.press("1")  # back: a fresh sample at once
        await until(app, lambda: probe.calls > before, timeout=5)
        await until(app, lambda: pane.samples > before)
