"""The overview strip: sparklines by bucket means, and the headline metrics with their newest values."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from builders.fixtures import REAL_FIXTURES
from hypothesis import given
from hypothesis import strategies as st

from trainmon_tui.files.state import load_state
from trainmon_tui.views.metricgrid import refocus
from trainmon_tui.views.sparkline import (
    BLOCKS,
    GAP,
    MAX_SPARK,
    MIN_SPARK,
    bucket_means,
    fitted_strip,
    label,
    sparkline,
    strip,
)


def test_a_rising_line_uses_every_block() -> None:
    assert sparkline(np.arange(8, dtype=np.float64), 8) == BLOCKS
    assert sparkline(np.arange(8, dtype=np.float64)[::-1].copy(), 8) == BLOCKS[::-1]


def test_cells_are_bucket_means() -> None:
    # 8 points in 4 cells: means 0.5, 2.5, 4.5, 6.5 -> levels 0, 7/3, 14/3, 7 -> rounded 0, 2, 5, 7
    assert bucket_means(np.arange(8, dtype=np.float64), 4).tolist() == [0.5, 2.5, 4.5, 6.5]
    assert sparkline(np.arange(8, dtype=np.float64), 4) == BLOCKS[0] + BLOCKS[2] + BLOCKS[5] + BLOCKS[7]


def test_nan_runs_are_blank_and_do_not_poison_their_cell() -> None:
    values = np.array([1.0, math.nan, math.nan, math.nan, 3.0, math.inf])
    assert bucket_means(values, 3).tolist()[0] == 1.0
    assert math.isnan(bucket_means(values, 3)[1])
    assert sparkline(values, 3) == BLOCKS[0] + " " + BLOCKS[7]


@pytest.mark.parametrize(
    ("values", "width", "expected"),
    [
        ([], 10, ""),
        ([1.0, 2.0], 0, ""),
        ([math.nan, math.nan], 4, "  "),
        ([5.0], 10, BLOCKS[3]),
        ([2.0, 2.0, 2.0], 3, BLOCKS[3] * 3),
        ([-1.7e308, 1.7e308], 2, BLOCKS[0] + BLOCKS[7]),
        ([1.7e308, 1.7e308], 1, BLOCKS[3]),
    ],
)
def test_hostile_series(values: list[float], width: int, expected: str) -> None:
    assert sparkline(np.array(values, dtype=np.float64), width) == expected


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=100), st.integers(-3, 40))
def test_a_sparkline_is_never_wider_than_asked(values: list[float], width: int) -> None:
    line = sparkline(np.array(values, dtype=np.float64), width)
    assert len(line) == min(max(width, 0), len(values))
    assert set(line) <= set(BLOCKS) | {" "}


def test_strip_of_a_dpo_like_run(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [
        {"loss": 0.7, "rewards/margins": 0.1 * i, "rewards/accuracies": 0.5, "step": i} for i in range(1, 5)
    ] + [
        {"eval_loss": 0.6, "eval_rewards/accuracies": 0.55, "step": 4},
        {"eval_loss": 0.5, "eval_rewards/accuracies": 0.6, "step": 8},
    ]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    items = strip(state, 4)
    assert [i.key for i in items] == ["rewards/margins", "rewards/accuracies", "eval_rewards/accuracies"]
    assert items[0].sparkline == BLOCKS[0] + BLOCKS[2] + BLOCKS[5] + BLOCKS[7]
    assert items[0].latest == pytest.approx(0.4) and items[0].latest_step == 4
    assert items[2].latest == 0.6 and items[2].latest_step == 8


@pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")
def test_strip_of_a_real_grpo_run() -> None:
    items = strip(load_state(REAL_FIXTURES / "15_trl_grpo_perstep_negzero_loss_ckpt250.json"), 30)
    assert [i.key for i in items] == ["reward", "kl"]
    assert all(len(i.sparkline) == 30 and i.latest_step == 250 for i in items)


def _dpo_state(helpers: SimpleNamespace, tmp_path: Path):
    log = [
        {"loss": 0.7, "rewards/margins": 0.1 * i, "rewards/accuracies": 0.5, "step": i} for i in range(1, 200)
    ] + [{"eval_loss": 0.6, "eval_rewards/accuracies": a, "step": s} for s, a in ((100, 0.5), (199, 0.55))]
    return load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))


def test_the_fitted_strip_shares_one_line(helpers: SimpleNamespace, tmp_path: Path) -> None:
    state = _dpo_state(helpers, tmp_path)
    # "rewards/margins 19.9", "rewards/accuracies 0.5", "eval_rewards/accuracies 0.55" and their sparks
    labels = [len("rewards/margins") + len("19.9"), len("rewards/accuracies") + len("0.5")]
    labels.append(len("eval_rewards/accuracies") + len("0.55"))
    for width in (30, 60, 90, 120, 200):
        items = fitted_strip(state, width)
        used = sum(labels[: len(items)]) + sum(len(i.sparkline) + 2 for i in items) + GAP * (len(items) - 1)
        assert used <= width, (width, items)
        spark = max(len(i.sparkline) for i in items)  # one width; a series of fewer points is shorter
        assert MIN_SPARK <= spark <= MAX_SPARK
        assert all(len(i.sparkline) in (spark, len(state.get(i.key))) for i in items)
        # one more item would not have fitted
        if len(items) < 3:
            more = len(items) + 1
            assert sum(labels[:more]) + more * (MIN_SPARK + 2) + GAP * (more - 1) > width
    assert [i.key for i in fitted_strip(state, 200)] == [
        "rewards/margins",
        "rewards/accuracies",
        "eval_rewards/accuracies",
    ]
    assert fitted_strip(state, 20) == []


def test_the_fitted_strip_shows_hostile_keys_printable(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [{"loss": 0.7, "eval_\x1b[2J[red]acc": 0.5, "step": i} for i in range(1, 4)]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    items = fitted_strip(state, 120)
    assert items and "\x1b" not in label(items[0])[0]


def test_refocus_keeps_the_same_key() -> None:
    before = ["loss", "eval_loss", "reward", "kl"]
    assert refocus(before, 2, ["loss", "eval_g0_loss", "eval_loss", "reward", "kl"]) == 3  # a key appeared
    assert refocus(before, 2, ["loss", "kl"]) == 0  # reward filtered out: the nearest before it, loss
    assert refocus(before, 3, ["kl"]) == 0
    assert refocus(before, 1, ["reward", "kl"]) == 0  # nothing before it is left: the first
    assert refocus(before, 99, ["kl", "loss"]) == 0  # clamped to kl, found at 0
    assert refocus([], 5, ["a"]) == 0 and refocus(before, 1, []) == 0
