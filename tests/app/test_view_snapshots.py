"""How the metrics and evaluations views look, on real runs (pytest-textual-snapshot; --snapshot-update).

The files get a fixed modification time and a relative path, watching is off: nothing in the picture
depends on when or where the test runs.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from builders.apps import make_app, until, until_shown
from builders.fixtures import REAL_FIXTURES, needs_real
from textual.pilot import Pilot
from textual.widgets import DataTable

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.metricpane import MetricPane

FIXED_MTIME = 1_767_225_600  # 2026-01-01 00:00:00 UTC
ORPO = "12_llamafactory_orpo.json"  # DPO-like: rewards/margins, rewards/accuracies
WHISPER = "run_whisper_ja_hub/trainer_state.json"  # WER, the best checkpoint not the last
MULTI_EVAL = "09_new_multi_eval_datasets_prefixed.json"  # six eval sets
SFT = "13_trl_sft_mean_token_acc_earlystop.json"  # mean_token_accuracy, an eval loss
SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()

    def copy(fixture: str) -> Path:
        outputs = Path("outputs")
        outputs.mkdir()
        shutil.copy(REAL_FIXTURES / fixture, outputs / STATE_FILE)
        os.utime(outputs / STATE_FILE, (FIXED_MTIME, FIXED_MTIME))
        return outputs

    yield copy
    time.tzset()


def dashboard(outputs: Path) -> TrainmonApp:
    return make_app(outputs, watch=False, clock=lambda: FIXED_MTIME + 30.0).app


def panes_ready(app: TrainmonApp, selector: str) -> bool:
    panes = [p for p in app.query(f"{selector} MetricPane").results(MetricPane) if p.key]
    return bool(panes) and all(p.ready and p.chart is not None for p in panes)


async def in_view(pilot: Pilot, key: str, ready) -> None:
    app = pilot.app
    assert isinstance(app, TrainmonApp)
    await until_shown(app, lambda s: s.state is not None)
    await pilot.press(key)
    await until(app, lambda: ready(app))
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@needs_real
@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_metrics_view(snap_compare, place, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await in_view(pilot, "2", lambda app: panes_ready(app, "#metrics-grid"))

    assert snap_compare(dashboard(place(ORPO)), terminal_size=size, run_before=run_before)


@needs_real
def test_metrics_view_full_size_smoothed(snap_compare, place) -> None:
    """``rewards/margins`` full size with EMA 0.9: the raw curve grey behind the smoothed one."""

    async def run_before(pilot: Pilot) -> None:
        await in_view(pilot, "2", lambda app: panes_ready(app, "#metrics-grid"))
        await pilot.press("right", "m", "m", "enter")
        await until(pilot.app, lambda: panes_ready(pilot.app, "#metrics"))
        full = pilot.app.query_one("#metrics-full", MetricPane)
        await until(
            pilot.app, lambda: full.ready and full.chart is not None and full.chart.smoothing == "EMA 0.9"
        )
        await pilot.pause()

    assert snap_compare(dashboard(place(ORPO)), terminal_size=(80, 24), run_before=run_before)


@needs_real
@pytest.mark.parametrize(("size", "fixture"), [((80, 24), WHISPER), ((160, 48), MULTI_EVAL)], ids=IDS)
def test_evaluations_view(snap_compare, place, size: tuple[int, int], fixture: str) -> None:
    def ready(app: TrainmonApp) -> bool:
        return app.query_one("#evals-table", DataTable).row_count > 0 and panes_ready(app, "#evals-charts")

    async def run_before(pilot: Pilot) -> None:
        await in_view(pilot, "3", ready)

    assert snap_compare(dashboard(place(fixture)), terminal_size=size, run_before=run_before)


@needs_real
@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_overview_zoomed_smoothed_robust(snap_compare, place, size: tuple[int, int]) -> None:
    """The overview after ``z``, ``m`` ``m`` and ``o``: the last half, EMA 0.9 in the legend, the loss
    chart's range without its outliers (a real SFT run whose loss starts high)."""

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TrainmonApp)
        await until_shown(app, lambda s: s.charts is not None)
        await pilot.press("z", "m", "m", "o")
        await until_shown(app, lambda s: s.controls == app.chart_controls and s.controls.robust is True)
        await pilot.pause()

    assert snap_compare(dashboard(place(SFT)), terminal_size=size, run_before=run_before)
