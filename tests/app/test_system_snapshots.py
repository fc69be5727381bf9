"""How ``--system`` and the resources lines look (pytest-textual-snapshot; --snapshot-update): a run whose
live log records ``sys`` figures, and a host of two GPUs (a fixed sample, so the picture never depends on
the machine), at 80x24 and stacked at 60x18."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from builders import livelog as records
from builders.apps import until, until_shown
from textual.pilot import Pilot

from trainmon_tui.live.hostprobe import HostGpu, HostSample
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.widgets import systempane
from trainmon_tui.ui.widgets.systempane import SystemPane

T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC
GIB = 1 << 30
SIZES = [(80, 24), (60, 18)]
IDS = ["80x24", "60x18"]


class FixedHost:
    def sample(self) -> HostSample:
        gpus = (
            HostGpu(0, "A100", 97, 79 * GIB, 80 * GIB, 71, 402.0),
            HostGpu(1, "A100", 12, 9 * GIB, 80 * GIB, 40, 90.0),
        )
        return HostSample(63.0, 32, 100 * GIB, 256 * GIB, (8.5, 7.0, 6.0), gpus, None, "psutil")


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(systempane, "HostProbe", FixedHost)
    monkeypatch.setattr(systempane, "FIRST_CPU_WINDOW", 0.0)
    logs = []
    for step in range(1, 31):
        gpu = {"index": 0, "util": 90, "mem_used": 21.3 * GIB, "mem_total": 24 * GIB, "mem_alloc": 18 * GIB}
        figures = {"pid": 7, "rss": (3 + step / 100) * GIB, "cpu_time": 1.3 * step, "gpus": [gpu]}
        values = {"loss": 2.0 / step, "learning_rate": 1e-4, "grad_norm": 0.5 + step / 100}
        logs.append(records.log(step, time=T0 + step, epoch=step / 30, values=values, sys=figures))
    path = records.write(Path("outputs"), records.start(time=T0, max_steps=60, save_steps=20), *logs)
    os.utime(path, (T0 + 30, T0 + 30))
    yield Path("outputs")
    time.tzset()


def dashboard(outputs: Path) -> TrainmonApp:
    app = TrainmonApp(DashboardOptions(outputs=outputs, system=True), watch=False)
    app.clock = lambda: T0 + 32.0
    return app


async def ready(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, TrainmonApp)
    await until_shown(app, lambda s: s.state is not None and s.state.global_step == 30)
    await until(app, lambda: app.query_one(SystemPane).samples >= 1)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_system_pane(snap_compare, outputs: Path, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(outputs), terminal_size=size, run_before=ready)


def test_resources_lines_in_the_summary(snap_compare, outputs: Path) -> None:
    """Scrolled down (PgDn) at 80x24: the Resources section under the essentials, the host under it."""

    async def scrolled(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(dashboard(outputs), terminal_size=(80, 24), run_before=scrolled)
