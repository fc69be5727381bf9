"""The metric catalogue: which keys are charts, their order, the trainer kind and the overview headline."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from builders.fixtures import REAL_FIXTURES

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.files.state import load_state
from trainmon_tui.views.metrics import (
    TrainerKind,
    better,
    catalogue,
    first_eval_metric,
    headline,
    is_chartable,
    is_loss_like,
    order_keys,
    trainer_kind,
)

needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


def _state(helpers: SimpleNamespace, tmp_path: Path, log: list[dict[str, Any]], **top: Any) -> TrainerState:
    return load_state(helpers.write_state(tmp_path, helpers.trainer_state(log, **top)))


def _dpo_log(steps: int = 4) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []
    for step in range(1, steps + 1):
        log.append(
            {
                "epoch": step / steps,
                "grad_norm": 1.0,
                "learning_rate": 1e-5,
                "logits/chosen": -1.0,
                "logits/rejected": -1.2,
                "logps/chosen": -50.0,
                "logps/rejected": -60.0,
                "loss": 0.69 - step / 100,
                "rewards/accuracies": 0.5 + step / 10,
                "rewards/chosen": 0.1,
                "rewards/margins": 0.05 * step,
                "rewards/rejected": -0.1,
                "step": step,
            }
        )
        if step % 2 == 0:
            log.append(
                {
                    "epoch": step / steps,
                    "eval_loss": 0.7,
                    "eval_rewards/margins": 0.1,
                    "eval_rewards/accuracies": 0.6,
                    "eval_runtime": 3.0,
                    "eval_samples_per_second": 10.0,
                    "step": step,
                }
            )
    log.append({"epoch": 1.0, "step": steps, "train_loss": 0.6, "train_runtime": 10.0, "total_flos": 1.0})
    return log


def test_a_dpo_run_orders_loss_eval_loss_then_the_preference_metrics(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    state = _state(helpers, tmp_path, _dpo_log())
    assert trainer_kind(state.series) is TrainerKind.DPO
    keys = catalogue(state)
    assert keys[:6] == [
        "loss",
        "eval_loss",
        "rewards/margins",
        "eval_rewards/margins",
        "rewards/accuracies",
        "eval_rewards/accuracies",
    ]
    assert keys[6:12] == [
        "rewards/chosen",
        "rewards/rejected",
        "logps/chosen",
        "logps/rejected",
        "logits/chosen",
        "logits/rejected",
    ]
    assert keys[12:] == ["grad_norm", "learning_rate", "eval_runtime", "eval_samples_per_second"]
    assert "epoch" not in keys and "train_loss" not in keys and "total_flos" not in keys
    assert headline(state) == ["rewards/margins", "rewards/accuracies", "eval_rewards/accuracies"]


def test_keys_logged_at_one_step_only_are_not_charts(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [
        {"loss": 1.0, "step": 1, "once": 3.0, "twice_same_step": 1.0},
        {"loss": 0.9, "step": 2},
        {"loss": 0.8, "step": 3, "note": "a string", "nan_all": float("nan")},
        {"loss": 0.7, "step": 4, "nan_all": float("nan")},
    ]
    log.append({"twice_same_step": 2.0, "step": 1, "loss": 0.5})  # a resumed run logs step 1 again
    state = _state(helpers, tmp_path, log)
    assert "twice_same_step" in state.series and len(state.get("twice_same_step")) == 2
    keys = catalogue(state)
    assert "once" not in keys and "twice_same_step" not in keys and "note" not in keys
    assert keys == ["loss", "nan_all"]  # an all-NaN series is a chart: it says the metric is broken


def test_is_chartable_on_hostile_steps() -> None:
    def series(steps: list[int]) -> Series:
        return Series(np.array(steps, dtype=np.int64), np.zeros(len(steps)))

    assert not is_chartable("x", series([]))
    assert not is_chartable("x", series([5]))
    assert not is_chartable("x", series([5, 5, 5]))
    assert is_chartable("x", series([5, 3, 5]))  # non-monotonic: two distinct steps
    assert not is_chartable("epoch", series([1, 2, 3]))


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        (["loss", "rewards/margins", "rewards/accuracies"], TrainerKind.DPO),
        (["loss", "eval_rewards/margins"], TrainerKind.DPO),
        (["loss", "rewards/margins", "log_odds_ratio", "nll_loss"], TrainerKind.ORPO),
        (["loss", "odds_ratio_loss", "sft_loss", "rewards/margins"], TrainerKind.ORPO),
        (["loss", "reward", "kl", "completion_length"], TrainerKind.GRPO),
        (["loss", "reward", "reward_std", "completions/mean_length"], TrainerKind.GRPO),
        (["loss", "reward"], TrainerKind.TRAINER),  # a custom "reward" alone is not GRPO
        (["loss", "mean_token_accuracy", "num_tokens"], TrainerKind.SFT),
        (["loss", "eval_accuracy"], TrainerKind.TRAINER),
        ([], TrainerKind.TRAINER),
    ],
)
def test_trainer_kind(keys: list[str], kind: TrainerKind) -> None:
    assert trainer_kind(keys) is kind


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("eval_loss", "min"),
        ("eval_g0_loss", "min"),
        ("odds_ratio_loss", "min"),
        ("eval_wer", "min"),
        ("eval_cer", "min"),
        ("eval_perplexity", "min"),
        ("eval_accuracy", "max"),
        ("eval_g3_accuracy", "max"),
        ("eval_f1", "max"),
        ("eval_rouge1", "max"),
        ("eval_rougeLsum", "max"),
        ("eval_bleu", "max"),
        ("eval_exact_match", "max"),
        ("eval_mean_token_accuracy", "max"),
        ("rewards/margins", "max"),
        ("reward", "max"),
        ("train/acc_3", "max"),
        ("reward_std", None),
        ("rewards/chosen", None),
        ("eval_num_tokens", None),
        ("eval_runtime", None),
        ("eval_samples_per_second", None),
        ("grad_norm", None),
        ("kl", None),
        ("learning_rate", None),
        ("custom_thing", None),
        ("", None),
    ],
)
def test_better_from_the_name(key: str, expected: str | None) -> None:
    assert better(key) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("loss", True),
        ("eval_g0_loss", True),
        ("train/ploss_3", True),
        ("nll_loss", True),
        ("eval_ppl", True),
        ("Eval_Perplexity", True),
        ("eval_accuracy", False),
        ("grad_norm", False),
        ("apple", False),  # "ppl" inside a word is not a perplexity
    ],
)
def test_is_loss_like(key: str, expected: bool) -> None:
    assert is_loss_like(key) is expected


def test_order_of_an_arbitrary_mix_puts_the_rest_by_name_and_timing_last() -> None:
    keys = [
        "zeta",
        "eval_runtime",
        "eval_b_loss",
        "alpha",
        "eval_a_loss",
        "loss",
        "eval_f1",
        "eval_num_tokens",
    ]
    assert order_keys(keys) == [
        "loss",
        "eval_a_loss",
        "eval_b_loss",
        "eval_f1",
        "alpha",
        "eval_num_tokens",
        "zeta",
        "eval_runtime",
    ]
    assert order_keys(["b", "a", "a"]) == ["a", "b"]  # duplicates dropped


def test_first_eval_metric_prefers_a_known_direction() -> None:
    assert first_eval_metric(["eval_loss", "eval_num_tokens", "eval_wer", "eval_runtime"]) == "eval_wer"
    assert first_eval_metric(["eval_loss", "eval_num_tokens"]) == "eval_num_tokens"
    assert first_eval_metric(["loss", "eval_loss", "eval_runtime"]) is None


def test_an_empty_state_has_no_charts(helpers: SimpleNamespace, tmp_path: Path) -> None:
    state = _state(helpers, tmp_path, [])
    assert catalogue(state) == []
    assert headline(state) == []


# --- real files ---------------------------------------------------------------------------------


def _real(name: str) -> TrainerState:
    return load_state(REAL_FIXTURES / name)


@needs_real
def test_real_grpo_run() -> None:
    state = _real("16_trl_grpo_new_tokens_seen.json")
    assert trainer_kind(state.series) is TrainerKind.GRPO
    keys = catalogue(state)
    assert keys[:5] == ["loss", "reward", "reward_std", "kl", "completions/mean_length"]
    assert keys[5:7] == ["completion_length", "frac_reward_zero_std"]
    assert keys[7] == "rewards/diversity_reward_fn/mean"
    assert "epoch" not in keys and len(keys) == len(state.series) - 1
    assert headline(state) == ["reward", "kl"]


@needs_real
def test_real_orpo_run_from_llama_factory() -> None:
    state = _real("12_llamafactory_orpo.json")
    assert trainer_kind(state.series) is TrainerKind.ORPO
    keys = catalogue(state)
    assert keys[:5] == ["loss", "rewards/margins", "rewards/accuracies", "odds_ratio_loss", "sft_loss"]
    assert headline(state) == ["rewards/margins", "rewards/accuracies"]


@needs_real
def test_real_multi_eval_run_puts_the_six_eval_losses_second() -> None:
    state = _real("09_new_multi_eval_datasets_prefixed.json")
    keys = catalogue(state)
    assert keys[:7] == ["loss"] + [f"eval_g{i}_loss" for i in range(6)]
    assert keys[7:13] == [f"eval_g{i}_accuracy" for i in range(6)]
    assert keys[13:15] == ["grad_norm", "learning_rate"]
    assert all(k.endswith(("_runtime", "_per_second")) for k in keys[15:])
    assert headline(state) == ["eval_g0_accuracy"]


@needs_real
def test_real_sft_and_whisper_headlines() -> None:
    sft = _real("13_trl_sft_mean_token_acc_earlystop.json")
    assert trainer_kind(sft.series) is TrainerKind.SFT
    assert catalogue(sft)[:4] == ["loss", "eval_loss", "mean_token_accuracy", "eval_mean_token_accuracy"]
    assert headline(sft) == ["mean_token_accuracy", "eval_mean_token_accuracy"]
    whisper = _real("run_whisper_ja_hub/trainer_state.json")
    assert headline(whisper) == ["eval_wer"]


@needs_real
def test_every_real_file_has_a_catalogue_without_bookkeeping() -> None:
    for path in sorted(REAL_FIXTURES.rglob("*.json")):
        if "_negative" in path.parts:
            continue
        state = load_state(path)
        keys = catalogue(state)
        assert len(keys) == len(set(keys))
        assert set(keys) <= set(state.series)
        assert "epoch" not in keys
        assert all(is_chartable(k, state.get(k)) for k in keys)
