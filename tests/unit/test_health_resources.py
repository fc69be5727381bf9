"""The resource alerts on worked live logs: a GPU's memory full, the GPUs idle while steps advance, the
training process's RSS growing; once per episode, cleared, configurable, one entry at a time as all at
once, and nothing for runs without ``sys`` figures."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import livelog as records
from builders.health import episodes, fired, history, kinds, state_of

from trainmon_tui import cli
from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.monitor import HealthMonitor, HealthReport
from trainmon_tui.health.resources import Sustained
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.live.merge import merge_live

T0 = 1_700_000_000.0
GIB = 1 << 30
RESOURCES = {"gpu_memory_full", "input_bound", "rss_growing"}


def figures(*, used: float = 10.0, util: float = 90.0, rss: float = 2.0, gpus: int = 1) -> dict[str, Any]:
    """A ``sys`` object: ``used`` GiB of a 24 GiB device, ``util`` % busy, ``rss`` GiB resident."""
    devices = [{"index": i, "util": util, "mem_used": used * GIB, "mem_total": 24 * GIB} for i in range(gpus)]
    return {"pid": 7, "rss": rss * GIB, "cpu_time": 1.0, "gpus": devices}


def run(sys: Sequence[dict[str, Any] | None], *, every: float = 10.0, t0: float = T0) -> list[dict[str, Any]]:
    """Log records at steps 1..n, ``every`` seconds apart, the i-th with ``sys[i]`` (None: without)."""
    logs = []
    for i, figs in enumerate(sys):
        step = i + 1
        extra = {"sys": figs} if figs is not None else {}
        values = {"loss": 2.0 - 0.001 * step, "learning_rate": 1e-4, "grad_norm": 1.0}
        logs.append(records.log(step, time=t0 + every * step, values=values, **extra))
    return [records.start(time=t0, max_steps=100_000, pid=7, host="elsewhere"), *logs]


def read(tmp: Path, recs: list[dict[str, Any]]) -> LiveLog:
    return read_live_log(records.write(tmp / "live", *recs))


def watch(live: LiveLog, monitor: HealthMonitor, *, times: bool = True) -> HealthReport:
    state = merge_live(None, live)
    assert state is not None
    return monitor.update(state, live if times else None, None, T0 + 1e6)


def all_at_once(
    tmp: Path, recs: list[dict[str, Any]], limits: Thresholds | None = None, **kw: Any
) -> HealthReport:
    return watch(read(tmp, recs), HealthMonitor(limits or Thresholds()), **kw)


def one_by_one(tmp: Path, recs: list[dict[str, Any]], limits: Thresholds | None = None) -> list[HealthReport]:
    monitor = HealthMonitor(limits or Thresholds())
    return [watch(read(tmp, recs[: n + 1]), monitor) for n in range(1, len(recs))]


def ours(alerts: Sequence[Any]) -> list[tuple[str, int | None]]:
    return [a.key for a in alerts if a.kind in RESOURCES]


def _full_twice() -> list[dict[str, Any]]:
    # 23.6 of 24 GiB (98.3%) at steps 11-24 and 31-40, 10 s apart: 60 s after step 11 is step 17
    used = [23.6 if 11 <= s <= 24 or 31 <= s <= 40 else 20.0 for s in range(1, 41)]
    return run([figures(used=u) for u in used])


def test_gpu_memory_full_fires_after_60_s_once_per_episode_and_clears(tmp_path):
    recs = _full_twice()
    whole = all_at_once(tmp_path, recs)
    assert ours(whole.history) == [("gpu_memory_full", 17), ("gpu_memory_full", 37)]
    assert ours(whole.active) == [("gpu_memory_full", 37)]
    assert whole.history[0].message_en == (
        "GPU 0 memory 98.33% full since step 11 (step 17): out of memory soon"
    )
    reports = one_by_one(tmp_path, recs)
    assert ours([a for r in reports for a in r.fired]) == ours(whole.history)  # once per episode
    assert [a for a in ours(reports[-1].history)] == ours(whole.history)
    assert ours(reports[16].active) == [("gpu_memory_full", 17)]  # the report of step 17
    assert ours(reports[24].cleared) == [("gpu_memory_full", 17)]  # step 25: back to 20 GiB
    assert ours(reports[24].active) == []


def test_gpu_memory_full_thresholds_and_any_device(tmp_path):
    recs = _full_twice()
    sooner = Thresholds().with_overrides(["gpu_full_seconds=30"])
    assert ours(all_at_once(tmp_path, recs, sooner).history) == [
        ("gpu_memory_full", 14),
        ("gpu_memory_full", 34),
    ]
    # 23 of 24 GiB (95.8%): full only with a 5% margin
    near = run([figures(used=23.0) for _ in range(20)])
    assert ours(all_at_once(tmp_path, near).history) == []
    wide = Thresholds().with_overrides(["gpu_memory_margin=0.05"])
    assert ours(all_at_once(tmp_path, near, wide).history) == [("gpu_memory_full", 7)]
    # two devices, the second full: one episode, naming it
    two = [figures(gpus=2) for _ in range(20)]
    for figs in two:
        figs["gpus"][1]["mem_used"] = 23.9 * GIB
    alert = all_at_once(tmp_path, run(two), wide).history[0]
    assert alert.key == ("gpu_memory_full", 7) and alert.message_en.startswith("GPU 1 memory 99.58% full")
    with pytest.raises(ValueError, match="gpu_memory_margin"):
        Thresholds().with_overrides(["gpu_memory_margin=1"])


def test_without_wall_times_a_number_of_logs(tmp_path):
    # no live log handed to the monitor: full from step 11, the 10th full record is step 20; from 31: 40
    assert ours(all_at_once(tmp_path, _full_twice(), times=False).history) == [
        ("gpu_memory_full", 20),
        ("gpu_memory_full", 40),
    ]


def test_input_bound_after_3_minutes_of_idle_gpus(tmp_path):
    # 5% busy from step 11 on, 10 s apart: 180 s after step 11 is step 29; busy again at step 41
    utils = [5.0 if 11 <= s <= 40 else 90.0 for s in range(1, 51)]
    recs = run([figures(util=u) for u in utils])
    whole = all_at_once(tmp_path, recs)
    assert ours(whole.history) == [("input_bound", 29)] and ours(whole.active) == []
    assert whole.history[0].message_en == (
        "GPUs under 10% busy since step 11 while steps advance (step 29): input-bound?"
    )
    reports = one_by_one(tmp_path, recs)
    assert ours([a for r in reports for a in r.fired]) == [("input_bound", 29)]
    assert ours(reports[40].cleared) == [("input_bound", 29)]  # the report of step 41
    relaxed = Thresholds().with_overrides(["input_bound_util=2"])
    assert ours(all_at_once(tmp_path, recs, relaxed).history) == []


def test_sustained_needs_the_step_to_advance():
    # the condition holds at six records, the step stays 5 (evaluation records) until the sixth
    made: list[int] = []

    def make(j: int) -> Alert:
        made.append(j)
        return Alert("input_bound", "warning", int(steps[j]), 0.0, "", "")

    idle = Sustained(seconds=30, logs=3)
    steps = np.array([5, 5, 5, 5, 5, 6], dtype=np.int64)
    idle.feed(steps, np.ones(6, dtype=bool), lambda _step: None, make, lambda _alert: None)
    assert made == [5]  # three records were enough (no wall times), but the step moved at the sixth only
    assert idle.holding is not None and idle.holding.step == 6


def _leak() -> list[float]:
    # flat at 2 GiB for 40 logs, then +0.05 GiB per log to 4 GiB (step 80), then back to 2 GiB
    return [2.0] * 40 + [2.0 + 0.05 * k for k in range(1, 41)] + [2.0] * 10


def test_rss_growing_fires_once_the_newest_half_grew_and_clears(tmp_path):
    recs = run([figures(rss=r) for r in _leak()])
    whole = all_at_once(tmp_path, recs)
    # at step n the window is logs n//2+1..n; rises > half its deltas first at step 53 (window 27..53:
    # 13 of 26 deltas are rises: not more than half), step 54: window 28..54, 14 of 26; 2.7 >= 1.2 x 2
    assert ours(whole.history) == [("rss_growing", 54)] and ours(whole.active) == []
    assert whole.history[0].message_en == (
        "Training process memory grew 2 → 2.7 GiB since step 28 (step 54): a leak?"
    )
    reports = one_by_one(tmp_path, recs)
    assert ours([a for r in reports for a in r.fired]) == [("rss_growing", 54)]
    assert ours(reports[80].cleared) == [("rss_growing", 54)]  # step 81: back to 2 GiB
    stricter = Thresholds().with_overrides(["rss_growth=0.5"])  # 3 GiB at least: step 60 (window 31..60)
    assert ours(all_at_once(tmp_path, recs, stricter).history) == [("rss_growing", 60)]


@pytest.mark.parametrize(
    "rss",
    [
        [2.0] * 40 + [3.0] * 40,  # one jump, then a plateau
        [2.0 + (0.5 if k % 2 else 0.0) for k in range(80)],  # a sawtooth
        [2.0 + 0.001 * k for k in range(80)],  # growing, but by 4% only
    ],
)
def test_rss_that_is_no_leak_does_not_fire(tmp_path, rss):
    assert ours(all_at_once(tmp_path, run([figures(rss=r) for r in rss])).history) == []


def test_runs_without_sys_figures_never_fire(tmp_path):
    recs = run([None] * 300)
    assert ours(all_at_once(tmp_path, recs).history) == []
    entries = history([1.0] * 200)
    report = HealthMonitor().update(state_of(entries), None, None, 0.0)
    assert ours(report.history) == []


def test_entries_one_by_one_give_what_all_at_once_gives(tmp_path):
    rss, used = _leak(), [23.8 if 30 <= s <= 60 else 10.0 for s in range(1, 91)]
    utils = [3.0 if 62 <= s <= 85 else 90.0 for s in range(1, 91)]
    recs = run([figures(rss=r, used=u, util=x) for r, u, x in zip(rss, used, utils, strict=True)])
    whole = all_at_once(tmp_path, recs)
    reports = one_by_one(tmp_path, recs)
    assert set(kinds(whole.history)) == RESOURCES
    assert episodes(whole) == episodes(reports[-1]) == fired(reports)
    assert [a.message_en for a in whole.history] == [a.message_en for a in reports[-1].history]


def test_check_exits_3_on_a_full_gpu(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    outputs = tmp_path / "run"
    recent = time.time() - 300  # 20 logs 10 s apart, the newest 100 s ago: not stalled
    records.write(outputs, *run([figures(used=23.9) for _ in range(20)], t0=recent))
    assert cli.main([str(outputs), "--check"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [["warning", "gpu_memory_full", "7"]]
    records.write(outputs, *run([figures(used=10.0) for _ in range(20)], t0=recent))
    assert cli.main([str(outputs), "--check"]) == 0
    assert "healthy" in capsys.readouterr().out


def test_rss_near_the_growth_threshold_is_one_episode_not_many(tmp_path):
    # a leak of 0.01 GiB per log with a sawtooth of 0.03 over 7 logs: its growth over the newest half
    # crosses 20% many times at about step 200 (2 + 0.01n against 2 + 0.005n, noise on top). Over
    # only below half the growth (10%): one episode
    rss = [2.0 + 0.01 * k + 0.005 * (k % 7) for k in range(1, 400)]
    whole = all_at_once(tmp_path, run([figures(rss=r) for r in rss]))
    assert kinds(whole.history).count("rss_growing") == 1 and ours(whole.active) == ours(whole.history)
