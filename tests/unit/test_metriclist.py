"""``--list-metrics`` rows and ``--metrics`` patterns, checked against values computed from the JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from builders.fixtures import REAL_FIXTURES

from trainmon_tui.files.model import Series
from trainmon_tui.files.state import load_state
from trainmon_tui.views.metriclist import list_metrics, metric_info, select_keys, split_patterns

needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


def _series(steps: list[int], values: list[float]) -> Series:
    return Series(np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))


def test_metric_info_of_a_hostile_series() -> None:
    info = metric_info("grad_norm", _series([5, 3, 9, 9], [2.0, math.nan, -math.inf, math.inf]))
    assert (info.count, info.nonfinite, info.first_step, info.last_step) == (4, 3, 3, 9)
    assert info.last == math.inf and info.min == 2.0 and info.max == 2.0 and info.chart
    assert info.to_json() == {
        "key": "grad_norm",
        "count": 4,
        "nonfinite": 3,
        "first_step": 3,
        "last_step": 9,
        "last": None,
        "min": 2.0,
        "max": 2.0,
        "chart": True,
    }
    empty = metric_info("x", _series([], []))
    assert empty.count == 0 and empty.last is None and empty.first_step is None and not empty.chart
    nan = metric_info("x", _series([1], [math.nan]))
    assert nan.min is None and math.isnan(nan.last) and not nan.chart  # type: ignore[arg-type]
    json.dumps(nan.to_json(), allow_nan=False)  # valid JSON: no NaN token


def test_list_metrics_includes_what_is_not_a_chart(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [
        {"loss": 1.0, "epoch": 0.5, "once": 7.0, "step": 1},
        {"loss": 0.5, "epoch": 1.0, "step": 2},
    ]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    infos = list_metrics(state)
    assert [(i.key, i.chart) for i in infos] == [("loss", True), ("epoch", False), ("once", False)]
    assert [i.key for i in list_metrics(state, ["once", "missing", "loss", "once"])] == ["once", "loss"]


KEYS = ["loss", "eval_loss", "eval_g0_loss", "rewards/margins", "rewards/chosen", "reward", "kl", "Eval_F1"]


def test_select_keys_in_the_order_the_patterns_ask() -> None:
    assert select_keys(KEYS, "reward,kl") == (["reward", "kl"], [])
    assert select_keys(KEYS, "rewards/*, loss") == (["rewards/margins", "rewards/chosen", "loss"], [])
    assert select_keys(KEYS, "eval_*loss") == (["eval_loss", "eval_g0_loss"], [])
    assert select_keys(KEYS, "eval_f1") == (["Eval_F1"], [])  # case-insensitive
    assert select_keys(KEYS, "los") == ([], ["los"])  # a plain pattern is a whole key, not a substring
    assert select_keys(KEYS, "*loss,loss,nothing*") == (["loss", "eval_loss", "eval_g0_loss"], ["nothing*"])
    assert select_keys(KEYS, ["kl", " "]) == (["kl"], [])
    assert select_keys([], "x") == ([], ["x"])


def test_patterns_are_literal_outside_globs() -> None:
    keys = ["a.b", "axb", "a,b", "(x)", "a[b"]
    assert select_keys(keys, "a.b") == (["a.b"], [])
    assert select_keys(keys, "a?b") == (["a.b", "axb", "a,b", "a[b"], [])  # "?" can stand for the comma
    assert select_keys(keys, "(x)") == (["(x)"], [])
    assert select_keys(keys, "a[b") == (["a[b"], [])
    assert split_patterns(" a, ,b ,, ") == ["a", "b"]


@needs_real
def test_list_metrics_of_a_real_grpo_file_against_the_json() -> None:
    path = REAL_FIXTURES / "16_trl_grpo_new_tokens_seen.json"
    infos = {i.key: i for i in list_metrics(load_state(path))}
    entries = json.loads(path.read_text(encoding="utf-8"))["log_history"]
    logged: dict[str, list[tuple[int, float]]] = {}
    for entry in entries:
        if "train_runtime" in entry:
            continue
        for key, value in entry.items():
            if key != "step" and isinstance(value, (int, float)) and not isinstance(value, bool):
                logged.setdefault(key, []).append((entry["step"], float(value)))
    assert set(infos) == set(logged)
    for key, points in logged.items():
        info = infos[key]
        finite = [v for _, v in points if math.isfinite(v)]
        expected: dict[str, Any] = {
            "count": len(points),
            "first_step": min(s for s, _ in points),
            "last_step": max(s for s, _ in points),
            "last": points[-1][1],
            "min": min(finite),
            "max": max(finite),
        }
        assert {k: getattr(info, k) for k in expected} == expected
