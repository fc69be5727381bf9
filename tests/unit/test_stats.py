"""Each statistic against values worked out by hand."""

from __future__ import annotations

import math
import os
from datetime import datetime
from types import SimpleNamespace

import numpy as np
import pytest

from trainmon_tui.files.state import load_state
from trainmon_tui.views.report import summary_rows, summary_text
from trainmon_tui.views.stats import fraction, loss_stats, summarize, trend

JSON_KEYS = {
    "source",
    "checkpoint",
    "checkpoint_time",
    "global_step",
    "max_steps",
    "step_progress",
    "epoch",
    "num_train_epochs",
    "epoch_progress",
    "loss",
    "learning_rate",
    "grad_norm",
    "grad_norm_nonfinite",
    "eval",
    "best_metric",
    "best_model_checkpoint",
    "system",
}
LOSS_KEYS = {"current", "min", "max", "mean", "trend", "count", "nonfinite"}


def summary_of(tmp_path, helpers: SimpleNamespace, entries: list, **top):
    path = helpers.write_state(tmp_path / "checkpoint-9", helpers.trainer_state(entries, **top))
    return summarize(load_state(path))


# --- trend: w = max(1, min(10, n // 2)), mean of the last w against the w before ------------------


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        ([], None),
        ([3.0], None),
        ([2.0, 1.0], "down"),  # w = 1: 1 < 2
        ([1.0, 2.0], "up"),
        ([2.0, 2.0], "flat"),
        ([4.0, 3.0, 2.0, 1.0], "down"),  # w = 2: (2+1)/2 = 1.5 < (4+3)/2 = 3.5
        ([9.0, 1.0, 1.0, 3.0, 3.0], "up"),  # n = 5, w = 2: (3+3)/2 = 3 > (1+1)/2 = 1; the 9 is outside
        ([1.0, 3.0, 2.0, 2.0], "flat"),  # w = 2: (2+2)/2 = 2 == (1+3)/2 = 2
        # n = 25, w = 10: the last 10 (all 2) against the 10 before (all 1); the first five 100s are
        # outside both windows (with w = n // 2 = 12 they would make it "down").
        ([100.0] * 5 + [1.0] * 10 + [2.0] * 10, "up"),
        # n = 40: w = 10 still; only the last 20 count.
        ([0.0] * 20 + [5.0] * 10 + [4.0] * 10, "down"),
    ],
)
def test_trend(losses, expected):
    assert trend(np.asarray(losses, dtype=np.float64)) == expected


def test_loss_stats_by_hand():
    stats = loss_stats(np.array([3.0, 2.0, 1.5, 1.0]), 1.0)
    assert (stats.current, stats.min, stats.max) == (1.0, 1.0, 3.0)
    assert stats.mean == pytest.approx(7.5 / 4)
    assert (stats.trend, stats.count, stats.nonfinite) == ("down", 4, 0)


def test_no_losses():
    stats = loss_stats(np.zeros(0), None)
    assert (stats.current, stats.min, stats.max, stats.mean, stats.trend) == (None,) * 5
    assert (stats.count, stats.nonfinite) == (0, 0)


def test_nonfinite_losses_from_a_file(tmp_path, helpers):
    """NaN, Infinity, -Infinity, null and a string all count as non-finite; the rest as usual."""
    entries = [
        {"loss": 1.0, "step": 1},
        {"loss": math.nan, "step": 2},
        {"loss": math.inf, "step": 3},
        {"loss": -math.inf, "step": 4},
        {"loss": None, "step": 5},
        {"loss": "oops", "step": 6},
        {"loss": 3.0, "step": 7},
        {"eval_loss": math.nan, "step": 7},  # not a training entry
    ]
    loss = summary_of(tmp_path, helpers, entries, global_step=7).loss
    assert (loss.count, loss.nonfinite) == (2, 5)
    assert (loss.current, loss.min, loss.max, loss.mean) == (3.0, 1.0, 3.0, 2.0)
    assert loss.trend == "up"  # finite [1, 3], w = 1


def test_current_is_null_in_json_when_the_last_loss_is_nan(tmp_path, helpers):
    entries = [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}, {"loss": math.nan, "step": 3}]
    summary = summary_of(tmp_path, helpers, entries, global_step=3)
    loss = summary.loss
    assert math.isnan(loss.current) and summary.to_json()["loss"]["current"] is None  # NaN, not unknown
    assert (loss.min, loss.max, loss.mean, loss.count, loss.nonfinite) == (1.0, 2.0, 1.5, 2, 1)
    assert loss.trend == "down"


def test_lr_and_grad_norm_from_the_last_training_entry_having_the_key(tmp_path, helpers):
    entries = [
        {"grad_norm": 4.0, "learning_rate": 3e-5, "loss": 2.0, "step": 1},
        {"grad_norm": 2.0, "learning_rate": 2e-5, "loss": 1.8, "step": 2},
        {"loss": 1.6, "step": 3},  # has neither key
        {"eval_loss": 1.7, "learning_rate": 9.9, "grad_norm": 9.9, "step": 3},  # an eval entry: ignored
        {"train_loss": 1.8, "train_runtime": 10.0, "learning_rate": 9.9, "step": 3},  # the summary entry
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=3)
    assert summary.learning_rate == 2e-5
    assert summary.grad_norm == 2.0


def test_grad_norm_null_when_the_last_value_is_not_finite(tmp_path, helpers):
    entries = [
        {"grad_norm": 1.5, "learning_rate": 1e-5, "loss": 2.0, "step": 1},
        {"grad_norm": math.inf, "learning_rate": 1e-5, "loss": 1.9, "step": 2},
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=2)
    assert summary.grad_norm == math.inf and summary.learning_rate == 1e-5  # as logged, for the table
    assert summary.to_json()["grad_norm"] is None and summary.to_json()["grad_norm_nonfinite"] == 1


def test_lr_from_custom_key(tmp_path, helpers):
    entries = [{"loss": 2.0, "lr": 0.001, "step": 1}]
    assert summary_of(tmp_path, helpers, entries, global_step=1).learning_rate == 0.001


def test_progress_fractions(tmp_path, helpers):
    summary = summary_of(tmp_path, helpers, [], global_step=582, max_steps=873, epoch=2.0, num_train_epochs=3)
    assert summary.step_progress == pytest.approx(582 / 873)
    assert summary.epoch_progress == pytest.approx(2 / 3)
    rows = dict(row for row in summary_rows(summary, "en") if row[1] is not None)
    assert rows["Step"].startswith("582 / 873") and "66.67%" in rows["Step"]
    assert rows["Epoch"].startswith("2 / 3") and "66.67%" in rows["Epoch"]
    assert "582 / 873" in summary_text(summary, "zh")


@pytest.mark.parametrize(("done", "total"), [(5, None), (None, 10), (5, 0)])
def test_progress_is_null_where_a_field_is_missing(done, total):
    assert fraction(done, total) is None


def test_latest_eval_best_and_checkpoint_time(tmp_path, helpers):
    entries = [
        {"eval_loss": 2.0, "eval_accuracy": 0.5, "step": 5},
        {"loss": 1.0, "step": 10},
        {"eval_loss": 1.5, "eval_accuracy": math.nan, "eval_runtime": 2.0, "step": 10},
    ]
    path = helpers.write_state(
        tmp_path / "checkpoint-10",
        helpers.trainer_state(
            entries, global_step=10, best_metric=1.5, best_model_checkpoint="/runs/x/checkpoint-10"
        ),
    )
    os.utime(path, (1_700_000_000, 1_700_000_000))
    summary = summarize(load_state(path))
    assert summary.eval is not None and summary.eval.step == 10
    assert summary.eval.metrics.keys() == {"eval_loss", "eval_accuracy", "eval_runtime"}
    assert math.isnan(summary.eval.metrics["eval_accuracy"])  # as logged; null in JSON (below)
    assert (summary.best_metric, summary.best_model_checkpoint) == (1.5, "/runs/x/checkpoint-10")
    assert summary.checkpoint_time is not None and summary.checkpoint_time.timestamp() == 1_700_000_000
    data = summary.to_json()
    assert datetime.fromisoformat(data["checkpoint_time"]).timestamp() == 1_700_000_000
    assert data["eval"] == {
        "step": 10,
        "metrics": {"eval_loss": 1.5, "eval_accuracy": None, "eval_runtime": 2.0},
    }


def test_json_has_exactly_the_issue_keys(tmp_path, helpers):
    entries = [{"loss": 2.0, "learning_rate": 1e-4, "grad_norm": 0.5, "step": 1}]
    data = summary_of(tmp_path, helpers, entries, global_step=1, max_steps=4, epoch=0.25).to_json()
    assert set(data) == JSON_KEYS
    assert set(data["loss"]) == LOSS_KEYS
    assert data["checkpoint"] == "checkpoint-9"
    assert data["source"].endswith("checkpoint-9/trainer_state.json")
    assert (data["global_step"], data["max_steps"], data["step_progress"]) == (1, 4, 0.25)
    assert (data["learning_rate"], data["grad_norm"], data["eval"]) == (1e-4, 0.5, None)
    assert data["grad_norm_nonfinite"] == 0
    assert data["loss"] == {
        "current": 2.0,
        "min": 2.0,
        "max": 2.0,
        "mean": 2.0,
        "trend": None,
        "count": 1,
        "nonfinite": 0,
    }


def test_mean_of_losses_whose_sum_overflows():
    import numpy as np

    from trainmon_tui.views.stats import loss_stats

    stats = loss_stats(np.array([1e308, 1e308, -1e308]), -1e308)
    assert stats.mean is not None and math.isclose(stats.mean, 1e308 / 3)
    assert stats.trend == "down"
