"""The live log's ``sys`` figures read back (schema versions 1 and 2, hostile ones), as series and summary."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from builders import livelog as records

from trainmon_tui.files.state import load_state
from trainmon_tui.live.follower import LiveLogFollower, read_live_log
from trainmon_tui.live.merge import merge_live
from trainmon_tui.live.records import parse_record
from trainmon_tui.live.sysfigures import MAX_GPUS, parse_system
from trainmon_tui.live.sysseries import SystemSeriesCache, system_series
from trainmon_tui.views.metriclist import list_metrics
from trainmon_tui.views.metrics import catalogue
from trainmon_tui.views.report import summary_compact, summary_text
from trainmon_tui.views.stats import summarize

T0 = 1_700_000_000.0
GIB = 1 << 30


def sys_figures(step: int, *, pid: int = 7, gpus: bool = True) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "pid": pid,
        "rss": (2 + step / 10) * GIB,
        "rss_peak": 3 * GIB,
        "cpu_time": 1.5 * step,
    }
    if gpus:
        figures["gpus"] = [
            {"index": 0, "util": 90, "mem_used": 20 * GIB, "mem_total": 24 * GIB, "mem_alloc": 16 * GIB,
             "mem_reserved": 18 * GIB, "mem_peak": 17 * GIB, "temp": 70, "power": 300.5},
        ]  # fmt: skip
    return figures


def log(step: int, *, sys: dict[str, Any] | None = None, time: float | None = None) -> dict[str, Any]:
    extra = {"sys": sys} if sys is not None else {}
    values = {"loss": 1.0 / step, "learning_rate": 1e-4, "epoch": step / 100}
    return records.log(
        step, time=T0 + step if time is None else time, epoch=step / 100, values=values, **extra
    )


def version1_start() -> dict[str, Any]:
    return records.record("start", time=T0, v=1, step=0, max_steps=100, save_steps=10)


def test_a_version_1_file_reads_as_before(tmp_path: Path) -> None:
    path = records.write(tmp_path, version1_start(), log(1), log(2))
    live = read_live_log(path)
    assert live.bad_lines == 0 and [r.step for r in live.logs] == [1, 2]
    assert all(r.system is None for r in live.logs)
    state = merge_live(None, live)
    assert state is not None and not [k for k in state.series if k.startswith("sys/")]
    assert summarize(state).to_json()["system"] is None


def test_a_version_2_file_gives_sys_series_in_readable_units(tmp_path: Path) -> None:
    path = records.write(
        tmp_path, records.start(time=T0, max_steps=100), *(log(s, sys=sys_figures(s)) for s in (1, 2, 3))
    )
    live = read_live_log(path)
    assert live.bad_lines == 0 and live.start is not None
    state = merge_live(None, live)
    assert state is not None
    rss = state.series["sys/rss"]
    assert list(rss.steps) == [1, 2, 3] and rss.values[0] == pytest.approx(2.1)  # GiB
    cpu = state.series["sys/cpu"]  # 1.5 s of CPU per 1 s of wall time: 150% of one core
    assert list(cpu.steps) == [2, 3] and list(cpu.values) == pytest.approx([150.0, 150.0])
    assert state.series["sys/gpu0/mem_used"].values[-1] == 20.0
    assert state.series["sys/gpu0/power"].values[-1] == 300.5
    keys = catalogue(state)
    assert keys[0] == "loss"
    assert keys.index("sys/rss") > keys.index("learning_rate")  # after the training metrics
    assert [k for k in keys if k.startswith("sys/")] == [
        "sys/rss", "sys/cpu", "sys/gpu0/util", "sys/gpu0/mem_used", "sys/gpu0/mem_alloc",
        "sys/gpu0/mem_reserved", "sys/gpu0/mem_peak", "sys/gpu0/temp", "sys/gpu0/power",
    ]  # fmt: skip
    listed = {info.key: info for info in list_metrics(state)}
    assert not listed["sys/gpu0/mem_total"].chart and listed["sys/gpu0/mem_total"].last == 24.0


def test_cpu_percent_only_between_records_of_one_process() -> None:
    logs = [
        parse_record(records.line(log(1, sys=sys_figures(1, pid=5))).encode()),
        parse_record(records.line(log(2, sys=sys_figures(2, pid=5))).encode()),
        parse_record(records.line(log(3, sys=sys_figures(1, pid=6))).encode()),  # resumed: a new process
        parse_record(records.line(log(4, sys=sys_figures(2, pid=6), time=T0 + 3)).encode()),  # no wall time
    ]
    series = system_series(logs)  # type: ignore[arg-type]
    assert list(series["sys/cpu"].steps) == [2]


@pytest.mark.parametrize(
    "raw",
    [
        "text",
        [1, 2],
        {"rss": "big", "cpu_time": -1, "rss_peak": math.nan, "gpus": "all"},
        {"rss": True, "gpus": [7, {"index": -1}, {"index": 1.5}, {"index": 2000}, {"index": True}]},
        {"rss": 10**400, "pid": 10**30},
    ],
)
def test_hostile_sys_objects_are_missing_figures_never_bad_lines(raw: Any) -> None:
    record = parse_record(records.line(log(3, sys=raw)).encode())
    assert record is not None and record.values["loss"] == pytest.approx(1 / 3)  # type: ignore[union-attr]
    figures = parse_system(raw)
    assert figures is None or (figures.rss is None and figures.cpu_time is None and not figures.gpus)


def test_devices_are_capped_and_deduplicated() -> None:
    gpus = [{"index": i % 100, "util": 1} for i in range(500)]
    figures = parse_system({"gpus": [*gpus, {"index": 0, "util": 99}]})
    assert figures is not None and len(figures.gpus) == MAX_GPUS
    assert figures.gpus[0].util == 1  # the first one with an index wins


def test_sys_series_reach_back_before_the_checkpoint(tmp_path: Path, helpers: Any) -> None:
    entries = [{"loss": 1.0 / s, "learning_rate": 1e-4, "step": s} for s in range(1, 11)]
    ckpt = helpers.write_state(
        tmp_path / "checkpoint-10", helpers.trainer_state(entries, global_step=10, max_steps=100)
    )
    state = load_state(ckpt)
    logs = [log(s, sys=sys_figures(s), time=state.mtime - 20 + s) for s in range(1, 13)]
    live = read_live_log(records.write(tmp_path, records.start(time=state.mtime - 30, max_steps=100), *logs))
    merged = merge_live(state, live)
    assert merged is not None
    assert list(merged.series["sys/rss"].steps) == list(range(1, 13))  # not just the steps past it
    assert list(merged.series["loss"].steps) == list(range(1, 13))


def test_a_growing_log_extends_the_series_as_a_whole_build_would(tmp_path: Path) -> None:
    path = records.write(
        tmp_path, records.start(time=T0, max_steps=100), *(log(s, sys=sys_figures(s)) for s in (1, 2))
    )
    follower = LiveLogFollower(path)
    first = merge_live(None, follower.poll())
    records.append(path, *(log(s, sys=sys_figures(s)) for s in (3, 4, 5)))
    live = follower.poll()
    grown, whole = merge_live(None, live), system_series(live.logs)
    assert first is not None and grown is not None
    assert set(whole) <= set(grown.series)
    for key, series in whole.items():
        assert list(grown.series[key].steps) == list(series.steps), key
        assert list(grown.series[key].values) == pytest.approx(list(series.values)), key


def test_summary_json_and_panes_show_the_latest_figures(tmp_path: Path) -> None:
    path = records.write(
        tmp_path, records.start(time=T0, max_steps=100), *(log(s, sys=sys_figures(s)) for s in (1, 2))
    )
    state = merge_live(None, read_live_log(path))
    assert state is not None
    summary = summarize(state)
    data = summary.to_json()["system"]
    assert data["step"] == 2
    assert data["metrics"]["sys/gpu0/util"] == 90 and data["metrics"]["sys/rss"] == pytest.approx(2.2)
    assert data["metrics"]["sys/cpu"] == pytest.approx(150.0)
    pane = summary_compact(summary, "en").plain
    assert "Resources" in pane and "GPU0" in pane and "90% 20 / 24 GiB" in pane
    assert "Process         2.2 GiB · CPU 150%" in pane
    text = summary_text(summary, "zh")
    assert "资源占用 @ 2" in text and "GPU0 温度: 70 °C" in text and "GPU0 功率: 300.5 W" in text


def test_only_process_figures_without_cuda(tmp_path: Path) -> None:
    path = records.write(tmp_path, *(log(s, sys=sys_figures(s, gpus=False)) for s in (1, 2)))
    state = merge_live(None, read_live_log(path))
    assert state is not None
    pane = summary_compact(summarize(state), "en").plain
    assert "GPU" not in pane and "Process" in pane and "2.2 GiB · CPU 150%" in pane


def test_the_cache_reads_again_after_a_resume() -> None:
    parsed = [parse_record(records.line(log(s, sys=sys_figures(s))).encode()) for s in (1, 2, 3)]
    resumed = [parse_record(records.line(log(s, sys=sys_figures(s, pid=8))).encode()) for s in (2, 3)]
    cache = SystemSeriesCache()
    cache.series(tuple(parsed))  # type: ignore[arg-type]
    after = tuple(parsed[:1] + resumed)  # steps 2 and 3 dropped and logged again by a new process
    got, want = cache.series(after), system_series(after)  # type: ignore[arg-type]
    assert set(got) == set(want)
    assert list(got["sys/cpu"].steps) == list(want["sys/cpu"].steps) == [3]  # none across the two processes
    assert list(got["sys/rss"].steps) == [1, 2, 3]


def test_torch_figures_alone_show_allocated_of_total(tmp_path: Path) -> None:
    figures = sys_figures(1) | {
        "gpus": [{"index": 0, "mem_alloc": 16 * GIB, "mem_total": 24 * GIB, "mem_peak": 17 * GIB}]
    }
    path = records.write(tmp_path, log(1, sys=figures), log(2, sys=figures))
    state = merge_live(None, read_live_log(path))
    assert state is not None
    summary = summarize(state)
    pane = summary_compact(summary, "en").plain.splitlines()
    assert next(line for line in pane if line.startswith("GPU0")).split() == ["GPU0", "16", "/", "24", "GiB"]
    assert "GPU0 torch: 16 / 24 GiB (peak 17)" in summary_text(summary, "en")  # the peak in the table


def test_workers_cpu_is_a_chart_their_number_a_figure(tmp_path: Path) -> None:
    logs = [
        log(s, sys=sys_figures(s, gpus=False) | {"workers": 4, "workers_cpu": 300.0 + s}) for s in (1, 2, 3)
    ]
    state = merge_live(None, read_live_log(records.write(tmp_path, *logs)))
    assert state is not None
    assert [k for k in catalogue(state) if k.startswith("sys/")] == ["sys/rss", "sys/cpu", "sys/workers_cpu"]
    listed = {info.key: info for info in list_metrics(state)}
    assert listed["sys/workers"].last == 4 and not listed["sys/workers"].chart
    summary = summarize(state)
    assert "Workers         4 · CPU 303%" in summary_compact(summary, "en").plain
    assert "Workers: 4 · CPU 303%" in summary_text(summary, "en")


def test_gpu_fields_are_the_dataclass_fields_in_order() -> None:
    """parse_system builds GpuFigures positionally from GPU_FIELDS: the two orders must agree."""
    import dataclasses

    from trainmon_tui.live.sysfigures import GPU_FIELDS, GpuFigures

    assert tuple(f.name for f in dataclasses.fields(GpuFigures))[1:] == GPU_FIELDS
