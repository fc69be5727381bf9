"""The monitor: entries one at a time give the alerts that all at once gives, a reload costs only its
new entries, an episode fires once across reloads, a resume clears what it dropped; real runs, simulator."""

from __future__ import annotations

import dataclasses
import math
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from builders import livelog
from builders.fixtures import REAL_FIXTURES, needs_real
from builders.health import episodes, fired, history, kinds, run_all, run_each, state_of

from trainmon_tui.files.state import StateCache, load_state
from trainmon_tui.health.monitor import HealthMonitor
from trainmon_tui.live.source import LiveSource
from trainmon_tui.pipeline import take_snapshot
from trainmon_tui.simulate import RunConfig, write_run

NAN = math.nan


def _troubled() -> list[dict[str, object]]:
    losses = [2.0 - 0.01 * i for i in range(60)]
    losses[20], losses[51] = NAN, 9.0
    grads = [1.0] * 60
    grads[55] = 500.0
    return history(losses, grad=grads, evals={10: 1.5, 20: 1.6, 30: 1.7, 40: 1.8, 50: 1.2})


def test_one_entry_at_a_time_gives_the_same_alerts_as_all_at_once():
    entries = _troubled()
    whole = run_all(entries)
    _, reports = run_each(entries)
    assert episodes(whole) == episodes(reports[-1]) == fired(reports)
    assert kinds(whole.history) == ["nan_loss", "overfitting", "loss_spike", "grad_explosion"]
    assert [(a.kind, a.count, a.message_en) for a in whole.history] == [
        (a.kind, a.count, a.message_en) for a in reports[-1].history
    ]


def test_a_reload_costs_only_its_new_entries():
    entries = _troubled()
    monitor, _ = run_each(entries)
    per_entry = {"loss": 1, "learning_rate": 1, "grad_norm": 1, "eval_loss": 1}
    points = sum(sum(per_entry[k] for k in e if k in per_entry) for e in entries)
    assert monitor.points_fed == points  # each point fed once over 65 reloads, not 65 times the history
    again = monitor.points_fed
    monitor.update(state_of(entries), None, None, 100.0)  # the same state again: nothing new
    assert monitor.points_fed == again


def test_an_episode_fires_once_across_reloads_and_a_resume_clears_it():
    entries = history([*[1.0] * 15, NAN, NAN, NAN])
    monitor = HealthMonitor()
    first = monitor.update(state_of(entries), None, None, 1.0)
    assert kinds(first.fired) == ["nan_loss"]
    assert monitor.update(state_of(entries), None, None, 2.0).fired == ()
    assert kinds(monitor.update(state_of(entries), None, None, 3.0).active) == ["nan_loss"]
    # resumed from step 15: the NaN steps are gone from the history, then it goes on healthy
    resumed = history([*[1.0] * 15, 0.99, 0.98])
    report = monitor.update(state_of(resumed), None, None, 4.0)
    assert kinds(report.cleared) == ["nan_loss"] and report.active == () and report.fired == ()
    assert kinds(report.history) == ["nan_loss"]  # still listed: it happened


def test_the_first_seen_time_is_kept():
    entries = history([*[1.0] * 15, NAN])
    monitor = HealthMonitor()
    monitor.update(state_of(entries), None, None, 10.0)
    report = monitor.update(state_of([*entries, *history([1.0] * 17)[16:]]), None, None, 99.0)
    assert [a.time for a in report.active] == [10.0]


@needs_real
def test_real_fixture_10_nonfinite_grad_norms_and_a_loss_spike():
    report = HealthMonitor().update(
        load_state(REAL_FIXTURES / "10_unsloth_fp16_nan_infinity_gradnorm.json"), None, None, 0.0
    )
    assert episodes(report) == [("nan_grad_norm", 5), ("loss_spike", 18), ("finished", 60)]
    assert report.history[0].count == 2  # the NaN at 5 and the Infinity at 18: one episode
    assert report.serious == ()  # both over by step 60: a finished run, healthy now


@needs_real
def test_real_fixture_08_huge_early_grad_norms():
    report = HealthMonitor().update(
        load_state(REAL_FIXTURES / "08_new_huge_train_loss_ga_bug.json"), None, None, 0.0
    )
    assert episodes(report) == [("grad_explosion", 100), ("finished", 692)]
    assert "197.5" in report.history[0].message_en


@needs_real
@pytest.mark.parametrize(
    "name", ["run_bert_cls/checkpoint-2400", "run_bert_cls/checkpoint-500", "run_mistral_translator",
             "run_mistral_translator/checkpoint-4500"],
)  # fmt: skip
def test_real_healthy_runs_give_no_warning(name):
    report = HealthMonitor().update(load_state(REAL_FIXTURES / name / "trainer_state.json"), None, None, 0.0)
    assert [a for a in report.history if a.serious] == []


def test_simulator_with_an_injected_nan_through_the_pipeline(tmp_path):
    outputs = tmp_path / "run"
    run = write_run(outputs, [20, 40], RunConfig(max_steps=100, nan_steps=frozenset({33})))
    monitor, cache = HealthMonitor(), StateCache()
    snap = take_snapshot(outputs, cache=cache, max_points=None, monitor=monitor)
    assert snap.health is not None and kinds(snap.health.fired) == ["nan_loss", "nan_grad_norm"]
    assert [a.step for a in snap.health.fired] == [33, 33]
    run.advance(60)
    run.save_checkpoint()
    later = take_snapshot(outputs, cache=cache, max_points=None, monitor=monitor)
    assert later.health is not None and later.health.fired == ()
    pinned = take_snapshot(
        outputs,
        cache=cache,
        max_points=None,
        monitor=monitor,
        pinned=outputs / "checkpoint-20" / "trainer_state.json",
    )
    assert pinned.health is None  # a pinned old checkpoint is no news about the run


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _live_run(
    tmp_path: Path, pid: int, *, host: str | None = None, end: bool = False, at: float = 1000.0
) -> Path:
    outputs = tmp_path / "live"
    records = [
        livelog.start(time=at, max_steps=100, pid=pid, host=host or socket.gethostname()),
        *(livelog.log(s, time=at + s, values={"loss": 1.0, "learning_rate": 1e-4}) for s in range(1, 11)),
    ]
    if end:
        records.append(livelog.end(10, time=at + 11))
    livelog.write(outputs, *records)
    return outputs


def _health(outputs: Path, now: float, monitor: HealthMonitor | None = None):
    snap = take_snapshot(outputs, cache=StateCache(), follower=LiveSource(outputs), max_points=None, now=now,
                         monitor=monitor or HealthMonitor())  # fmt: skip
    assert snap.health is not None
    return snap.health


def test_a_killed_training_process_on_this_host(tmp_path):
    outputs = _live_run(tmp_path, _dead_pid())
    report = _health(outputs, now=1012.0)
    assert kinds(report.active) == ["process_gone"] and report.active[0].step == 10
    assert report.active[0].severity == "critical"


def test_a_running_process_another_host_or_an_end_record_is_not_gone(tmp_path):
    import os
    import time

    now = time.time()
    # this process, started before its start record as a training process is
    assert kinds(_health(_live_run(tmp_path / "a", os.getpid(), at=now), now=now + 12).active) == []
    assert kinds(_health(_live_run(tmp_path / "b", _dead_pid(), host="elsewhere"), now=1012.0).active) == []
    assert kinds(_health(_live_run(tmp_path / "c", _dead_pid(), end=True), now=1012.0).active) == ["finished"]


def test_a_reused_pid_started_after_the_run_is_gone(tmp_path):
    import os

    outputs = _live_run(tmp_path, os.getpid())  # this process: alive, but started long after time 1000
    monitor = HealthMonitor()
    snap = take_snapshot(
        outputs,
        cache=StateCache(),
        follower=LiveSource(outputs),
        max_points=None,
        now=1012.0,
        monitor=monitor,
    )
    assert snap.health is not None and kinds(snap.health.active) == ["process_gone"]


def test_stalled_after_the_floor_and_cleared_by_a_new_log(tmp_path):
    import os
    import time

    now = time.time()
    outputs = tmp_path / "live"
    records = [livelog.start(time=now - 3000, max_steps=100, pid=os.getpid(), host="elsewhere")]
    records += [livelog.log(s, time=now - 3000 + s, values={"loss": 1.0}) for s in range(1, 11)]
    livelog.write(outputs, *records)
    monitor = HealthMonitor()
    follower = LiveSource(outputs)
    early = take_snapshot(
        outputs, cache=StateCache(), follower=follower, max_points=None, now=now - 2790, monitor=monitor
    )
    assert early.progress is not None and early.progress.stalled  # the summary says STALLED after 120 s
    assert early.health is not None and early.health.active == ()  # the alert waits for 10 minutes
    late = take_snapshot(
        outputs, cache=StateCache(), follower=follower, max_points=None, now=now, monitor=monitor
    )
    assert late.health is not None and kinds(late.health.fired) == ["stalled"]
    assert "No new log for" in late.health.fired[0].message_en
    livelog.append(outputs / "trainmon_log.jsonl", livelog.log(11, time=now, values={"loss": 1.0}))
    back = take_snapshot(
        outputs, cache=StateCache(), follower=follower, max_points=None, now=now + 1, monitor=monitor
    )
    assert back.health is not None and kinds(back.health.cleared) == ["stalled"]


@pytest.mark.parametrize("seed", range(6))
def test_any_split_into_batches_gives_the_same_alerts(seed):
    """Random runs with NaNs, spikes, zeros, rises and a dead scheduler, fed in random batches."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 400
    losses = 2.0 * np.exp(-np.arange(n) / 150) + rng.normal(0, 0.05, n)
    losses[rng.integers(0, n, 6)] = np.nan
    losses[rng.integers(20, n, 4)] *= 8  # spikes
    losses[300:330] = 0.0
    losses[200:240] += np.linspace(0, 3, 40)  # a rise
    grads = np.abs(rng.normal(1, 0.3, n))
    grads[rng.integers(0, n, 5)] = np.inf
    grads[rng.integers(30, n, 3)] = 400.0
    rates = np.full(n, 1e-4)
    rates[150:160] = 0.0
    evals = {s: 1.0 + 0.1 * ((s // 20) % 5) for s in range(20, n + 1, 20)}
    entries = history(losses.tolist(), lr=rates.tolist(), grad=grads.tolist(), evals=evals)
    whole = run_all(entries, max_steps=1000)
    cuts = [*sorted(set(rng.integers(1, len(entries), 12).tolist())), len(entries)]
    monitor = HealthMonitor()
    reports = [
        monitor.update(state_of(entries[:cut], max_steps=1000), None, None, float(cut)) for cut in cuts
    ]
    assert len(whole.history) >= 5
    assert [(a.key, a.count, a.message_en) for a in whole.history] == [
        (a.key, a.count, a.message_en) for a in reports[-1].history
    ]
    assert [a.key for a in whole.active] == [a.key for a in reports[-1].active]


def test_the_smoothed_loss_in_batches_equals_the_plain_recurrence():
    import numpy as np

    from trainmon_tui.health.detectors import SeriesDetectors
    from trainmon_tui.health.thresholds import Thresholds
    from trainmon_tui.views.metrics import TrainerKind

    values = np.random.default_rng(0).random(1000) * 3
    for weight in (0.3, 0.6, 0.9, 0.99):
        detectors = SeriesDetectors(Thresholds(divergence_smoothing=weight), TrainerKind.TRAINER, None)
        got = np.concatenate(
            [detectors._ema(values[:7]), detectors._ema(values[7:300]), detectors._ema(values[300:])]
        )
        raw, power, plain = 0.0, 1.0, []
        for x in values:
            raw, power = weight * raw + (1 - weight) * x, power * weight
            plain.append(raw / (1 - power))
        assert np.max(np.abs(got - np.array(plain)) / np.array(plain)) < 1e-12


def test_simulator_with_an_injected_spike(tmp_path):
    outputs = tmp_path / "run"
    write_run(outputs, [40, 80], RunConfig(max_steps=100, spike_steps=frozenset({60})))
    snap = take_snapshot(outputs, cache=StateCache(), max_points=None, monitor=HealthMonitor())
    assert snap.health is not None and episodes(snap.health) == [("loss_spike", 60)]
    assert snap.health.active == ()  # one log later the loss is back: over


@pytest.mark.parametrize("pid", [0, -1, 2**40, 2**63 - 1])
def test_a_pid_from_the_file_that_no_process_can_have_is_never_gone_nor_an_error(tmp_path, pid):
    outputs = _live_run(tmp_path, pid)
    assert kinds(_health(outputs, now=1012.0).active) == []


@needs_real
@pytest.mark.parametrize(
    "name", ["14_trl_grpo_oldstyle_loss0_ckpt250.json", "15_trl_grpo_perstep_negzero_loss_ckpt250.json"]
)
def test_real_grpo_runs_logging_zero_losses_are_not_alerted(name):
    from trainmon_tui.health.thresholds import Thresholds

    state = load_state(REAL_FIXTURES / name)
    zeros = state.loss.values == 0.0  # GRPO's 0.0 (and -0.0) losses, by design
    run = max(len(r) for r in "".join("0" if z else "x" for z in zeros).split("x"))
    assert run >= 3
    eager = Thresholds(zero_loss_logs=3)  # a run of zeros this long would be an alert for another trainer
    assert [a.kind for a in HealthMonitor(eager).update(state, None, None, 0.0).history if a.serious] == []
    assert [a.kind for a in HealthMonitor().update(state, None, None, 0.0).history if a.serious] == []
    plain = dataclasses.replace(state, series={"loss": state.loss})  # the same losses, no GRPO keys
    assert "zero_loss" in kinds(HealthMonitor(eager).update(plain, None, None, 0.0).history)
