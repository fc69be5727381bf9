"""``--list-metrics``: every series with its count, first and last step, last, min and max, as a table or
JSON, checked against the file read with the json module (:mod:`builders.reference`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from builders import livelog as records
from builders.fixtures import REAL_FIXTURES, needs_real
from builders.reference import describe, reference_series
from rich.cells import cell_len

REAL = [
    "09_new_multi_eval_datasets_prefixed.json",
    "10_unsloth_fp16_nan_infinity_gradnorm.json",
    "13_trl_sft_mean_token_acc_earlystop.json",
    "16_trl_grpo_new_tokens_seen.json",
    "18_custom_trainer_keys_1p5MB_2000_entries.json",
]


def listed(result) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    return {item["key"]: item for item in data["metrics"]}


@needs_real
@pytest.mark.parametrize("name", REAL)
def test_json_matches_the_file(run_cli, name):
    path = REAL_FIXTURES / name
    result = run_cli(path, "--list-metrics", "--format", "json")
    got = listed(result)
    want = reference_series(path)
    assert set(got) == set(want)
    for key, points in want.items():
        item = got[key]
        assert {k: item[k] for k in describe(points)} == describe(points), key


@needs_real
def test_into_a_pipe_every_key_is_whole_on_its_row(run_cli, helpers):
    """grep and awk see whole keys: into a pipe the table is as wide as its longest key needs, even with
    COLUMNS=80 (a terminal folds long keys instead, to fit)."""
    path = REAL_FIXTURES / "16_trl_grpo_new_tokens_seen.json"
    result = run_cli(path, "--list-metrics", env=helpers.cli_env(COLUMNS="80"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    want = reference_series(path)
    assert max(len(key) for key in want) > 20  # long keys, which used to fold onto a second line
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.split()}
    for key, points in want.items():
        low, high = describe(points)["first_step"], describe(points)["last_step"]
        assert rows[key][:2] == [str(len(points)), f"{low}–{high}"], key
    body = [line for line in lines[2:] if line.strip()]  # after the header and its rule
    assert len(body) == len(want)  # one line per key: nothing folded


def test_a_short_table_keeps_80_columns_in_a_pipe(tmp_path, run_cli, helpers):
    entries = [{"loss": 1.0 / s, "grad_norm": 2.0, "step": s} for s in range(1, 5)]
    path = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=4))
    result = run_cli(path, "--list-metrics", env=helpers.cli_env(COLUMNS="80"))
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80


def test_table_rows_and_numbers(tmp_path, run_cli, helpers):
    entries = [
        {"loss": 2.0, "step": 1},
        {"loss": float("nan"), "step": 2},
        {"loss": 0.25, "step": 3},
        {"eval_loss": 1.5, "step": 3},
    ]
    path = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=3))
    result = run_cli(path, "--list-metrics")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.split()}
    assert rows["loss"] == ["3", "1–3", "0.25", "0.25", "2", "1"]  # points, steps, last, min, max, nan/inf
    assert rows["eval_loss"] == ["1", "3", "1.5", "1.5", "1.5", "0"]
    assert rows["key"][-1] == "nan/inf"


def test_metrics_picks_and_orders(tmp_path, run_cli, helpers):
    entries = [
        {"loss": 1.0, "rewards/margins": 0.1, "rewards/chosen": 0.2, "kl": 0.3, "step": s} for s in (1, 2)
    ]
    path = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=2))
    result = run_cli(path, "--list-metrics", "--format", "json", "--metrics", "kl,REWARDS/*")
    assert result.returncode == 0, result.stderr
    keys = [item["key"] for item in json.loads(result.stdout)["metrics"]]
    assert keys == ["kl", "rewards/margins", "rewards/chosen"]  # pattern order, then the catalogue's


def test_a_pattern_that_matches_nothing_is_one_line_exit_1(tmp_path, run_cli, helpers):
    entries = [{"loss": 1.0, "eval_accuracy": 0.5, "step": s} for s in (1, 2)]
    path = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=2))
    result = run_cli(path, "--list-metrics", "--metrics", "loss,eval_acuracy")
    assert result.returncode == 1
    line = helpers.one_line(result.stderr)
    assert "'eval_acuracy'" in line and "'eval_accuracy'" in line  # the pattern, and the closest key
    assert result.stdout == ""


def test_outputs_include_the_live_log(tmp_path, run_cli, helpers):
    outputs = tmp_path / "outputs"
    entries = [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}]
    helpers.write_state(outputs / "checkpoint-2", helpers.trainer_state(entries, global_step=2))
    t0 = time.time() - 10
    recs = [records.start(0, time=t0, max_steps=10)]
    recs += [records.log(s, time=t0 + s, values={"loss": 3.0 - s / 2, "step": s}) for s in (1, 2, 3, 4)]
    records.write(outputs, *recs)
    loss = listed(run_cli(outputs, "--list-metrics", "--format", "json"))["loss"]
    assert (loss["count"], loss["last_step"], loss["last"], loss["min"]) == (4, 4, 1.0, 1.0)
    pinned = listed(run_cli(outputs, "-c", "2", "--list-metrics", "--format", "json"))["loss"]
    assert (pinned["count"], pinned["last_step"]) == (2, 2)  # the checkpoint alone


def test_json_with_summary_is_a_usage_error(outputs, run_cli):
    result = run_cli(outputs, "--list-metrics", "-u", "--format", "json")
    assert result.returncode == 2
    assert "not both" in result.stderr


def test_list_and_summary_as_text_both_print(outputs, run_cli):
    result = run_cli(outputs, "--list-metrics", "-u")
    assert result.returncode == 0, result.stderr
    assert "points" in result.stdout and "Training progress" in result.stdout


def test_nonfinite_values_are_null(tmp_path: Path, run_cli, helpers: SimpleNamespace):
    text = json.dumps(
        helpers.trainer_state(
            [{"loss": 1.0, "step": 1}, {"loss": 2.0, "grad_norm": 1.0, "step": 2}], global_step=2
        )
    )
    text = text.replace('"grad_norm": 1.0', '"grad_norm": Infinity').replace('"loss": 1.0', '"loss": NaN')
    path = helpers.write_state(tmp_path / "run", text)
    result = run_cli(path, "--list-metrics", "--format", "json")
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    got = listed(result)
    assert (got["grad_norm"]["last"], got["grad_norm"]["min"], got["grad_norm"]["nonfinite"]) == (
        None,
        None,
        1,
    )
    assert (got["loss"]["min"], got["loss"]["max"], got["loss"]["nonfinite"]) == (2.0, 2.0, 1)


def test_other_entries_count_and_the_summary_entry_does_not(tmp_path, run_cli, helpers):
    entries = [
        {"loss": 1.0, "step": 1},
        {"custom": 2.0, "step": 2},
        {"loss": 0.5, "flag": True, "note": "x", "step": 3},
        {"train_runtime": 9.0, "train_loss": 0.7, "total_flos": 5.0, "step": 3},
    ]
    path = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=3))
    got = listed(run_cli(path, "--list-metrics", "--format", "json"))
    want = reference_series(path)
    assert set(got) == set(want) == {"loss", "custom"}
