"""Throughput, ETA, stall and next checkpoint against values computed by hand from known wall times."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders import livelog as records

from trainmon_tui.live.eta import compute_progress, median_interval, next_checkpoint, stall_threshold
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.live.progress import checkpoint_progress, live_points, live_progress

T0 = 1_000.0


def write(tmp_path: Path, *recs: dict[str, Any]) -> LiveLog:
    return read_live_log(records.write(tmp_path, *recs))


def start(step: int = 0, time: float = T0, **extra: Any) -> dict[str, Any]:
    return records.start(
        step, time=time, **{"max_steps": 100, "save_steps": 25, "samples_per_step": 8, **extra}
    )


def log(step: int, time: float, tokens: int | None = None, **values: float) -> dict[str, Any]:
    extra = {} if tokens is None else {"num_input_tokens_seen": tokens}
    return records.log(step, time=time, values=values or {"loss": 1.0}, **extra)


# Start at T0, then steps 10, 20, 30, 40 logged at +10, +20, +30, +50 s (an evaluation after step 30).
RUN = [start(), log(10, T0 + 10), log(20, T0 + 20), log(30, T0 + 30), log(40, T0 + 50)]


def test_speed_eta_and_elapsed_by_hand(tmp_path: Path) -> None:
    live = write(tmp_path, *RUN)
    assert live_points(live) == [(0, T0), (10, T0 + 10), (20, T0 + 20), (30, T0 + 30), (40, T0 + 50)]
    p = live_progress(live, now=T0 + 55)
    assert p.source == "live" and p.step == 40 and p.max_steps == 100 and p.fraction == 0.4
    assert p.steps_per_second == pytest.approx(40 / 50)  # 0.8 steps/s over the whole window
    assert p.samples_per_second == pytest.approx(0.8 * 8)
    assert p.tokens_per_second is None  # tokens not tracked
    assert p.elapsed_seconds == pytest.approx(55.0)
    # intervals 10, 10, 10, 20 -> median 10; 60 steps left at 0.8/s = 75 s, minus the 5 s since step 40
    assert p.median_interval == pytest.approx(10.0)
    assert p.eta_seconds == pytest.approx(75 - 5)
    assert p.last_update == T0 + 50 and p.seconds_since_update == pytest.approx(5.0)
    assert p.next_checkpoint_step == 50
    assert p.stall_threshold == 120.0 and not p.stalled and not p.finished


def test_the_window_takes_the_last_intervals_only(tmp_path: Path) -> None:
    live = write(tmp_path, *RUN)
    p = live_progress(live, now=T0 + 50, window=2)
    assert p.steps_per_second == pytest.approx((40 - 20) / (50 - 20))
    assert p.eta_seconds == pytest.approx(60 / (20 / 30))


def test_eta_counts_down_at_most_one_usual_interval(tmp_path: Path) -> None:
    live = write(tmp_path, *RUN)
    # 100 s after step 40 (a long evaluation, say): only the median interval (10 s) is taken off.
    assert live_progress(live, now=T0 + 150).eta_seconds == pytest.approx(75 - 10)


def test_stalled_after_max_of_five_intervals_and_two_minutes(tmp_path: Path) -> None:
    live = write(tmp_path, *RUN)
    assert not live_progress(live, now=T0 + 50 + 120).stalled
    late = live_progress(live, now=T0 + 50 + 121)
    assert late.stalled and late.eta_seconds is None and late.seconds_since_update == pytest.approx(121)
    # A slow run: a log every 100 s -> stalled only after 5 x 100 s.
    slow = write(tmp_path, start(), *(log(s, T0 + 100 * s) for s in range(1, 6)))
    assert slow.logs[-1].time == T0 + 500
    assert not live_progress(slow, now=T0 + 500 + 500).stalled
    assert live_progress(slow, now=T0 + 500 + 501).stalled
    assert live_progress(slow, now=T0 + 1001).stall_threshold == 500.0


def test_heartbeats_keep_a_long_evaluation_alive(tmp_path: Path) -> None:
    heartbeats = [records.heartbeat(40, time=T0 + 50 + 30 * i) for i in range(1, 6)]
    live = write(tmp_path, *RUN, *heartbeats)
    p = live_progress(live, now=T0 + 50 + 150 + 100)  # 250 s after step 40, 100 s after the last heartbeat
    assert p.last_update == T0 + 200 and not p.stalled and p.phase == "evaluate"
    assert p.steps_per_second == pytest.approx(0.8)  # heartbeats are not steps
    assert live_progress(live, now=T0 + 200 + 121).stalled


def test_the_phase_ends_with_the_evaluation_it_announced(tmp_path: Path) -> None:
    hb = records.heartbeat(40, time=T0 + 40)
    busy = write(tmp_path, *RUN[:-1], log(40, T0 + 39), hb, log(40, T0 + 45, loss=0.5))
    assert busy.phase == "evaluate"  # the training entry at step 40 does not end it
    done = write(tmp_path, *RUN[:-1], hb, log(40, T0 + 48, eval_loss=0.7))
    assert done.phase is None


def test_tokens_per_second(tmp_path: Path) -> None:
    live = write(
        tmp_path,
        start(num_input_tokens_seen=0),
        log(1, T0 + 2, tokens=1000),
        log(2, T0 + 4, tokens=2000),
        log(3, T0 + 8, tokens=3000),
    )
    assert live_progress(live, now=T0 + 8).tokens_per_second == pytest.approx(3000 / 8)
    assert live_progress(live, now=T0 + 8, window=1).tokens_per_second == pytest.approx(1000 / 4)


def test_a_resumed_session_measures_from_its_own_start(tmp_path: Path) -> None:
    live = write(
        tmp_path,
        *RUN,
        start(time=T0 + 1000, step=30),  # resumed from checkpoint-30 after a long pause
        log(40, T0 + 1004),
        log(50, T0 + 1008),
    )
    assert live_points(live) == [(30, T0 + 1000), (40, T0 + 1004), (50, T0 + 1008)]
    p = live_progress(live, now=T0 + 1008)
    assert p.steps_per_second == pytest.approx(20 / 8)  # the pause is not in it
    assert p.elapsed_seconds == pytest.approx(8.0)
    assert p.eta_seconds == pytest.approx(50 / 2.5)


def test_finished_run(tmp_path: Path) -> None:
    live = write(tmp_path, *RUN, log(100, T0 + 120), records.end(100, time=T0 + 121))
    p = live_progress(live, now=T0 + 10_000)
    assert p.finished and not p.stalled and p.eta_seconds == 0.0
    assert p.elapsed_seconds == pytest.approx(121.0)
    assert p.next_checkpoint_step is None


def test_startup_before_the_first_log(tmp_path: Path) -> None:
    live = write(tmp_path, start())
    p = live_progress(live, now=T0 + 599)
    assert p.step == 0 and p.steps_per_second is None and p.eta_seconds is None and not p.stalled
    assert live_progress(live, now=T0 + 601).stalled  # no interval yet: 600 s of silence


def test_checkpoint_mtimes_alone(tmp_path: Path) -> None:
    points = [(300, T0 + 250), (100, T0), (200, T0 + 100)]  # any order
    p = checkpoint_progress(points, T0 + 300, max_steps=1000, save_steps=100)
    assert p.source == "checkpoints" and p.step == 300
    assert p.steps_per_second == pytest.approx(200 / 250)
    # intervals 100 and 150 -> median 125; 700 steps at 0.8/s = 875 s, minus the 50 s since the last save
    assert p.median_interval == pytest.approx(125.0)
    assert p.eta_seconds == pytest.approx(875 - 50)
    assert p.elapsed_seconds is None and p.samples_per_second is None
    assert p.next_checkpoint_step == 400
    assert p.stall_threshold == pytest.approx(625.0)
    assert not p.stalled and checkpoint_progress(points, T0 + 250 + 626, max_steps=1000).stalled
    single = checkpoint_progress([(100, T0)], T0 + 1e6, max_steps=1000)
    assert single.steps_per_second is None and not single.stalled and single.stall_threshold is None


def test_checkpoints_of_a_resumed_run(tmp_path: Path) -> None:
    # checkpoint-8 is older than checkpoint-6: the run was resumed from 4 and is now at 6.
    p = checkpoint_progress([(4, T0), (8, T0 + 100), (6, T0 + 200)], T0 + 200, max_steps=10)
    assert p.step == 6 and p.steps_per_second == pytest.approx(2 / 200)
    done = checkpoint_progress([(4, T0), (10, T0 + 60)], T0 + 999, max_steps=10, finished=True)
    assert done.finished and done.eta_seconds == 0.0 and not done.stalled


@pytest.mark.parametrize(
    ("step", "save_steps", "max_steps", "expected"),
    [
        (40, 25, 100, 50),
        (50, 25, 100, 75),
        (90, 25, 100, 100),
        (99, 40, 100, 100),
        (100, 25, 100, None),
        (3, 25, None, 25),
        (3, None, 100, None),
        (3, 0, 100, None),
        (None, 25, 100, None),
    ],
)
def test_next_checkpoint(
    step: int | None, save_steps: int | None, max_steps: int | None, expected: int | None
) -> None:
    assert next_checkpoint(step, save_steps, max_steps) == expected


def test_helpers() -> None:
    assert median_interval([0, 1, 3, 6]) == 2  # gaps 1, 2, 3
    assert median_interval([0, 1, 3, 6, 10]) == 2.5  # gaps 1, 2, 3, 4
    assert median_interval([0, 100, 101, 102], last=2) == 1
    assert median_interval([5.0]) is None
    assert stall_threshold(10) == 120 and stall_threshold(30) == 150 and stall_threshold(None) == 600
    assert stall_threshold(None, unknown=None) is None
    p = compute_progress([(5, 10.0), (5, 20.0)], 20.0, max_steps=10)
    assert p.steps_per_second is None and p.eta_seconds is None  # no step made: no speed


def test_points_read_from_the_end_are_the_tail_of_all_points(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [start()]
    for step in range(1, 301):
        records.append(log(step, T0 + step, tokens=10 * step))
        if step % 7 == 0:  # an evaluation at the same step, later: not a new point
            records.append(log(step, T0 + step + 0.5, tokens=10 * step, eval_loss=1.0))
    live = write(tmp_path, *records)
    everything = live_points(live)
    assert len(everything) == 301 and everything[0] == (0, T0) and everything[7] == (7, T0 + 7)
    for limit in (1, 2, 21, 101, 300, 301, 500):
        assert live_points(live, limit=limit) == everything[-limit:], limit
    p = live_progress(live, now=T0 + 300, window=20)
    assert p.tokens_per_second == pytest.approx(10.0)  # 10 tokens a second, evaluations or not
    assert p.steps_per_second == pytest.approx(1.0)
