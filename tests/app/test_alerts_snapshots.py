"""How the alerts look (pytest-textual-snapshot): the info bar's counts and the charts' markers at 80x24,
and the ``a`` list, in English and Chinese. A seeded simulator run whose loss and grad norm go NaN from
step 150 (critical and warning, holding) after an Infinity grad norm at step 60 (over), fixed times."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from builders.apps import make_app
from test_snapshots import FIXED_MTIME, loaded, settle
from textual.pilot import Pilot

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui.alertsscreen import AlertsScreen
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.views.i18n import Lang


@pytest.fixture
def troubled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    outputs = Path("outputs")
    config = RunConfig(
        max_steps=300, save_steps=40, eval_steps=50, nan_steps=frozenset(range(150, 161)),
        inf_grad_steps=frozenset({60}),
    )  # fmt: skip
    run = SimulatedRun(outputs, config)
    for step in (80, 120, 160):
        run.save_at(step)
    for folder in outputs.iterdir():
        mtime = FIXED_MTIME + int(folder.name.split("-")[1])
        os.utime(folder / STATE_FILE, (mtime, mtime))
    yield outputs
    time.tzset()


def _app(outputs: Path, lang: Lang = "en") -> TrainmonApp:
    app, _ = make_app(outputs, lang=lang, watch=False, clock=lambda: FIXED_MTIME + 200.0)
    return app


def test_info_bar_counts_and_chart_markers(snap_compare, troubled: Path) -> None:
    assert snap_compare(_app(troubled), terminal_size=(80, 24), run_before=loaded)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_list(snap_compare, troubled: Path, lang: Lang) -> None:
    async def open_list(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(pilot.app.screen, AlertsScreen))
        await pilot.pause()

    assert snap_compare(_app(troubled, lang), terminal_size=(100, 24), run_before=open_list)
