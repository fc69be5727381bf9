"""The start record's configuration: TrainingArguments written JSON-safe without secrets, the model's name,
read back by the live log's reader (and old start records without them still read)."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from trainmon_tui.callback import TrainmonCallback
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.records import parse_record
from trainmon_tui.live.runconfig import is_secret, model_name, read_args, training_args
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.workspace.config import run_config


class Strategy(str, enum.Enum):
    STEPS = "steps"


class Args(SimpleNamespace):
    """TrainingArguments as the callback sees them: attributes and ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def args(out: Path) -> Args:
    return Args(
        output_dir=str(out), process_index=0, world_size=1, train_batch_size=8, gradient_accumulation_steps=1,
        logging_strategy=Strategy.STEPS, eval_strategy="no", save_strategy="steps", learning_rate=3e-4,
        seed=7, warmup_ratio=0.1, hub_token="hf_SECRET", push_to_hub_token="hf_SECRET2",
        wandb_api_key="k", db_password="p", client_secret="s", report_to=["tensorboard", "wandb"],
        max_grad_norm=math.inf, logging_dir=Path("/tmp/logs"),
    )  # fmt: skip


def test_training_args_are_json_safe_and_keep_no_secret(tmp_path: Path) -> None:
    written = training_args(args(tmp_path))
    assert written is not None
    text = json.dumps(written, allow_nan=False)
    assert "SECRET" not in text and '"k"' not in text and '"p"' not in text and '"s"' not in text
    assert written["learning_rate"] == 3e-4 and written["logging_strategy"] == "steps"
    assert written["max_grad_norm"] is None and written["report_to"] == ["tensorboard", "wandb"]
    assert written["logging_dir"] == "/tmp/logs"
    assert all(is_secret(k) for k in ("hub_token", "HUB_TOKEN", "api_key", "my_password"))
    assert training_args(SimpleNamespace()) is None  # no to_dict: nothing


def test_the_model_name(tmp_path: Path) -> None:
    model = SimpleNamespace(config=SimpleNamespace(_name_or_path="bert-base-uncased"))
    assert model_name(model) == "bert-base-uncased"
    assert model_name(SimpleNamespace(name_or_path="gpt2")) == "gpt2"
    assert model_name(None) is None and model_name(SimpleNamespace(config=None)) is None


def test_the_callback_writes_them_and_the_workspace_reads_them(tmp_path: Path) -> None:
    callback = TrainmonCallback()
    state = SimpleNamespace(global_step=0, epoch=0.0, max_steps=50, num_train_epochs=1, logging_steps=5,
                            eval_steps=500, save_steps=10, train_batch_size=8, num_input_tokens_seen=0,
                            is_world_process_zero=True, log_history=[])  # fmt: skip
    model = SimpleNamespace(config=SimpleNamespace(_name_or_path="tiny-bert"))
    callback.on_train_begin(args(tmp_path), state, None, model=model)
    line = (tmp_path / LIVE_LOG_FILE).read_bytes().splitlines()[0]
    assert b"SECRET" not in line
    live = read_live_log(tmp_path / LIVE_LOG_FILE)
    assert live.start is not None and live.start.model == "tiny-bert"
    assert live.start.args["learning_rate"] == 3e-4 and "hub_token" not in live.start.args
    config = run_config(None, live)
    assert (
        config["model"] == "tiny-bert" and config["seed"] == 7 and config["report_to"] == "tensorboard,wandb"
    )


def test_old_start_records_and_hostile_args_still_read() -> None:
    old = parse_record(b'{"type": "start", "time": 1.0, "step": 0, "max_steps": 10}')
    assert old is not None and old.args == {} and old.model is None  # type: ignore[union-attr]
    hostile = json.dumps({"type": "start", "time": 1.0, "args": {"x" * 500: 1, "hub_token": "t",
                          "nested": {"a": 1}, "text": "\x1b[31m" + "y" * 900}, "model": 5})  # fmt: skip
    record = parse_record(hostile.encode())
    assert record is not None and record.model is None  # type: ignore[union-attr]
    read = record.args  # type: ignore[union-attr]
    assert "hub_token" not in read and "nested" not in read and len(read["text"]) <= 200  # type: ignore[arg-type]
    assert all(len(key) <= 200 for key in read)
    assert read_args([1, 2]) == {}
