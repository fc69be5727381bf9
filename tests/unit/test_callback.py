"""TrainmonCallback without a Trainer: what it writes, on which process, what it imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trainmon_tui.callback import TrainmonCallback
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.writer import gpu_peak_memory, log_values

ROOT = Path(__file__).resolve().parents[2]


def fake_args(out: Path, **extra: Any) -> SimpleNamespace:
    base = {
        "output_dir": str(out),
        "process_index": 0,
        "world_size": 2,
        "train_batch_size": 4,
        "gradient_accumulation_steps": 3,
        "logging_strategy": "steps",
        "eval_strategy": "no",
        "save_strategy": "steps",
    }
    return SimpleNamespace(**{**base, **extra})


def fake_state(**extra: Any) -> SimpleNamespace:
    base = {
        "global_step": 0,
        "epoch": 0.0,
        "max_steps": 50,
        "num_train_epochs": 1,
        "logging_steps": 5,
        "eval_steps": 500,  # TrainerState's default, meaningless with eval_strategy="no"
        "save_steps": 10,
        "train_batch_size": 4,
        "num_input_tokens_seen": 0,
        "is_world_process_zero": True,
        "log_history": [],
    }
    return SimpleNamespace(**{**base, **extra})


def trainer_log(callback: TrainmonCallback, args: Any, state: Any, logs: dict[str, Any]) -> None:
    """What ``Trainer.log`` does: append the entry, then call ``on_log``."""
    state.log_history.append({**logs, "step": state.global_step})
    callback.on_log(args, state, None, logs=logs)


def test_the_writer_writes_where_the_reader_reads() -> None:
    assert TrainmonCallback().filename == LIVE_LOG_FILE == "trainmon_log.jsonl"


def test_records_written_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "out"  # does not exist yet: created
    args, state, cb = fake_args(out), fake_state(), TrainmonCallback()
    cb.on_train_begin(args, state, None)
    for step in (5, 10):
        state.global_step, state.epoch, state.num_input_tokens_seen = step, step / 50, 100 * step
        logs = {"loss": 2.0 / step, "learning_rate": 1e-3, "note": "text", "epoch": state.epoch}
        trainer_log(cb, args, state, logs)
    state.global_step = 10
    cb.on_step_end(args, state, SimpleNamespace(should_evaluate=False, should_save=True))
    cb.on_save(args, state, None)
    cb.on_train_end(args, state, None)

    lines = (out / LIVE_LOG_FILE).read_text().splitlines()
    assert [json.loads(x)["type"] for x in lines] == ["start", "log", "log", "heartbeat", "save", "end"]
    live = read_live_log(out)
    assert live.bad_lines == 0 and live.pending_bytes == 0
    start = live.start
    assert start is not None
    assert (start.max_steps, start.logging_steps, start.save_steps) == (50, 5, 10)
    assert start.eval_steps is None  # strategy "no": the 500 default is not passed on
    assert (start.world_size, start.samples_per_step) == (2, 4 * 3 * 2)
    assert [r.step for r in live.logs] == [5, 10]
    assert live.logs[0].values == {"loss": 0.4, "learning_rate": 1e-3, "epoch": 0.1}  # the string left out
    assert [r.num_input_tokens_seen for r in live.logs] == [500, 1000]
    assert [(s.step, s.checkpoint) for s in live.saves] == [(10, "checkpoint-10")]
    assert live.end is not None and live.end.step == 10 and live.phase is None


def test_nan_and_infinity_are_written_as_bare_tokens(tmp_path: Path) -> None:
    args, state, cb = fake_args(tmp_path), fake_state(global_step=3), TrainmonCallback()
    trainer_log(cb, args, state, {"loss": math.nan, "grad_norm": math.inf, "x": -math.inf})
    text = (tmp_path / LIVE_LOG_FILE).read_text()
    assert '"loss":NaN' in text and '"grad_norm":Infinity' in text and '"x":-Infinity' in text
    values = read_live_log(tmp_path).logs[0].values
    assert math.isnan(values["loss"]) and values["grad_norm"] == math.inf and values["x"] == -math.inf


def test_only_the_world_process_zero_writes(tmp_path: Path) -> None:
    cb = TrainmonCallback()
    for args, state in (
        (fake_args(tmp_path, process_index=1), fake_state()),
        (fake_args(tmp_path), fake_state(is_world_process_zero=False)),
    ):
        cb.on_train_begin(args, state, None)
        trainer_log(cb, args, state, {"loss": 1.0})
        cb.on_save(args, state, None)
        cb.on_train_end(args, state, None)
    assert not (tmp_path / LIVE_LOG_FILE).exists()


def test_the_entry_in_log_history_wins_over_a_trimmed_logs_dict() -> None:
    state = fake_state(global_step=7)
    logs = {"loss": 0.5, "total_flos": 123.0}
    state.log_history.append({**logs, "step": 7})
    del logs["total_flos"]  # as older ProgressCallbacks did before later callbacks ran
    assert log_values(logs, state) == (7, {"loss": 0.5, "total_flos": 123.0})
    # An entry of another step is not taken for this one.
    other = fake_state(global_step=8, log_history=[{"loss": 9.0, "step": 3}])
    assert log_values({"loss": 0.25}, other) == (8, {"loss": 0.25})


def test_tensor_like_values_and_bools(tmp_path: Path) -> None:
    class Scalar:
        def __init__(self, value: float) -> None:
            self.value = value

        def item(self) -> float:
            return self.value

    _, values = log_values({"loss": Scalar(0.75), "flag": True, "n": 3}, fake_state(global_step=1))
    assert values == {"loss": 0.75, "n": 3}


def test_peak_gpu_memory_where_cuda_is_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = SimpleNamespace(
        is_available=lambda: True, is_initialized=lambda: True, max_memory_allocated=lambda: 123456
    )
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(cuda=cuda))
    assert gpu_peak_memory() == 123456
    # system=False: this fake torch.cuda has only what gpu_peak_memory asks for (the probe: test_sysprobe)
    args, state, cb = fake_args(tmp_path), fake_state(global_step=1), TrainmonCallback(system=False)
    trainer_log(cb, args, state, {"loss": 1.0})
    assert read_live_log(tmp_path).logs[0].gpu_mem_peak == 123456
    # CUDA present but never used by this process: not initialized here, nothing reported.
    cuda.is_initialized = lambda: False
    assert gpu_peak_memory() is None
    monkeypatch.setitem(sys.modules, "torch", None)
    assert gpu_peak_memory() is None


def test_a_line_left_half_written_by_a_killed_run_is_closed(tmp_path: Path) -> None:
    path = tmp_path / LIVE_LOG_FILE
    path.write_bytes(b'{"type":"start","time":1.0,"step":0}\n{"type":"log","time":2.0,"st')
    args, state, cb = fake_args(tmp_path), fake_state(global_step=0), TrainmonCallback()
    cb.on_train_begin(args, state, None)
    live = read_live_log(path)
    assert live.bad_lines == 1 and live.pending_bytes == 0
    assert live.start is not None and live.start.max_steps == 50  # the new start record survived


def test_a_write_that_fails_warns_once_and_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    args, state, cb = fake_args(blocker / "out"), fake_state(global_step=1), TrainmonCallback()
    with pytest.warns(RuntimeWarning, match="cannot write"):
        cb.on_train_begin(args, state, None)
    trainer_log(cb, args, state, {"loss": 1.0})  # quiet from now on, no exception
    cb.on_train_end(args, state, None)


def test_heartbeats_while_evaluating_are_throttled(tmp_path: Path) -> None:
    args, state, cb = fake_args(tmp_path), fake_state(global_step=4), TrainmonCallback(heartbeat_seconds=3600)
    cb.on_step_end(args, state, SimpleNamespace(should_evaluate=True, should_save=True))
    for _ in range(50):
        cb.on_prediction_step(args, state, None)
    cb.on_evaluate(args, state, SimpleNamespace(should_save=True), metrics={})
    records = [json.loads(x) for x in (tmp_path / LIVE_LOG_FILE).read_text().splitlines()]
    assert [(r["type"], r["phase"]) for r in records] == [("heartbeat", "evaluate"), ("heartbeat", "save")]
    assert read_live_log(tmp_path).phase == "save"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_importing_never_brings_in_textual_plotext_or_matplotlib() -> None:
    result = run_python(
        "import sys\n"
        "import trainmon_tui.callback, trainmon_tui.live.follower, trainmon_tui.live.progress\n"
        "heavy = ('textual', 'plotext', 'matplotlib', 'textual_plotext')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_callback_alone_imports_the_standard_library_only() -> None:
    """The training process: importing the callback brings in no third-party module (numpy, orjson).

    transformers is blocked, as if not installed: what it would bring (torch, numpy, ...) is not the
    callback's, and with it out of the way the check holds the same on every machine.
    """
    result = run_python(
        "import sys\n"
        "sys.modules['transformers'] = None\n"
        "before = set(sys.modules)\n"
        "import trainmon_tui.callback\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names) - {'trainmon_tui', 'transformers'}))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_importable_and_working_without_transformers(tmp_path: Path) -> None:
    result = run_python(
        "import sys, json\n"
        "sys.modules['transformers'] = None  # as if not installed: importing it raises ImportError\n"
        "from types import SimpleNamespace as N\n"
        "from trainmon_tui.callback import TrainmonCallback\n"
        "cb = TrainmonCallback()\n"
        f"args = N(output_dir={str(tmp_path)!r})\n"
        "state = N(global_step=2, epoch=0.5, log_history=[])\n"
        "cb.on_log(args, state, None, logs={'loss': 0.5})\n"
        "print(type(cb).__mro__[1].__module__, sys.modules.get('transformers'))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["trainmon_tui.callback", "None"]
    assert read_live_log(tmp_path).logs[0].values == {"loss": 0.5}


def test_subclasses_the_transformers_callback_when_installed() -> None:
    transformers = pytest.importorskip("transformers")
    assert isinstance(TrainmonCallback(), transformers.TrainerCallback)
