"""The trainer_state.json parser on files the tests write: every shape a real file takes, and every way a
file can be unusable (reported in one line naming the file, never a crash)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from trainmon_tui.files import safeopen
from trainmon_tui.files.decode import decode_json
from trainmon_tui.files.model import ErrorKind, StateError
from trainmon_tui.files.state import StateCache, load_state, parse_state

TRAIN_1 = {"epoch": 0.1, "grad_norm": 1.5, "learning_rate": 5e-05, "loss": 2.5, "step": 10}
TRAIN_2 = {"epoch": 0.2, "grad_norm": 1.25, "learning_rate": 4e-05, "loss": 2.0, "step": 20}
EVAL_20 = {"epoch": 0.2, "eval_accuracy": 0.75, "eval_loss": 1.9, "eval_runtime": 3.2, "step": 20}
SUMMARY_30 = {
    "epoch": 0.3,
    "step": 30,
    "total_flos": 1.2e15,
    "train_loss": 2.2,
    "train_runtime": 100.5,
    "train_samples_per_second": 9.5,
    "train_steps_per_second": 0.3,
}


def write(tmp_path: Path, helpers: SimpleNamespace, state: dict | str | bytes) -> Path:
    return helpers.write_state(tmp_path / "checkpoint-20", state)


def load(tmp_path: Path, helpers: SimpleNamespace, state: dict | str | bytes):
    return load_state(write(tmp_path, helpers, state))


def error_of(tmp_path: Path, helpers: SimpleNamespace, state: dict | str | bytes) -> StateError:
    path = write(tmp_path, helpers, state)
    with pytest.raises(StateError) as info:
        load_state(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


# --- shapes of real files --------------------------------------------------------------------------


def test_new_style_file(tmp_path, helpers):
    state = load(
        tmp_path,
        helpers,
        helpers.trainer_state(
            [TRAIN_1, TRAIN_2, EVAL_20],
            global_step=20,
            max_steps=100,
            epoch=0.2,
            num_train_epochs=1,
            best_metric=1.9,
            best_global_step=20,
            best_model_checkpoint="out/checkpoint-20",
            num_input_tokens_seen=12345,
        ),
    )
    assert state.checkpoint == "checkpoint-20"
    assert (state.global_step, state.max_steps, state.epoch, state.num_train_epochs) == (20, 100, 0.2, 1.0)
    assert (state.best_metric, state.best_global_step) == (1.9, 20)
    assert state.best_model_checkpoint == "out/checkpoint-20"
    assert state.num_input_tokens_seen == 12345
    assert state.n_entries == 3
    assert state.loss.steps.tolist() == [10, 20]
    assert state.loss.values.tolist() == [2.5, 2.0]
    assert state.get("grad_norm").values.tolist() == [1.5, 1.25]
    assert state.get("learning_rate").values.tolist() == [5e-05, 4e-05]
    assert state.get("eval_loss").steps.tolist() == [20]
    assert state.eval_loss_keys == ["eval_loss"]
    assert state.last_train == {"epoch": 0.2, "grad_norm": 1.25, "learning_rate": 4e-05, "loss": 2.0}
    assert state.latest_eval is not None and state.latest_eval.step == 20
    assert state.latest_eval.metrics == {"eval_accuracy": 0.75, "eval_loss": 1.9, "eval_runtime": 3.2}
    assert state.final is None


def test_old_file_without_new_keys(tmp_path, helpers):
    """4.x files: no grad_norm, no max_steps/logging_steps/save_steps/stateful_callbacks, epoch null."""
    raw = {
        "best_metric": None,
        "best_model_checkpoint": None,
        "epoch": None,
        "global_step": 20,
        "is_hyper_param_search": False,
        "is_local_process_zero": True,
        "is_world_process_zero": True,
        "log_history": [
            {"epoch": 0.1, "learning_rate": 5e-05, "loss": 2.5, "step": 10},
            {"epoch": 0.2, "learning_rate": 4e-05, "loss": 2.0, "step": 20},
        ],
        "total_flos": 100,
        "trial_name": None,
        "trial_params": None,
    }
    state = load(tmp_path, helpers, raw)
    assert state.global_step == 20
    assert state.max_steps is None and state.logging_steps is None and state.save_steps is None
    assert state.epoch is None and state.num_train_epochs is None
    assert "grad_norm" not in state.series
    assert state.get("grad_norm").values.tolist() == []
    assert state.loss.values.tolist() == [2.5, 2.0]


def test_trl_keys_are_kept_as_series(tmp_path, helpers):
    entries = [
        {"loss": 0.5, "rewards/chosen": 1.25, "kl": 0.01, "reward": 2.0, "step": 1},
        {"loss": 0.4, "completions/mean_length": 120.0, "mean_token_accuracy": 0.8, "step": 2},
    ]
    state = load(tmp_path, helpers, helpers.trainer_state(entries, global_step=2))
    assert state.get("rewards/chosen").values.tolist() == [1.25]
    assert state.get("completions/mean_length").steps.tolist() == [2]
    assert state.get("mean_token_accuracy").values.tolist() == [0.8]
    assert state.get("kl").values.tolist() == [0.01]


def test_bare_nan_and_infinity_tokens(tmp_path, helpers):
    text = json.dumps(
        helpers.trainer_state(
            [
                {"grad_norm": float("nan"), "learning_rate": 1e-5, "loss": 2.0, "step": 1},
                {"grad_norm": float("inf"), "learning_rate": 1e-5, "loss": float("nan"), "step": 2},
                {"grad_norm": float("-inf"), "learning_rate": 1e-5, "loss": 1.5, "step": 3},
            ],
            global_step=3,
        ),
        indent=2,
        sort_keys=True,
    )
    assert ": NaN" in text and ": Infinity" in text and ": -Infinity" in text
    state = load(tmp_path, helpers, text)
    grad = state.get("grad_norm").values
    assert math.isnan(grad[0]) and grad[1] == math.inf and grad[2] == -math.inf
    loss = state.loss.values
    assert loss[0] == 2.0 and math.isnan(loss[1]) and loss[2] == 1.5
    assert state.last_train["grad_norm"] == -math.inf  # the last training entry's value, as logged


def test_null_metric_values(tmp_path, helpers):
    """TRL writes null: it becomes a NaN point (a missing value), never a crash or a zero."""
    entries = [{"loss": None, "reward": None, "step": 1}, {"loss": 1.0, "reward": 0.5, "step": 2}]
    state = load(tmp_path, helpers, helpers.trainer_state(entries, global_step=2))
    assert np.isnan(state.loss.values[0]) and state.loss.values[1] == 1.0
    assert np.isnan(state.get("reward").values[0])


def test_nan_token_inside_a_string_stays_a_string(tmp_path, helpers):
    """A file with bare NaN (the fast path swaps ``: NaN``) that also holds ': NaN' and 'NaN' in strings."""
    text = (
        "{\n"
        '  "best_metric": NaN,\n'
        '  "best_model_checkpoint": "NaN",\n'
        '  "global_step": 1,\n'
        '  "log_history": [\n'
        '    {"loss": 1.0, "note": "grad: NaN, lr: Infinity", "step": 1}\n'
        "  ],\n"
        '  "trial_name": "x: -Infinity"\n'
        "}\n"
    )
    state = load(tmp_path, helpers, text)
    assert state.best_model_checkpoint == "NaN"
    assert state.best_metric is None
    assert state.loss.values.tolist() == [1.0]
    assert "note" not in state.series  # a string is not a metric
    raw = decode_json(text.encode())
    assert raw["log_history"][0]["note"] == "grad: NaN, lr: Infinity"
    assert raw["trial_name"] == "x: -Infinity"


def test_decode_json_keeps_strings_and_structure():
    """The fast path marks bare tokens for the parser; strings that merely contain them are untouched."""
    data = b'{"a": NaN, "d": [1, 2.5, null], "e": "NaN", "f": {"g": "lr: Infinity"}, "h": -Infinity}'
    decoded = decode_json(data)
    assert decoded["d"] == [1, 2.5, None]
    assert decoded["e"] == "NaN"
    assert decoded["f"] == {"g": "lr: Infinity"}
    assert set(decoded) == {"a", "d", "e", "f", "h"}


def test_eval_and_summary_entries(tmp_path, helpers):
    """``train_loss`` of the summary entry is not a training loss point; the entry is kept apart."""
    state = load(
        tmp_path, helpers, helpers.trainer_state([TRAIN_1, TRAIN_2, EVAL_20, SUMMARY_30], global_step=30)
    )
    assert state.loss.values.tolist() == [2.5, 2.0]
    assert "train_loss" not in state.series and "train_runtime" not in state.series
    assert state.final is not None
    assert state.final["train_loss"] == 2.2 and state.final["train_runtime"] == 100.5
    assert state.get("eval_loss").values.tolist() == [1.9]
    assert state.latest_eval is not None and state.latest_eval.step == 20


def test_several_eval_sets(tmp_path, helpers):
    entries = [
        TRAIN_1,
        {"eval_wiki_loss": 3.0, "eval_wiki_runtime": 1.0, "step": 10},
        {"eval_code_loss": 2.0, "eval_code_runtime": 1.0, "step": 10},
        TRAIN_2,
        {"eval_wiki_loss": 2.5, "eval_wiki_runtime": 1.0, "step": 20},
        {"eval_code_loss": 1.5, "eval_code_runtime": 1.0, "step": 20},
    ]
    state = load(tmp_path, helpers, helpers.trainer_state(entries, global_step=20))
    assert state.eval_loss_keys == ["eval_code_loss", "eval_wiki_loss"]
    assert state.get("eval_wiki_loss").values.tolist() == [3.0, 2.5]
    assert state.latest_eval is not None and state.latest_eval.step == 20
    assert state.latest_eval.metrics == {
        "eval_wiki_loss": 2.5,
        "eval_wiki_runtime": 1.0,
        "eval_code_loss": 1.5,
        "eval_code_runtime": 1.0,
    }


def test_strings_where_metrics_should_be(tmp_path, helpers):
    """Custom trainers log strings ('remaining_time'): skipped; a string loss is a non-finite point."""
    entries = [
        {"loss": "1.5", "remaining_time": "50h:50m:26s", "lr": 1e-4, "step": 1},
        {"loss": 1.0, "lr": "high", "step": 2},
    ]
    state = load(tmp_path, helpers, helpers.trainer_state(entries, global_step=2))
    assert np.isnan(state.loss.values[0]) and state.loss.values[1] == 1.0
    assert "remaining_time" not in state.series
    assert state.lr_key == "lr"
    assert state.get("lr").values.tolist() == [1e-4]


def test_missing_step_and_global_step(tmp_path, helpers):
    raw = {"log_history": [{"loss": 2.0, "step": 5}, {"loss": 1.0}]}
    state = load(tmp_path, helpers, raw)
    assert state.loss.steps.tolist() == [5, 5]
    assert state.global_step == 5  # from the last entry
    assert state.checkpoint == "checkpoint-20"


def test_empty_log_history(tmp_path, helpers):
    state = load(tmp_path, helpers, helpers.trainer_state([], global_step=6))
    assert state.global_step == 6 and state.n_entries == 0
    assert len(state.loss) == 0 and state.latest_eval is None and state.series == {}


def test_root_state_has_no_checkpoint_name(tmp_path, helpers):
    path = helpers.write_state(tmp_path / "outputs", helpers.trainer_state([TRAIN_1], global_step=10))
    state = load_state(path.parent)  # a folder is accepted too
    assert state.checkpoint is None and state.name == "trainer_state.json"
    assert state.source == path
    assert state.mtime == path.stat().st_mtime and state.size == path.stat().st_size


# --- unusable files: one line, which file and why ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind", "reason"),
    [
        (b"", ErrorKind.INCOMPLETE, "empty file"),
        (b"  \n", ErrorKind.INCOMPLETE, "empty file"),
        (b'{\n  "best_metric": null,\n  "epoch": 0.5,\n  "global_step": 10,\n  "log_history": [\n    {\n',
         ErrorKind.INCOMPLETE, "JSON ends early"),
        (b'{\n  "global_step": 10,\n  "log_history": [{"loss": 1.0, "step": 10}', ErrorKind.INCOMPLETE,
         "JSON ends early"),
        (b"<html>not json</html>", ErrorKind.INVALID, "not valid JSON"),
        (b'{"log_history": [], } trailing', ErrorKind.INVALID, "not valid JSON"),
        (b'{"log_history": ["\xff\xfe"]}', ErrorKind.INVALID, "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, ErrorKind.INVALID, ""),
        (b"[1, 2, 3]", ErrorKind.INVALID, "expected an object"),
        (b'"just a string"', ErrorKind.INVALID, "expected an object"),
        (b"null", ErrorKind.INVALID, "expected an object"),
        (b'{"global_step": 5}', ErrorKind.INVALID, "no log_history"),
        (b'{"log_history": null}', ErrorKind.INVALID, "no log_history"),
        (b'{"log_history": {"loss": 1}}', ErrorKind.INVALID, "expected a list"),
        (b'{"log_history": "[]"}', ErrorKind.INVALID, "expected a list"),
        (b'{"log_history": [{"loss": 1.0, "step": 1}, 42]}', ErrorKind.INVALID, "log_history[1]"),
        (b'{"log_history": [["loss", 1.0]]}', ErrorKind.INVALID, "log_history[0]"),
        (b'{"global_step": "500", "log_history": []}', ErrorKind.INVALID, "global_step is '500'"),
        (b'{"max_steps": "many", "log_history": []}', ErrorKind.INVALID, "max_steps is 'many'"),
        (b'{"log_history": [{"loss": 1.0, "step": "ten"}]}', ErrorKind.INVALID, "log_history[0].step"),
    ],
    ids=lambda value: value.name if isinstance(value, ErrorKind) else None,
)  # fmt: skip
def test_unusable_files(tmp_path, helpers, content, kind, reason):
    error = error_of(tmp_path, helpers, content)
    assert error.kind is kind
    assert reason in error.reason


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(StateError) as info:
        load_state(tmp_path / "checkpoint-5" / "trainer_state.json")
    assert info.value.kind is ErrorKind.MISSING
    assert "no such file" in str(info.value)


def test_a_folder_named_like_the_file(tmp_path):
    (tmp_path / "trainer_state.json").mkdir()
    (tmp_path / "trainer_state.json" / "trainer_state.json").mkdir()
    with pytest.raises(StateError, match="is a folder"):
        load_state(tmp_path / "trainer_state.json")


def test_every_prefix_of_a_file_being_written_is_handled(tmp_path, helpers):
    """A reader racing the Trainer's non-atomic write sees a prefix: a state or a StateError, nothing else."""
    data = json.dumps(
        helpers.trainer_state([TRAIN_1, TRAIN_2, EVAL_20], global_step=20, best_metric=float("nan")),
        indent=2,
        sort_keys=True,
    ).encode()
    outcomes = set()
    for cut in range(0, len(data), 7):
        try:
            parse_state(data[:cut], tmp_path / "trainer_state.json")
            outcomes.add("state")
        except StateError as error:
            outcomes.add(error.kind)
    assert parse_state(data, tmp_path / "trainer_state.json").global_step == 20
    assert ErrorKind.INCOMPLETE in outcomes


def test_never_opens_pickles(tmp_path, helpers, monkeypatch):
    """Only trainer_state.json is read: the model and optimizer files around it are never opened."""
    folder = tmp_path / "checkpoint-20"
    helpers.write_state(folder, helpers.trainer_state([TRAIN_1], global_step=10))
    for name in ("training_args.bin", "optimizer.pt", "rng_state.pth", "scheduler.pt"):
        (folder / name).write_bytes(b"\x80\x04not a real pickle")
    opened: list[str] = []
    real_open_regular = safeopen.open_regular

    def spy(path: Path, **kwargs: Any) -> safeopen.RegularFile:
        opened.append(Path(path).name)
        return real_open_regular(path, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"a file opened other than through safeopen: {args}")

    # Every read goes through the one safe door (safeopen); nothing else opens a file.
    monkeypatch.setattr(safeopen, "open_regular", spy)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    load_state(folder)
    StateCache().load(folder)
    assert opened == ["trainer_state.json", "trainer_state.json"]


def test_state_cache_reuses_until_the_file_changes(tmp_path, helpers):
    path = helpers.write_state(tmp_path / "checkpoint-1", helpers.trainer_state([TRAIN_1], global_step=10))
    cache = StateCache(capacity=2)
    first = cache.load(path)
    assert cache.load(path.parent) is first
    helpers.write_state(path, helpers.trainer_state([TRAIN_1, TRAIN_2, EVAL_20], global_step=20))
    second = cache.load(path)
    assert second is not first and second.global_step == 20
    path.unlink()
    with pytest.raises(StateError) as info:
        cache.load(path)
    assert info.value.kind is ErrorKind.MISSING
