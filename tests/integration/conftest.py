"""Shared by the real-Trainer tests: a tiny language model built in code (no download), a synthetic dataset,
and a ``transformers.Trainer`` on the CPU that logs every step, evaluates and saves every 4 steps and keeps
two checkpoints.

Handed out as the ``tiny_trainer`` fixture, as ``tests/conftest.py`` does. torch and transformers are
imported only when a trainer is built: the test modules import them first (``pytest.importorskip``, after
setting any environment they need), so this file loads, and those tests skip, where they are missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

VOCAB = 32


def _tiny_lm() -> Any:
    import torch

    class TinyLM(torch.nn.Module):
        """Embedding + linear head: a next-token model small enough for a few CPU steps."""

        main_input_name = "input_ids"

        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.embed = torch.nn.Embedding(VOCAB, 16)
            self.head = torch.nn.Linear(16, VOCAB)

        def forward(self, input_ids: Any, labels: Any = None) -> dict[str, Any]:
            logits = self.head(self.embed(input_ids))
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1))
            return {"loss": loss, "logits": logits}

    return TinyLM()


def _dataset(n: int, seed: int, seq: int) -> list[dict[str, Any]]:
    import torch

    generator = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        ids = torch.randint(0, VOCAB, (seq,), generator=generator)
        rows.append({"input_ids": ids, "labels": (ids + 1) % VOCAB})
    return rows


def _tiny_trainer(
    out: Path,
    *,
    max_steps: int,
    batch: int = 4,
    seq: int = 8,
    callbacks: list[Any] | None = None,
    **training_args: Any,
) -> Any:
    import transformers

    args = transformers.TrainingArguments(
        output_dir=str(out),
        max_steps=max_steps,
        per_device_train_batch_size=batch,
        per_device_eval_batch_size=8,
        learning_rate=1e-2,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=4,
        save_strategy="steps",
        save_steps=4,
        save_total_limit=2,
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
        **{"dataloader_num_workers": 0, **training_args},
    )
    return transformers.Trainer(
        model=_tiny_lm(),
        args=args,
        train_dataset=_dataset(64, seed=1, seq=seq),
        eval_dataset=_dataset(16, seed=2, seq=seq),
        callbacks=callbacks,
    )


@pytest.fixture(scope="session")
def tiny_trainer() -> Callable[..., Any]:
    """``tiny_trainer(out, max_steps=..., batch=4, seq=8, callbacks=None, **training_args)``: the Trainer,
    not yet trained; ``training_args`` adds to the TrainingArguments above (``report_to``, ...)."""
    return _tiny_trainer
