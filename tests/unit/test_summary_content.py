"""What the summary says: every eval set, the end-of-training entry, non-finite values, one number rule.

Self-made states through the ``helpers`` fixture, and the real files of ``../shared/fixtures/real`` when
they are there (those tests skip otherwise).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from trainmon_tui.i18n import _LABELS
from trainmon_tui.report import summary_compact, summary_rows
from trainmon_tui.state import load_state
from trainmon_tui.stats import Summary, summarize

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="no real fixtures (../shared/fixtures/real)")

Rows = list[tuple[str, str | None]]


def summary_of(tmp_path: Path, helpers, entries: list, **top) -> Summary:
    path = helpers.write_state(tmp_path / "checkpoint-9", helpers.trainer_state(entries, **top))
    return summarize(load_state(path))


def sections(rows: Rows) -> dict[str, list[tuple[str, str]]]:
    """Rows by section heading (a heading appearing twice would lose rows: asserted against)."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for label, value in rows:
        if value is None:
            assert label not in out, f"heading {label!r} twice"
            current = label
            out[current] = []
        else:
            out[current].append((label, value))
    return out


def eval_sets(n: int, step: int) -> list[dict]:
    """One entry per eval set, as the Trainer logs ``eval_dataset={"g0": ..., ...}``."""
    return [
        {
            "epoch": 1.0,
            f"eval_g{i}_accuracy": 0.51 + i / 100,
            f"eval_g{i}_loss": 2.0 + i,
            f"eval_g{i}_runtime": 5.0,
            f"eval_g{i}_samples_per_second": 78.7,
            f"eval_g{i}_steps_per_second": 19.8,
            "step": step,
        }
        for i in range(n)
    ]


# --- 2. non-finite is not unknown ------------------------------------------------------------------


@pytest.mark.parametrize(("bad", "shown"), [(math.nan, "NaN"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_a_newest_nonfinite_loss_and_grad_norm_are_named(tmp_path, helpers, bad, shown):
    entries = [
        {"grad_norm": 1.0, "learning_rate": 1e-5, "loss": 2.0, "step": 1},
        {"grad_norm": bad, "learning_rate": 1e-5, "loss": bad, "step": 2},
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=2)
    rows = dict(row for row in summary_rows(summary) if row[1] is not None)
    assert rows["Current"] == shown and rows["Grad norm"] == shown
    data = json.loads(json.dumps(summary.to_json(), allow_nan=False))  # still valid JSON
    assert data["loss"]["current"] is None and data["grad_norm"] is None


def test_a_null_newest_loss_stays_unknown(tmp_path, helpers):
    entries = [{"grad_norm": 1.0, "loss": 2.0, "step": 1}, {"grad_norm": None, "loss": None, "step": 2}]
    rows = dict(row for row in summary_rows(summary_of(tmp_path, helpers, entries, global_step=2)) if row[1])
    assert rows["Current"] == "-" and rows["Grad norm"] == "-"


def test_nonfinite_grad_norms_are_counted_beside_the_losses(tmp_path, helpers):
    entries = [
        {"grad_norm": math.nan, "loss": 2.0, "step": 1},
        {"grad_norm": math.inf, "loss": 1.5, "step": 2},
        {"grad_norm": None, "loss": 1.2, "step": 3},  # null: a non-finite point, as for losses
        {"grad_norm": 0.5, "loss": 1.0, "step": 4},
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=4)
    loss_rows = sections(list(summary_rows(summary)))["Loss"]
    assert loss_rows[-2:] == [("Non-finite", "0 / 4"), ("Grad non-finite", "3 / 4")]
    assert summary.to_json()["grad_norm_nonfinite"] == 3
    zh = sections(list(summary_rows(summary, "zh")))["损失信息"]
    assert zh[-1] == ("梯度非有限值", "3 / 4")


def test_no_nonfinite_rows_when_all_is_finite(tmp_path, helpers):
    entries = [{"grad_norm": 0.5, "loss": 1.0, "step": 1}]
    summary = summary_of(tmp_path, helpers, entries, global_step=1)
    labels = [label for label, _ in summary_rows(summary)]
    assert "Non-finite" not in labels and "Grad non-finite" not in labels
    assert summary.to_json()["grad_norm_nonfinite"] == 0


@needs_real
def test_real_nan_and_infinity_grad_norms_are_counted():
    summary = summarize(load_state(REAL / "10_unsloth_fp16_nan_infinity_gradnorm.json"))
    assert summary.to_json()["grad_norm_nonfinite"] == 2
    rows = dict(row for row in summary_rows(summary) if row[1] is not None)
    assert rows["Grad non-finite"] == "2 / 60" and rows["Non-finite"] == "0 / 60"


def test_a_zero_learning_rate_reads_zero(tmp_path, helpers):
    entries = [{"learning_rate": 0.0, "loss": 1.0, "step": 1}]
    rows = dict(row for row in summary_rows(summary_of(tmp_path, helpers, entries, global_step=1)) if row[1])
    assert rows["Learning rate"] == "0"


def test_every_value_follows_the_number_rule(tmp_path, helpers):
    entries = [
        {"epoch": 1.2, "grad_norm": 7.063644e-4, "learning_rate": 2e-5, "loss": 0.5, "step": 300},
        {"eval_loss": 0.71484375, "step": 300},
    ]
    summary = summary_of(
        tmp_path,
        helpers,
        entries,
        global_step=300,
        max_steps=500,
        epoch=1.2,
        num_train_epochs=2,
        best_metric=0.71484375,
    )
    rows = dict(row for row in summary_rows(summary) if row[1] is not None)
    assert rows["Epoch"] == "1.2 / 2 (60%)"
    assert rows["Step"] == "300 / 500 (60%)"
    assert rows["Learning rate"] == "2e-05"
    assert rows["Grad norm"] == "7.064e-04"
    assert rows["Current"] == "0.5"
    assert rows["Epochs"] == "2" and rows["Total steps"] == "500"
    assert rows["Best metric"] == "0.7148"


def test_a_finished_long_run_fits_the_80x24_pane(tmp_path, helpers):
    """At 80x24 the summary pane is 38 columns (36 for text beside its scrollbar): no line is cut."""
    entries = [{"grad_norm": math.nan, "learning_rate": 0.0, "loss": 0.62, "step": 8660}]
    summary = summary_of(
        tmp_path, helpers, entries, global_step=8660, max_steps=8660, epoch=2.0, num_train_epochs=2
    )
    lines = summary_compact(summary).plain.splitlines()
    assert "8660 / 8660 (100%)" in summary_compact(summary).plain
    assert max(len(line) for line in lines) <= 36, max(lines, key=len)


def test_every_new_label_has_a_chinese_translation():
    for key in ("grad_nonfinite",):
        en, zh = _LABELS[key]
        assert en and zh and en != zh
