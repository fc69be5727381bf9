"""The evaluations table: rows per eval step newest first, columns per metric of every set, best marks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from builders.fixtures import REAL_FIXTURES

from trainmon_tui.files.model import TrainerState
from trainmon_tui.files.state import load_state
from trainmon_tui.views.evaltable import best_checkpoint_step, eval_table

needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


def _state(helpers: SimpleNamespace, tmp_path: Path, log: list[dict[str, Any]], **top: Any) -> TrainerState:
    return load_state(helpers.write_state(tmp_path, helpers.trainer_state(log, **top)))


def test_two_sets_rows_newest_first_and_best_values(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log: list[dict[str, Any]] = []
    for step, (a_loss, a_acc, b_loss, b_wer) in zip(
        (10, 20, 30), [(1.0, 0.5, 2.0, 0.4), (0.8, 0.7, 2.5, 0.3), (0.9, 0.7, 1.5, 0.35)], strict=True
    ):
        log.append({"loss": 1.0, "step": step, "epoch": step / 30})
        log.append({"eval_a_loss": a_loss, "eval_a_accuracy": a_acc, "eval_a_runtime": 1.0, "step": step})
        log.append(
            {"eval_b_loss": b_loss, "eval_b_wer": b_wer, "eval_b_samples_per_second": 9.0, "step": step}
        )
    table = eval_table(_state(helpers, tmp_path, log, best_global_step=20, best_metric=0.8))
    assert [c.key for c in table.columns] == ["eval_a_loss", "eval_a_accuracy", "eval_b_loss", "eval_b_wer"]
    assert [(c.set_name, c.metric) for c in table.columns][:2] == [("a", "loss"), ("a", "accuracy")]
    assert [r.step for r in table.rows] == [30, 20, 10]
    assert table.rows[0].cells == (0.9, 0.7, 1.5, 0.35)
    assert table.rows[2].epoch == pytest.approx(10 / 30)
    best = {c.key: (c.better, c.best, c.best_step) for c in table.columns}
    assert best == {
        "eval_a_loss": ("min", 0.8, 20),
        "eval_a_accuracy": ("max", 0.7, 20),  # reached at 20 and 30: the first one is the best
        "eval_b_loss": ("min", 1.5, 30),
        "eval_b_wer": ("min", 0.3, 20),
    }
    assert [r.best_checkpoint for r in table.rows] == [False, True, False]
    assert table.best_checkpoint_step == 20
    assert table.best_metric_key == "eval_a_loss"
    assert table.is_best(table.rows[1], 0) and not table.is_best(table.rows[0], 0)


def test_cells_not_logged_are_none_and_nan_is_kept(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [
        {"eval_loss": 1.0, "eval_accuracy": None, "step": 5},
        {"eval_loss": float("nan"), "step": 10},
        {"eval_accuracy": 0.9, "eval_loss": 0.7, "eval_bleu": "n/a", "step": 15},
        {"eval_loss": 0.6, "step": 15},  # evaluated again at step 15 (a resumed run): the last one shows
    ]
    table = eval_table(_state(helpers, tmp_path, log))
    assert [c.key for c in table.columns] == ["eval_loss", "eval_accuracy"]  # a string is no metric
    cells = {r.step: r.cells for r in table.rows}
    assert cells[15] == (0.6, 0.9)
    assert math.isnan(cells[10][0]) and cells[10][1] is None
    assert cells[5][0] == 1.0 and math.isnan(cells[5][1])  # null in the file is NaN, logged
    assert table.columns[0].best == 0.6 and table.columns[0].best_step == 15
    assert table.rows[0].epoch is None  # no epoch logged
    assert table.best_checkpoint_step is None and not any(r.best_checkpoint for r in table.rows)


def test_unknown_directions_and_all_nan_columns_have_no_best(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    log = [
        {"eval_loss": float("nan"), "eval_num_tokens": 5.0, "step": 1},
        {"eval_loss": float("inf"), "eval_num_tokens": 9.0, "step": 2},
    ]
    table = eval_table(_state(helpers, tmp_path, log))
    assert [(c.key, c.best, c.best_step) for c in table.columns] == [
        ("eval_loss", None, None),
        ("eval_num_tokens", None, None),
    ]


def test_no_evaluations_is_an_empty_table(helpers: SimpleNamespace, tmp_path: Path) -> None:
    table = eval_table(_state(helpers, tmp_path, [{"loss": 1.0, "step": 1}]))
    assert table.columns == () and table.rows == ()
    assert eval_table(_state(helpers, tmp_path / "empty", [])).rows == ()


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ({"best_global_step": 7, "best_model_checkpoint": "out/checkpoint-9"}, 7),
        ({"best_model_checkpoint": "/storage/run/checkpoint-3000"}, 3000),
        ({"best_model_checkpoint": "C:\\runs\\checkpoint-12\\"}, 12),
        ({"best_model_checkpoint": "out/checkpoint-99999999999999999999999"}, None),
        ({"best_model_checkpoint": "out/best"}, None),
        ({}, None),
    ],
)
def test_best_checkpoint_step(
    helpers: SimpleNamespace, tmp_path: Path, top: dict[str, Any], expected: int | None
) -> None:
    assert best_checkpoint_step(_state(helpers, tmp_path, [], **top)) == expected


def test_best_metric_key_needs_exactly_one_match(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [{"eval_loss": 0.5, "eval_f1": 0.5, "step": 3}]
    table = eval_table(_state(helpers, tmp_path, log, best_global_step=3, best_metric=0.5))
    assert table.best_metric_key is None  # two columns hold 0.5: no guess


# --- real files ---------------------------------------------------------------------------------


@needs_real
def test_real_multi_eval_file_against_the_json() -> None:
    path = REAL_FIXTURES / "09_new_multi_eval_datasets_prefixed.json"
    table = eval_table(load_state(path))
    raw = json.loads(path.read_text(encoding="utf-8"))["log_history"]
    expected: dict[int, dict[str, float]] = {}
    for entry in raw:
        for key, value in entry.items():
            if key.startswith("eval_") and not key.endswith(("_runtime", "_per_second")):
                expected.setdefault(entry["step"], {})[key] = value
    assert [r.step for r in table.rows] == sorted(expected, reverse=True)
    keys = [c.key for c in table.columns]
    assert keys == [f"eval_g{i}_{m}" for i in range(6) for m in ("loss", "accuracy")]
    for row in table.rows:
        assert dict(zip(keys, row.cells, strict=True)) == expected[row.step]
    for column in table.columns:
        values = {step: metrics[column.key] for step, metrics in expected.items()}
        best = min(values.values()) if column.metric == "loss" else max(values.values())
        assert column.best == best
        assert column.best_step == min(step for step, value in values.items() if value == best)
    assert table.rows[-1].epoch == 0.0  # the step-0 evaluation, logged with an integer epoch


@needs_real
def test_real_whisper_file_marks_the_wer_checkpoint() -> None:
    table = eval_table(load_state(REAL_FIXTURES / "run_whisper_ja_hub/trainer_state.json"))
    assert [c.key for c in table.columns] == ["eval_loss", "eval_wer"]
    assert (
        table.best_checkpoint_step == 3000
    )  # from best_model_checkpoint: this old file has no best_global_step
    assert [r.step for r in table.rows if r.best_checkpoint] == [3000]
    assert table.best_metric_key == "eval_wer"
    wer = table.columns[1]
    assert wer.better == "min" and wer.best_step == 3000
