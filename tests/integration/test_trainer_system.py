"""The ``sys`` figures of a real ``transformers.Trainer`` on the CPU: in every log record, as series, in
``--list-metrics`` and in the dashboard's metrics view (Pilot)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

pytest.importorskip("torch")
pytest.importorskip("transformers")

from builders.apps import make_app, until, until_shown
from textual.widgets import Input

from trainmon_tui.callback import TrainmonCallback
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.ui import keys
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.ui.widgets.metricsview import MetricsView

MAX_STEPS = 8


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, tiny_trainer: Callable[..., Any]) -> Path:
    out = tmp_path_factory.mktemp("sysrun")
    trainer = tiny_trainer(out, max_steps=MAX_STEPS, callbacks=[TrainmonCallback()], report_to="none")
    trainer.train()
    return out


def test_every_log_record_carries_the_process_figures(run: Path) -> None:
    raw = [json.loads(line) for line in (run / LIVE_LOG_FILE).read_text().splitlines()]
    assert raw[0]["type"] == "start" and raw[0]["v"] == 2
    logged = [r for r in raw if r["type"] == "log"]
    assert len(logged) >= MAX_STEPS  # every step, the evaluations and the end-of-training summary
    for record in logged:
        figures = record["sys"]
        assert figures["pid"] == os.getpid()
        assert figures["rss"] > 10 << 20 and figures["rss_peak"] >= figures["rss"] // 2
        assert figures["cpu_time"] > 0
        assert "gpus" not in figures  # the CPU: no CUDA in use, no device figures
    cpu = [r["sys"]["cpu_time"] for r in logged]
    assert cpu == sorted(cpu)  # one process: its CPU time only grows
    live = read_live_log(run)
    assert live.bad_lines == 0 and all(r.system is not None for r in live.logs)


def test_list_metrics_shows_them(run: Path) -> None:
    script = shutil.which("trainmon-tui")
    assert script is not None
    result = subprocess.run(
        [script, str(run), "--list-metrics", "--format", "json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    metrics = {m["key"]: m for m in json.loads(result.stdout)["metrics"]}
    assert metrics["sys/rss"]["count"] >= MAX_STEPS and metrics["sys/rss"]["chart"]
    assert 0.01 < metrics["sys/rss"]["last"] < 64  # GiB
    assert metrics["sys/cpu"]["last"] is not None and metrics["sys/cpu"]["last"] >= 0
    keys_in_order = list(metrics)
    assert keys_in_order.index("sys/rss") > keys_in_order.index("loss")


async def test_the_metrics_view_lists_the_sys_keys(run: Path) -> None:
    app, _ = make_app(run, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_shown(app, lambda s: s.state is not None and "sys/rss" in s.state.series, timeout=30)
        await pilot.press("2")
        view = app.query_one(MetricsView)
        await until(app, lambda: app.view == keys.METRICS and bool(view.keys))
        assert {"sys/rss", "sys/cpu"} <= set(view.keys)
        assert view.keys.index("sys/rss") > view.keys.index("loss")  # after the training metrics
        await pilot.press("slash")
        field = app.query_one("#metrics-filter", Input)
        await until(app, lambda: field.has_focus)
        await pilot.press(*"sys/")
        await until(app, lambda: view.filter_text == "sys/")
        assert view.shown[:2] == ["sys/rss", "sys/cpu"] and all(k.startswith("sys/") for k in view.shown)

        def panes() -> set[str]:
            return {p.key for p in view.query("#metrics-grid MetricPane").results(MetricPane) if p.key}

        await until(app, lambda: {"sys/rss", "sys/cpu"} <= panes())


def test_dataloader_workers_are_counted(tmp_path: Path, tiny_trainer: Callable[..., Any]) -> None:
    trainer = tiny_trainer(
        tmp_path, max_steps=6, callbacks=[TrainmonCallback()], report_to="none", dataloader_num_workers=2
    )
    trainer.train()
    live = read_live_log(tmp_path)
    train = [r for r in live.logs if r.kind == "train"]
    assert len(train) == 6
    assert all(r.system is not None and r.system.workers == 2 for r in train)  # the epoch's two workers
    later = [r.system.workers_cpu for r in train[1:] if r.system is not None]
    assert all(cpu is not None and cpu >= 0 for cpu in later)
