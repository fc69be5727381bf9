"""Synthetic runs for the benchmarks, written exactly as the Trainer writes them, cached on disk.

The histories come from the core's simulator (:func:`trainmon_tui.simulate.synthetic_log_history`: one
training entry per step, an eval entry every 500 steps); every 997th loss is NaN and every 1009th grad
norm is Infinity, so the files hold the bare ``NaN`` / ``Infinity`` tokens real files hold. They are written
with :func:`trainmon_tui.simulate.write_trainer_state` (``json.dumps(indent=2, sort_keys=True)``, plain
non-atomic write) into ``<cache>/<name>/checkpoint-<step>/trainer_state.json``.

The cache folder is ``benchmarks/.data`` (git-ignored) unless ``TRAINMON_BENCH_DATA`` names another one.
A file is generated once and reused while :data:`GENERATOR_VERSION` is unchanged.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.simulate import RunConfig, SimulatedRun, synthetic_log_history, write_trainer_state

GENERATOR_VERSION = 1
EVAL_EVERY = 500
NAN_EVERY = 997
INF_GRAD_EVERY = 1009
SAVE_STEPS = 500  # training steps between two checkpoints of the "new checkpoint" rows

DEFAULT_CACHE = Path(__file__).resolve().parent / ".data"


def cache_dir() -> Path:
    folder = Path(os.environ.get("TRAINMON_BENCH_DATA") or DEFAULT_CACHE)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``1m`` -> 1000000, ``200000`` -> 200000."""
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def history(n_steps: int) -> list[dict[str, Any]]:
    """``n_steps`` training entries (and one eval entry per 500 steps), with NaN and Infinity values."""
    entries = synthetic_log_history(n_steps, eval_every=EVAL_EVERY, nan_every=NAN_EVERY)
    for entry in entries:
        if "loss" in entry and entry["step"] % INF_GRAD_EVERY == 0:
            entry["grad_norm"] = math.inf
    return entries


def state_dict(outputs: Path, entries: list[dict[str, Any]], max_steps: int) -> dict[str, Any]:
    """The whole ``trainer_state.json`` object at the last step of ``entries``, as the simulator builds it."""
    step = entries[-1]["step"] if entries else 0
    run = SimulatedRun(outputs, RunConfig(max_steps=max_steps, eval_steps=EVAL_EVERY, save_steps=SAVE_STEPS))
    run.step = step
    run.log_history = entries
    evals = [(e["eval_loss"], e["step"]) for e in entries if "eval_loss" in e]
    run.best = min(evals) if evals else None
    return run.state_dict()


def trainer_text(outputs: Path, entries: list[dict[str, Any]], max_steps: int) -> str:
    """The exact text :func:`write_trainer_state` writes (for timing a write without its json.dumps)."""
    return json.dumps(state_dict(outputs, entries, max_steps), indent=2, sort_keys=True) + "\n"


def n_entries_for_steps(entries: list[dict[str, Any]], steps: int) -> int:
    """How many entries of ``entries`` belong to the first ``steps`` training steps."""
    return sum(1 for e in entries if e["step"] <= steps)


def run_folder(n_steps: int) -> Path:
    """A run of ``n_steps`` training steps with one checkpoint at the end (generated once, then cached).

    Returns the outputs folder; its only checkpoint is ``checkpoint-<n_steps>``.
    """
    outputs = cache_dir() / f"run-{size_label(n_steps)}-v{GENERATOR_VERSION}"
    target = outputs / f"checkpoint-{n_steps}" / STATE_FILE
    if target.is_file():
        return outputs
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(STATE_FILE + ".partial")
    # Written as the Trainer writes (write_trainer_state), into a side name first so that an interrupted
    # generation never leaves a half file in the cache.
    write_trainer_state(partial, state_dict(outputs, history(n_steps), max_steps=n_steps * 2))
    partial.replace(target)
    return outputs


def state_file(n_steps: int) -> Path:
    return run_folder(n_steps) / f"checkpoint-{n_steps}" / STATE_FILE


def checkpoint_pair(n_steps: int) -> tuple[Path, Path]:
    """Two checkpoints of one run, at ``n_steps`` and ``SAVE_STEPS`` later (generated once, then cached).

    The second file's ``log_history`` begins with the first's, byte for byte, as with the real Trainer.
    """
    outputs = cache_dir() / f"pair-{size_label(n_steps)}-v{GENERATOR_VERSION}"
    later = n_steps + SAVE_STEPS
    paths = (outputs / f"checkpoint-{n_steps}" / STATE_FILE, outputs / f"checkpoint-{later}" / STATE_FILE)
    if all(p.is_file() for p in paths):
        return paths
    entries = history(later)
    for path, steps in zip(paths, (n_steps, later), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(STATE_FILE + ".partial")
        part = entries[: n_entries_for_steps(entries, steps)]
        write_trainer_state(partial, state_dict(outputs, part, max_steps=later * 2))
        partial.replace(path)
    return paths
