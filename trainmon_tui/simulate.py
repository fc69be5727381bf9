"""A training run without a GPU: writes checkpoint folders exactly the way the Hugging Face Trainer does.

The Trainer (4.4x to 5.x) saves into ``checkpoint-N/``: model and optimizer files first,
``trainer_state.json``
last, with ``json.dumps(state, indent=2, sort_keys=True)`` and a plain non-atomic write (so bare ``NaN`` /
``Infinity`` tokens appear and a reader can see the file half written). 5.x marks a folder being saved with
``checkpoint-is-incomplete.txt``. Rotation (``save_total_limit``) then deletes the oldest folders with
``shutil.rmtree``. The end-of-training summary entry is logged after the last save, so only the root
``trainer_state.json`` written by ``trainer.save_state()`` holds it.

Used by the tests, ``trainmon-tui --demo`` and the benchmarks. ``python -m trainmon_tui.simulate OUT``
runs one from the command line.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainmon_tui.files.discovery import INCOMPLETE_MARKER
from trainmon_tui.files.model import STATE_FILE


@dataclass(slots=True)
class RunConfig:
    max_steps: int = 200
    num_train_epochs: int = 2
    logging_steps: int = 1
    eval_steps: int | None = 50
    save_steps: int = 20
    save_total_limit: int | None = 3
    learning_rate: float = 5e-5
    warmup_steps: int = 10
    nan_steps: frozenset[int] = field(default_factory=frozenset)  # training entries with a NaN loss
    inf_grad_steps: frozenset[int] = field(default_factory=frozenset)  # grad_norm Infinity
    spike_steps: frozenset[int] = field(default_factory=frozenset)  # training loss x 10 (a loss spike)
    seed: int = 0
    train_batch_size: int = 8
    write_root_state: bool = True  # trainer.save_state() at the end
    extra_files: bool = True  # small stand-ins for config.json, model weights, optimizer, ...


def write_trainer_state(path: Path, state: dict[str, Any]) -> None:
    """Write a state as ``TrainerState.save_to_json`` does: no temp file, no rename, no fsync."""
    text = json.dumps(state, indent=2, sort_keys=True) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class SimulatedRun:
    """A run that logs, evaluates and saves on demand, into ``outputs``."""

    def __init__(self, outputs: Path, config: RunConfig | None = None) -> None:
        self.outputs = Path(outputs)
        self.config = config or RunConfig()
        self.step = 0
        self.log_history: list[dict[str, Any]] = []
        self._rng = random.Random(self.config.seed)
        self._start = time.time()
        self.best: tuple[float, int] | None = None  # (eval_loss, step)

    # --- the numbers -------------------------------------------------------------------------------

    @property
    def steps_per_epoch(self) -> float:
        return self.config.max_steps / self.config.num_train_epochs

    def epoch_at(self, step: int) -> float:
        return step / self.steps_per_epoch

    def learning_rate_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to zero: ``get_cosine_schedule_with_warmup``."""
        c = self.config
        if step < c.warmup_steps:
            return c.learning_rate * step / max(1, c.warmup_steps)
        progress = (step - c.warmup_steps) / max(1, c.max_steps - c.warmup_steps)
        return c.learning_rate * max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

    def loss_at(self, step: int) -> float:
        base = 0.6 + 2.4 * math.exp(-step / max(1.0, self.config.max_steps / 6))
        return round(base * (1 + self._rng.gauss(0, 0.06)), 4)

    def train_entry(self, step: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "epoch": self.epoch_at(step),
            "grad_norm": abs(self._rng.gauss(1.0, 0.3)) + 2.0 * math.exp(-step / 20),
            "learning_rate": self.learning_rate_at(step),
            "loss": self.loss_at(step),
            "step": step,
        }
        if step in self.config.nan_steps:
            entry["loss"] = math.nan
            entry["grad_norm"] = math.nan
        if step in self.config.inf_grad_steps:
            entry["grad_norm"] = math.inf
        if step in self.config.spike_steps:
            entry["loss"] = round(entry["loss"] * 10, 4)
        return entry

    def eval_entry(self, step: int) -> dict[str, Any]:
        loss = 0.7 + 2.2 * math.exp(-step / max(1.0, self.config.max_steps / 5))
        loss = round(loss * (1 + self._rng.gauss(0, 0.02)), 4)
        if self.best is None or loss < self.best[0]:
            self.best = (loss, step)
        return {
            "epoch": self.epoch_at(step),
            "eval_accuracy": round(1 - loss / 4, 4),
            "eval_loss": loss,
            "eval_runtime": 1.234,
            "eval_samples_per_second": 81.0,
            "eval_steps_per_second": 10.1,
            "step": step,
        }

    # --- what the Trainer does -----------------------------------------------------------------------

    def advance(self, to_step: int) -> None:
        """Train up to ``to_step``: a log entry every ``logging_steps``, an eval every ``eval_steps``."""
        c = self.config
        to_step = min(to_step, c.max_steps)
        while self.step < to_step:
            self.step += 1
            if self.step % c.logging_steps == 0:
                self.log_history.append(self.train_entry(self.step))
            if c.eval_steps and self.step % c.eval_steps == 0:
                self.log_history.append(self.eval_entry(self.step))

    def state_dict(self) -> dict[str, Any]:
        c = self.config
        best_ckpt = None
        if self.best is not None:
            best_ckpt = str(self.outputs / f"checkpoint-{self.best[1]}")
        return {
            "best_global_step": self.best[1] if self.best else None,
            "best_metric": self.best[0] if self.best else None,
            "best_model_checkpoint": best_ckpt,
            "epoch": self.epoch_at(self.step),
            "eval_steps": c.eval_steps or 500,
            "global_step": self.step,
            "is_hyper_param_search": False,
            "is_local_process_zero": True,
            "is_world_process_zero": True,
            "log_history": self.log_history,
            "logging_steps": c.logging_steps,
            "max_steps": c.max_steps,
            "num_input_tokens_seen": 0,
            "num_train_epochs": c.num_train_epochs,
            "save_steps": c.save_steps,
            "stateful_callbacks": {
                "TrainerControl": {
                    "args": {
                        "should_epoch_stop": False,
                        "should_evaluate": False,
                        "should_log": False,
                        "should_save": True,
                        "should_training_stop": self.step >= c.max_steps,
                    },
                    "attributes": {},
                }
            },
            "total_flos": 1.0e12 * self.step,
            "train_batch_size": c.train_batch_size,
            "trial_name": None,
            "trial_params": None,
        }

    def save_checkpoint(self) -> Path:
        """``Trainer._save_checkpoint``: files, then the state last, then rotation."""
        folder = self.outputs / f"checkpoint-{self.step}"
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / INCOMPLETE_MARKER
        marker.write_text("")
        if self.config.extra_files:
            (folder / "config.json").write_text('{"model_type": "simulated"}\n')
            (folder / "model.safetensors").write_bytes(b"\0" * 256)
            (folder / "optimizer.pt").write_bytes(b"\0" * 64)  # never read: pickles run code
            (folder / "scheduler.pt").write_bytes(b"\0" * 64)
        write_trainer_state(folder / STATE_FILE, self.state_dict())
        marker.unlink()
        self.rotate()
        return folder

    def save_at(self, step: int) -> Path:
        """Train up to ``step``, then save a checkpoint there."""
        self.advance(step)
        return self.save_checkpoint()

    def rotate(self) -> None:
        """``_rotate_checkpoints``: keep the newest ``save_total_limit`` (and the best) checkpoints."""
        limit = self.config.save_total_limit
        if not limit:
            return
        folders = sorted(
            (p for p in self.outputs.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
            key=lambda p: int(p.name.split("-")[-1]),
        )
        best = self.outputs / f"checkpoint-{self.best[1]}" if self.best else None
        if best is not None and best in folders and limit > 1:
            folders.remove(best)
            folders.append(best)  # the best is kept, as the Trainer does
        for old in folders[: max(0, len(folders) - limit)]:
            shutil.rmtree(old, ignore_errors=True)

    def finish(self) -> None:
        """The end-of-training summary entry, then ``trainer.save_state()`` into the root."""
        losses = [e["loss"] for e in self.log_history if "loss" in e and math.isfinite(e["loss"])]
        runtime = max(0.001, time.time() - self._start)
        self.log_history.append(
            {
                "epoch": self.epoch_at(self.step),
                "step": self.step,
                "total_flos": 1.0e12 * self.step,
                "train_loss": sum(losses) / len(losses) if losses else 0.0,
                "train_runtime": round(runtime, 4),
                "train_samples_per_second": round(self.step * 8 / runtime, 3),
                "train_steps_per_second": round(self.step / runtime, 3),
            }
        )
        if self.config.write_root_state:
            self.outputs.mkdir(parents=True, exist_ok=True)
            write_trainer_state(self.outputs / STATE_FILE, self.state_dict())

    def run(self, seconds_per_save: float = 1.0, stop: threading.Event | None = None) -> None:
        """The whole run: save every ``save_steps`` steps, one save per ``seconds_per_save``."""
        c = self.config
        self.outputs.mkdir(parents=True, exist_ok=True)
        while self.step < c.max_steps:
            if stop is not None and stop.wait(seconds_per_save):
                return
            if stop is None:
                time.sleep(seconds_per_save)
            self.advance(self.step + c.save_steps)
            self.save_checkpoint()
        self.finish()


def synthetic_log_history(
    n_entries: int, *, eval_every: int = 500, nan_every: int = 0
) -> list[dict[str, Any]]:
    """A long ``log_history`` made quickly (for benchmarks): training entries, evals, optional NaN."""
    config = RunConfig(max_steps=n_entries, eval_steps=None, save_steps=n_entries)
    run = SimulatedRun(Path("."), config)
    history: list[dict[str, Any]] = []
    for step in range(1, n_entries + 1):
        entry = run.train_entry(step)
        if nan_every and step % nan_every == 0:
            entry["loss"] = math.nan
        history.append(entry)
        if eval_every and step % eval_every == 0:
            history.append(run.eval_entry(step))
    return history


def write_run(outputs: Path, steps: Iterable[int], config: RunConfig | None = None) -> SimulatedRun:
    """Write checkpoints at the given steps at once (no pacing); returns the run to continue it."""
    run = SimulatedRun(outputs, config)
    for step in steps:
        run.advance(step)
        run.save_checkpoint()
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trainmon_tui.simulate", description="Write a simulated Trainer run."
    )
    parser.add_argument("outputs", type=Path)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--save-steps", type=int, default=20)
    parser.add_argument("--eval-steps", type=int, default=50)
    parser.add_argument("--logging-steps", type=int, default=1)
    parser.add_argument("--save-total-limit", type=int, default=3)
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between saves")
    parser.add_argument("--nan-steps", type=int, nargs="*", default=[])
    args = parser.parse_args(argv)
    config = RunConfig(
        max_steps=args.max_steps,
        save_steps=args.save_steps,
        eval_steps=args.eval_steps or None,
        logging_steps=args.logging_steps,
        save_total_limit=args.save_total_limit or None,
        nan_steps=frozenset(args.nan_steps),
    )
    try:
        SimulatedRun(args.outputs, config).run(args.pace)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def demo_config() -> RunConfig:
    """``--demo``: a checkpoint every 1.5 s, evals, rotation, one NaN loss, finished after a minute."""
    return RunConfig(
        max_steps=400,
        num_train_epochs=2,
        logging_steps=2,
        eval_steps=50,
        save_steps=10,
        save_total_limit=5,
        nan_steps=frozenset({138}),
        warmup_steps=20,
    )
