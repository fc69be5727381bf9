"""What the summary says: every eval set, the end-of-training entry, non-finite values, one number rule.

Self-made states through the ``helpers`` fixture, and the real files of ``../shared/fixtures/real`` when
they are there (those tests skip otherwise).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from builders.fixtures import REAL_FIXTURES
from rich.cells import cell_len

from trainmon_tui.files.state import load_state
from trainmon_tui.views.i18n import LABELS, LANGS
from trainmon_tui.views.report import summary_compact, summary_rows, summary_text
from trainmon_tui.views.stats import Summary, summarize

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


# --- 1. every evaluation set -----------------------------------------------------------------------


def test_every_eval_set_has_its_own_group(tmp_path, helpers):
    entries = [{"loss": 1.0, "step": 10}, *eval_sets(6, 10)]
    by_section = sections(list(summary_rows(summary_of(tmp_path, helpers, entries, global_step=10))))
    assert by_section["Latest evaluation @ 10"] == []
    for i in range(6):
        assert by_section[f"Eval set g{i}"] == [("accuracy", f"0.{51 + i}"), ("loss", f"{2 + i}")]
    zh = sections(list(summary_rows(summary_of(tmp_path, helpers, entries, global_step=10), "zh")))
    assert zh["评估集 g5"] == [("accuracy", "0.56"), ("loss", "7")]


def test_one_eval_set_is_one_group_without_runtime_keys(tmp_path, helpers):
    entries = [
        {"loss": 1.0, "step": 10},
        {
            "eval_accuracy": 0.75,
            "eval_loss": 0.5,
            "eval_sft_loss": 0.25,  # ORPO logs such keys: with eval_loss there, not another set
            "eval_runtime": 2.0,
            "eval_samples_per_second": 50.0,
            "eval_steps_per_second": 6.0,
            "eval_model_preparation_time": 0.01,
            "step": 10,
        },
    ]
    by_section = sections(list(summary_rows(summary_of(tmp_path, helpers, entries, global_step=10))))
    assert by_section["Latest evaluation @ 10"] == [
        ("accuracy", "0.75"),
        ("loss", "0.5"),
        ("model_preparation_time", "0.01"),  # not one of the runtime / throughput keys
        ("sft_loss", "0.25"),
    ]


def test_eval_set_names_with_underscores_and_keys_of_no_set(tmp_path, helpers):
    entries = [
        {"loss": 1.0, "step": 10},
        {
            "eval_val_a_loss": 1.0,
            "eval_val_a_wer": 0.3,
            "eval_val_loss": 2.0,
            "eval_val_wer": 0.4,
            "step": 10,
        },
        {"eval_extra": 7.0, "step": 10},
    ]
    by_section = sections(list(summary_rows(summary_of(tmp_path, helpers, entries, global_step=10))))
    assert by_section["Eval set val_a"] == [("loss", "1"), ("wer", "0.3")]
    assert by_section["Eval set val"] == [("loss", "2"), ("wer", "0.4")]
    assert by_section["Latest evaluation @ 10"] == [("extra", "7")]  # first: under no set's heading
    order = [label for label, value in summary_rows(summary_of(tmp_path, helpers, entries, global_step=10))]
    assert order.index("extra") < order.index("Eval set val_a")


def test_the_end_of_training_entry_is_shown(tmp_path, helpers):
    entries = [
        {"loss": 2.0, "step": 30},
        {
            "epoch": 3.0,
            "step": 30,
            "total_flos": 1157770590912.0,
            "train_loss": 9.087151943108974,
            "train_runtime": 60.3466,
            "train_samples_per_second": 10.141,
            "train_steps_per_second": 1.293,
            "train_tokens_per_second": 1234.5,
        },
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=30, max_steps=30)
    by_section = sections(list(summary_rows(summary)))
    assert by_section["Training result"] == [
        ("Mean loss", "9.087"),
        ("Runtime", "1m 00s"),
        ("Samples/s", "10.14"),
        ("Steps/s", "1.293"),
        ("Tokens/s", "1234"),
        ("Total FLOs", "1.158e+12"),
    ]
    zh = sections(list(summary_rows(summary, "zh")))
    assert [label for label, _ in zh["训练结果"]] == [
        "平均损失",
        "训练用时",
        "样本/秒",
        "步/秒",
        "词元/秒",
        "总浮点运算",
    ]
    assert "train_loss" not in summary.to_json()  # the JSON keys stay as they are


def test_no_end_of_training_section_mid_run(tmp_path, helpers):
    summary = summary_of(tmp_path, helpers, [{"loss": 2.0, "step": 3}], global_step=3)
    assert "Training result" not in sections(list(summary_rows(summary)))


@needs_real
def test_real_six_eval_sets_all_shown():
    summary = summarize(load_state(REAL / "09_new_multi_eval_datasets_prefixed.json"))
    text = summary_text(summary)
    assert "[Latest evaluation @ 12030]\n\n[Eval set g0]\n" in text
    for i, loss in enumerate(("2.749", "4.1", "4.402", "4.682", "4.523", "4.835")):
        assert f"[Eval set g{i}]\n  accuracy: " in text
        assert f"  loss: {loss}\n" in text
    assert "runtime" not in text and "per_second" not in text


@needs_real
def test_real_summary_only_file_is_not_all_dashes():
    summary = summarize(load_state(REAL / "01_old_tiny_summary_only.json"))
    by_section = sections(list(summary_rows(summary)))
    assert dict(by_section["Training result"]) == {
        "Mean loss": "9.087",
        "Runtime": "1m 00s",
        "Samples/s": "10.14",
        "Steps/s": "1.293",
        "Total FLOs": "1.158e+12",
    }


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


def test_nonfinite_eval_and_end_values_are_named_and_null_in_json(tmp_path, helpers):
    entries = [
        {"loss": 2.0, "step": 2},
        {"eval_loss": math.nan, "eval_accuracy": math.inf, "step": 2},
        {"train_loss": math.nan, "train_runtime": 3.0, "step": 2},
    ]
    summary = summary_of(tmp_path, helpers, entries, global_step=2)
    by_section = sections(list(summary_rows(summary)))
    assert by_section["Latest evaluation @ 2"] == [("accuracy", "inf"), ("loss", "NaN")]
    assert ("Mean loss", "NaN") in by_section["Training result"]
    data = json.loads(json.dumps(summary.to_json(), allow_nan=False))
    assert data["eval"]["metrics"] == {"eval_loss": None, "eval_accuracy": None}


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


def test_no_grad_norm_count_when_no_grad_norm_is_logged(tmp_path, helpers):
    entries = [{"loss": math.nan, "step": 1}, {"loss": 1.0, "step": 2}]  # an old Trainer: no grad_norm
    rows = [row for row in summary_rows(summary_of(tmp_path, helpers, entries, global_step=2))]
    assert ("Non-finite", "1 / 2") in rows and "Grad non-finite" not in [label for label, _ in rows]


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
    for lang in LANGS:
        plain = summary_compact(summary, lang).plain
        assert "8660 / 8660 (100%)" in plain
        lines = plain.splitlines()
        assert max(map(cell_len, lines)) <= 36, max(lines, key=cell_len)


def test_every_new_label_has_a_chinese_translation():
    for key in ("eval_set", "final", "train_loss", "train_runtime", "total_flos", "grad_nonfinite"):
        en, zh = LABELS[key]
        assert en and zh and en != zh


@pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")
def test_a_long_eval_key_does_not_push_the_side_panes_values_out() -> None:
    """SFT's ``mean_token_accuracy`` (19 cells) set the label column for every row, so the 38-cell side
    pane cut ``Epoch 1.995 / 2 (99.7…``; long labels no longer widen the others."""
    from trainmon_tui.views.report import LABEL_CELLS

    state = load_state(REAL_FIXTURES / "13_trl_sft_mean_token_acc_earlystop.json")
    lines = summary_compact(summarize(state), "en").plain.splitlines()
    epoch = next(line for line in lines if line.startswith("Epoch"))
    assert epoch.split(None, 1)[1] == "1.995 / 2 (99.75%)" and epoch.index("1.995") <= LABEL_CELLS + 1
    assert cell_len(epoch) <= 36  # the side pane's 38 cells, less its border and scrollbar
    long = next(line for line in lines if line.startswith("mean_token_accuracy"))
    assert long.startswith("mean_token_accuracy ") and long.split()[1][0].isdigit()


def test_progress_without_totals_shows_only_what_is_known(tmp_path, helpers):
    """No max_steps, no num_train_epochs, no epoch: ``Step 5``, ``Epoch -``, not ``5 (-)`` and ``- (-)``."""
    log = [{"loss": 1.0, "step": s} for s in range(1, 6)]
    summary = summary_of(
        tmp_path, helpers, log, global_step=5, max_steps=None, num_train_epochs=None, epoch=None
    )
    progress = sections(list(summary_rows(summary)))["Training progress"]
    assert dict(progress)["Step"] == "5" and dict(progress)["Epoch"] == "-"
    finished = summary_of(tmp_path / "b", helpers, log, global_step=5, max_steps=10, epoch=1.0)
    assert dict(sections(list(summary_rows(finished)))["Training progress"])["Step"] == "5 / 10 (50%)"
