"""``--summary`` with a live log (``trainmon_log.jsonl``): the newest steps, speed and time left."""

from __future__ import annotations

import json
import time
from pathlib import Path

from builders import livelog as records

from trainmon_tui.simulate import RunConfig, SimulatedRun


def write_live_log(outputs: Path, run: SimulatedRun, steps: range, t0: float) -> None:
    """One log record a second from ``t0``: step s logged at t0 + s."""
    recs = [records.start(0, time=t0, epoch=0, max_steps=run.config.max_steps, save_steps=10)]
    for step in steps:
        entry = run.train_entry(step)
        recs.append(records.log(step, time=t0 + step, epoch=entry["epoch"], values=entry))
    records.write(outputs, *recs)


def test_live_log_alone_is_enough_before_the_first_checkpoint(tmp_path: Path, run_cli) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100))
    write_live_log(outputs, run, range(1, 8), time.time() - 7.2)
    result = run_cli(str(outputs), "--summary", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["global_step"] == 7
    assert data["max_steps"] == 100
    assert data["loss"]["count"] == 7
    assert data["checkpoint"] is None


def test_steps_after_the_checkpoint_speed_and_eta(tmp_path: Path, run_cli) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=None))
    run.save_at(10)
    t0 = time.time() - 20.2  # step 20 was logged 0.2 s ago
    write_live_log(outputs, run, range(1, 21), t0)
    result = run_cli(str(outputs), "--summary", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["checkpoint"] == "checkpoint-10"
    assert data["global_step"] == 20  # ten steps past the newest checkpoint
    assert data["loss"]["count"] == 20
    assert data["steps_per_second"] == 1.0  # one step a second, by the records' wall times
    assert data["stalled"] is False
    # ETA = 80 steps at 1 step/s, less the time since the last record (~0.2 s, capped at 1 s)
    assert 78.5 <= data["eta_seconds"] <= 80.0
    assert 20.0 <= data["elapsed_seconds"] <= 30.0
    assert data["last_update"] is not None


def test_a_silent_run_is_stalled(tmp_path: Path, run_cli) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100))
    write_live_log(outputs, run, range(1, 21), time.time() - 3600)  # last record 59 minutes ago
    data = json.loads(run_cli(str(outputs), "--summary", "--format", "json").stdout)
    assert data["stalled"] is True
    assert data["eta_seconds"] is None
    table = run_cli(str(outputs), "--summary")
    assert "STALLED" in table.stdout


def test_explicit_checkpoint_ignores_the_live_log(tmp_path: Path, run_cli) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10))
    run.save_at(10)
    write_live_log(outputs, run, range(1, 21), time.time() - 20)
    data = json.loads(
        run_cli("--checkpoint", str(outputs / "checkpoint-10"), "--summary", "--format", "json").stdout
    )
    assert data["global_step"] == 10
    assert data["steps_per_second"] is None


def test_a_live_log_that_cannot_be_read_is_said(tmp_path: Path, run_cli, helpers) -> None:
    """The dashboard said it; ``-u`` only reported bad lines, never a live log it could not read."""
    outputs = tmp_path / "outputs"
    entries = [{"loss": 1.0, "step": 1}]
    helpers.write_state(outputs / "checkpoint-1", helpers.trainer_state(entries, global_step=1))
    (outputs / "trainmon_log.jsonl").mkdir()
    result = run_cli(str(outputs), "--summary")
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skipped: {outputs / 'trainmon_log.jsonl'}: ") and "folder" in line
