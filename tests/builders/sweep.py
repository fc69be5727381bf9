"""A sweep of simulated runs under one PARENT, for the workspace's tests: finished, running, stalled, NaN,
unreadable. Each run is the simulator's (checkpoints written as the Trainer writes them)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.simulate import RunConfig, SimulatedRun, write_run

FIXED_MTIME = 1_767_225_600  # 2026-01-01 00:00:00 UTC


def write_sweep(parent: Path, *, fixed_times: bool = False) -> dict[str, Path]:
    """Five runs under ``parent``: lr-1e-4 (finished), lr-3e-4 (running), lr-5e-5/seed-1 (stalled: saves
    ten minutes apart, the last 1h30 ago), nan (a NaN loss) and broken (a truncated trainer_state.json)."""
    runs = {
        "finished": parent / "lr-1e-4",
        "running": parent / "lr-3e-4",
        "stalled": parent / "lr-5e-5" / "seed-1",
        "nan": parent / "nan",
        "broken": parent / "broken",
    }
    done = write_run(runs["finished"], range(20, 201, 20), RunConfig(learning_rate=1e-4, seed=1))
    done.finish()
    write_run(runs["running"], (20, 40, 60), RunConfig(learning_rate=3e-4, train_batch_size=16))
    write_run(runs["stalled"], (20, 40, 60, 80), RunConfig(learning_rate=5e-5, seed=2))
    write_run(runs["nan"], (20, 40), RunConfig(nan_steps=frozenset({30})))
    runs["broken"].mkdir(parents=True)
    (runs["broken"] / STATE_FILE).write_text('{"log_history": [{"loss": 1.0, "st', encoding="utf-8")
    long_ago = (FIXED_MTIME if fixed_times else time.time()) - 7200
    for index, state in enumerate(sorted(runs["stalled"].glob(f"checkpoint-*/{STATE_FILE}"))):
        mtime = long_ago + 600 * index  # saves ten minutes apart, the last one 1h30 ago
        os.utime(state, (mtime, mtime))
    if fixed_times:
        for name in ("finished", "running", "nan"):
            for index, state in enumerate(sorted(runs[name].rglob(STATE_FILE))):
                os.utime(state, (FIXED_MTIME + index, FIXED_MTIME + index))
    return runs


def add_run(folder: Path, steps: tuple[int, ...] = (20,)) -> SimulatedRun:
    return write_run(folder, steps, RunConfig(learning_rate=7e-5))
