"""The metric catalogue: which series of a run are charts, in what order, and which trainer logged them.

:func:`catalogue` lists every numeric key of a state that is worth a chart, in the order the metrics view
shows them: the training loss, the eval losses (every set), the trainer's own headline metrics (each
followed by its ``eval_`` twin), the eval metrics whose better direction is known (accuracy, F1, WER,
ROUGE, ...), then the rest by name, with the evaluation timing keys (``eval_runtime``,
``*_per_second``) after them: they say how fast the evaluation ran, not how the model does; and last the
resources the training process used (``sys/rss``, ``sys/cpu``, ``sys/gpu0/util``, ...: the live log's
``sys`` figures, :mod:`~trainmon_tui.live.sysseries`), a device's total memory not as a chart.

Not charts:

- keys logged at fewer than two distinct steps (a key logged once, or a resumed run logging it again at
  the same step): a single point is a number, shown by ``--list-metrics`` and the tables, not a line;
- ``epoch``: bookkeeping the Trainer adds to every entry, training and evaluation alike; it is the
  x-axis choice ``epoch`` (:mod:`.xaxis`), and as a chart it would only show a straight line;
- the end-of-training summary keys (:data:`~trainmon_tui.files.state.SUMMARY_KEYS` and
  ``total_flos``, ``train_steps_per_second``): the state keeps that entry apart already, they are left
  out here too should a custom trainer log them elsewhere;
- strings (``remaining_time``): never in ``state.series``.

:func:`trainer_kind` tells DPO, ORPO, GRPO, SFT and the plain Trainer apart from the keys alone (TRL's
logged names; ``eval_`` variants count), and :func:`headline` picks the overview strip's metrics from it.
:func:`better` says, from a key's name, whether a lower or a higher value is better (the evaluations
table marks the best value with it), and :func:`is_loss_like` which keys get the outlier-robust y-range
by default. Keys come from the file: show them through :func:`~.safetext.printable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Literal

from trainmon_tui.files.entries import SUMMARY_KEYS
from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.live.sysseries import PREFIX as SYSTEM_PREFIX
from trainmon_tui.live.sysseries import is_fixed_figure, system_rank
from trainmon_tui.views.evalsets import is_timing

NOT_CHARTS = frozenset({"epoch", "step", "total_flos", "train_steps_per_second"}) | SUMMARY_KEYS
_EVAL = "eval_"


class TrainerKind(Enum):
    DPO = "DPO"  # and its relatives logging rewards/margins: CPO, SimPO, IPO
    ORPO = "ORPO"
    GRPO = "GRPO"
    SFT = "SFT"
    TRAINER = "Trainer"  # the plain transformers Trainer, or anything not recognised


# The trainer's own metrics, most telling first (TRL's names; LLaMA-Factory's ORPO names too).
_PREFERENCE = ("rewards/margins", "rewards/accuracies", "rewards/chosen", "rewards/rejected")
_LOGPS = ("logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected")
_HEADLINES: dict[TrainerKind, tuple[str, ...]] = {
    TrainerKind.DPO: (*_PREFERENCE, *_LOGPS),
    TrainerKind.ORPO: (
        *_PREFERENCE[:2],
        "log_odds_ratio",
        "log_odds_chosen",
        "odds_ratio_loss",
        "nll_loss",
        "sft_loss",
        *_PREFERENCE[2:],
        *_LOGPS,
    ),
    TrainerKind.GRPO: (
        "reward",
        "reward_std",
        "kl",
        "completions/mean_length",
        "completion_length",
        "entropy",
        "frac_reward_zero_std",
    ),
    TrainerKind.SFT: ("mean_token_accuracy", "entropy"),
    TrainerKind.TRAINER: (),
}
# What the overview strip shows for each kind (before the first eval metric besides loss).
_STRIP: dict[TrainerKind, tuple[str, ...]] = {
    TrainerKind.DPO: ("rewards/margins", "rewards/accuracies"),
    TrainerKind.ORPO: ("rewards/margins", "rewards/accuracies"),
    TrainerKind.GRPO: ("reward", "kl"),
    TrainerKind.SFT: ("mean_token_accuracy",),
    TrainerKind.TRAINER: (),
}


def _has(keys: frozenset[str], *names: str) -> bool:
    return any(name in keys or _EVAL + name in keys for name in names)


def trainer_kind(keys: Iterable[str]) -> TrainerKind:
    """The trainer that logged these keys: ORPO's odds-ratio keys, then DPO's ``rewards/margins`` or
    ``rewards/accuracies``, GRPO's ``reward`` beside ``kl``, ``reward_std`` or a completion length, SFT's
    ``mean_token_accuracy``; anything else is the plain Trainer."""
    names = frozenset(keys)
    if _has(names, "log_odds_ratio", "log_odds_chosen", "odds_ratio_loss"):
        return TrainerKind.ORPO
    if _has(names, "rewards/margins", "rewards/accuracies"):
        return TrainerKind.DPO
    if _has(names, "reward") and _has(
        names, "kl", "reward_std", "completion_length", "completions/mean_length"
    ):
        return TrainerKind.GRPO
    if _has(names, "mean_token_accuracy"):
        return TrainerKind.SFT
    return TrainerKind.TRAINER


# --- what a name says ----------------------------------------------------------------------------

_TOKENS = re.compile(r"[a-z0-9]+")
# A token that makes a name's direction unknown: a spread, a size, a count or a side of a preference pair.
_NEUTRAL = frozenset(
    {"std", "var", "length", "len", "num", "tokens", "count", "runtime", "second", "per", "samples",
     "chosen", "rejected", "epoch", "lr", "learning", "rate", "norm", "grad", "entropy", "kl", "ratio"}
)  # fmt: skip
_LOWER = frozenset({"wer", "cer", "ter", "perplexity", "ppl", "error", "err", "mae", "mse", "rmse", "nll"})
_HIGHER = frozenset(
    {"accuracy", "accuracies", "acc", "f1", "precision", "recall", "bleu", "sacrebleu", "meteor", "chrf",
     "auc", "auroc", "map", "ndcg", "mrr", "matthews", "pearson", "spearmanr", "exact", "match",
     "reward", "rewards", "margins", "bertscore", "score"}
)  # fmt: skip
_LOSS = re.compile(r"loss|perplexity|(?<![a-z])(ppl|nll)(?![a-z])")

Better = Literal["min", "max"]


def _tokens(key: str) -> list[str]:
    return _TOKENS.findall(key.lower())


def better(key: str) -> Better | None:
    """Which way is better for ``key``, from its name: ``"min"`` for losses (any name holding ``loss``),
    error rates (WER, CER, TER), perplexity and errors; ``"max"`` for accuracy, F1, precision, recall,
    BLEU, ROUGE, METEOR, chrF, AUC, correlations, exact match, rewards and scores; None when the name
    does not say, or names a spread, a size or a count (``reward_std``, ``eval_num_tokens``,
    ``rewards/chosen``), or a timing key. Losses win over everything: ``odds_ratio_loss`` is ``"min"``."""
    lowered = key.lower()
    if is_timing(lowered):
        return None
    if "loss" in lowered:
        return "min"
    tokens = _tokens(lowered)
    if any(token in _NEUTRAL for token in tokens):
        return None
    if any(token in _LOWER for token in tokens):
        return "min"
    if any(token in _HIGHER or token.startswith(("rouge", "bleu", "acc")) for token in tokens):
        return "max"
    return None


def is_loss_like(key: str) -> bool:
    """A loss or a perplexity (``loss``, ``eval_g0_loss``, ``train/ploss_0``, ``nll_loss``, ``eval_ppl``):
    the keys whose charts use the outlier-robust y-range by default, since one early spike would
    flatten the rest of the curve."""
    return _LOSS.search(key.lower()) is not None


# --- the catalogue ---------------------------------------------------------------------------------


def is_chartable(key: str, series: Series) -> bool:
    """A chart: not bookkeeping or a summary key, and logged at two distinct steps at least."""
    if key in NOT_CHARTS or len(series) < 2 or is_fixed_figure(key):
        return False
    steps = series.steps
    return bool(steps[0] != steps[-1] or steps.min() != steps.max())


def _eval_losses(keys: Iterable[str]) -> list[str]:
    """``eval_loss`` and every ``eval_<set>_loss`` (ORPO's ``eval_sft_loss`` beside ``eval_loss`` too)."""
    return sorted(k for k in keys if k.startswith(_EVAL) and k.endswith("loss") and k != "eval_loss")


def _rank(key: str, headline: Mapping[str, int], eval_losses: Mapping[str, int]) -> tuple[int, int, str]:
    if key == "loss":
        return (0, 0, key)
    if key.startswith(SYSTEM_PREFIX):
        return (6, system_rank(key), key)
    if key == "eval_loss":
        return (1, 0, key)
    if key in eval_losses:
        return (1, 1 + eval_losses[key], key)
    if key in headline:
        return (2, headline[key], key)
    if key.startswith(_EVAL):
        if is_timing(key):
            return (5, 0, key)
        if better(key) is not None:
            return (3, 0, key)
    return (4, 0, key)


def order_keys(keys: Iterable[str], kind: TrainerKind | None = None) -> list[str]:
    """``keys`` in the catalogue's order (see the module's docstring); ``kind`` defaults to the one the
    keys themselves say. Each headline metric is followed by its ``eval_`` twin; GRPO's per-function
    rewards (``rewards/<fn>``, ``rewards/<fn>/mean``) follow its headline metrics, by name."""
    names = list(dict.fromkeys(keys))
    kind = trainer_kind(names) if kind is None else kind
    headline: dict[str, int] = {}
    for name in _HEADLINES[kind]:
        headline.setdefault(name, len(headline))
        headline.setdefault(_EVAL + name, len(headline))
    if kind is TrainerKind.GRPO:
        for name in sorted(k for k in names if k.startswith("rewards/")):
            headline.setdefault(name, len(headline))
    losses = {key: i for i, key in enumerate(_eval_losses(names))}
    return sorted(names, key=lambda key: _rank(key, headline, losses))


def catalogue(state: TrainerState) -> list[str]:
    """Every key of ``state`` worth a chart, in the metrics view's order."""
    keys = [key for key, series in state.series.items() if is_chartable(key, series)]
    return order_keys(keys, trainer_kind(state.series))


def first_eval_metric(keys: Iterable[str]) -> str | None:
    """The first eval metric besides loss and timing in catalogue order (``eval_accuracy``, ``eval_wer``,
    ``eval_g0_accuracy``), one of known direction first."""
    candidates = [
        k
        for k in keys
        if k.startswith(_EVAL) and not k.endswith("loss") and not is_timing(k) and k != "epoch"
    ]
    known = [k for k in candidates if better(k) is not None]
    return min(known or candidates, default=None)


def headline(state: TrainerState) -> list[str]:
    """The overview strip's metrics: DPO and ORPO ``rewards/margins`` and ``rewards/accuracies``, GRPO
    ``reward`` and ``kl``, SFT ``mean_token_accuracy`` (each only when it is a chart), then the first eval
    metric besides loss; empty for a plain Trainer run with no such metric."""
    charts = catalogue(state)
    present = set(charts)
    picked = [key for key in _STRIP[trainer_kind(state.series)] if key in present]
    extra = first_eval_metric(charts)
    if extra is not None and extra not in picked:
        picked.append(extra)
    return picked
