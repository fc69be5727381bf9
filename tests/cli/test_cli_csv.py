"""``--csv PATH``: the series as a wide CSV (one row per step, one column per key), checked against the file
read with the json module; never overwriting, one line for every refusal."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from builders.fixtures import REAL_FIXTURES, needs_real
from builders.reference import last_per_step, reference_series

REAL = [
    "09_new_multi_eval_datasets_prefixed.json",
    "10_unsloth_fp16_nan_infinity_gradnorm.json",
    "15_trl_grpo_perstep_negzero_loss_ckpt250.json",
    "16_trl_grpo_new_tokens_seen.json",
]


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def same(cell: str, value: float) -> bool:
    if math.isnan(value):
        return cell == "nan"
    return float(cell) == value and math.copysign(1, float(cell)) == math.copysign(1, value)


@needs_real
@pytest.mark.parametrize("name", REAL)
def test_every_cell_matches_the_file(run_cli, helpers, tmp_path, name):
    source = REAL_FIXTURES / name
    target = tmp_path / "out.csv"
    result = run_cli(source, "--csv", target)
    assert result.returncode == 0, result.stderr
    want = {key: last_per_step(points) for key, points in reference_series(source).items()}
    header, rows = read_csv(target)
    assert header[0] == "step" and sorted(header[1:]) == sorted(want)
    steps = sorted({step for values in want.values() for step in values})
    assert [int(row[0]) for row in rows] == steps
    for row in rows:
        step = int(row[0])
        for key, cell in zip(header[1:], row[1:], strict=True):
            if step in want[key]:
                assert same(cell, want[key][step]), (key, step, cell)
            else:
                assert cell == "", (key, step, cell)
    line = helpers.one_line(result.stderr)
    assert line == f"saved: {target} ({len(steps)} rows, {len(header)} columns: step and {len(want)} series)"


def test_metrics_picks_the_columns_in_pattern_order(tmp_path, run_cli, helpers):
    entries = [{"loss": 1.0 / s, "rewards/margins": s, "kl": 0.5, "step": s} for s in (1, 2, 3)]
    entries.append({"eval_loss": 0.7, "step": 3})
    source = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=3))
    result = run_cli(source, "--csv", "x.csv", "--metrics", "eval_*,rewards/*")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(tmp_path / "x.csv")
    assert header == ["step", "eval_loss", "rewards/margins"]
    assert rows == [["1", "", "1.0"], ["2", "", "2.0"], ["3", "0.7", "3.0"]]


def test_an_existing_file_is_never_overwritten(tmp_path, outputs, run_cli, helpers):
    target = tmp_path / "taken.csv"
    target.write_text("theirs")
    result = run_cli(outputs, "--csv", target)
    assert result.returncode == 1
    assert "already exists" in helpers.one_line(result.stderr)
    assert target.read_text() == "theirs"
    link = tmp_path / "dangling.csv"
    link.symlink_to(tmp_path / "nowhere")
    result = run_cli(outputs, "--csv", link)
    assert result.returncode == 1 and "already exists" in helpers.one_line(result.stderr)
    assert not (tmp_path / "nowhere").exists()


def test_a_missing_folder_is_one_line(tmp_path, outputs, run_cli, helpers):
    result = run_cli(outputs, "--csv", tmp_path / "no" / "such" / "x.csv")
    assert result.returncode == 1
    assert helpers.one_line(result.stderr) == (
        f"trainmon-tui: error: cannot write {tmp_path}/no/such/x.csv: folder {tmp_path}/no/such not found"
    )


def test_refused_before_the_run_is_read(tmp_path, run_cli, helpers):
    target = tmp_path / "taken.csv"
    target.write_text("theirs")
    result = run_cli(tmp_path / "empty-folder-missing", "--csv", target)
    assert result.returncode == 1 and "already exists" in helpers.one_line(result.stderr)


def test_an_unmatched_pattern_writes_nothing(tmp_path, outputs, run_cli, helpers):
    result = run_cli(outputs, "--csv", "x.csv", "--metrics", "reward")
    assert result.returncode == 1
    assert "no series matches 'reward'" in helpers.one_line(result.stderr)
    assert not (tmp_path / "x.csv").exists()


def test_csv_with_json_summary(tmp_path, outputs, run_cli):
    result = run_cli(outputs, "--csv", "x.csv", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["global_step"] == 2  # the summary on stdout, the CSV's line on stderr
    assert (tmp_path / "x.csv").exists()
