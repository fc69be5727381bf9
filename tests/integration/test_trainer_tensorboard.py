"""A real ``transformers.Trainer`` on the CPU with ``report_to="tensorboard"`` and no TrainmonCallback: the
event files it writes, read back by the TensorBoard follower, hold the same entries as its ``log_history``,
and the dashboard's reload shows them over the checkpoints. Skipped without torch, transformers or
tensorboard."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("tensorboard")

from trainmon_tui.livelog import LIVE_LOG_FILE  # noqa: E402
from trainmon_tui.snapshot import take_snapshot  # noqa: E402
from trainmon_tui.state import StateCache  # noqa: E402
from trainmon_tui.tbevents import LiveSource, read_event_files  # noqa: E402

VOCAB, SEQ, MAX_STEPS = 32, 8, 10


class TinyLM(torch.nn.Module):
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


def dataset(n: int, seed: int) -> list[dict[str, Any]]:
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        ids = torch.randint(0, VOCAB, (SEQ,), generator=generator)
        rows.append({"input_ids": ids, "labels": (ids + 1) % VOCAB})
    return rows


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("tb") / "outputs"
    os.environ.pop("TENSORBOARD_LOGGING_DIR", None)
    args = transformers.TrainingArguments(
        output_dir=str(out),
        max_steps=MAX_STEPS,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=8,
        learning_rate=1e-2,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=4,
        save_strategy="steps",
        save_steps=4,
        save_total_limit=2,
        report_to="tensorboard",
        use_cpu=True,
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = transformers.Trainer(
        model=TinyLM(), args=args, train_dataset=dataset(64, seed=1), eval_dataset=dataset(16, seed=2)
    )
    trainer.train()
    return out, trainer


def test_event_files_hold_the_log_history(trained: tuple[Path, Any]) -> None:
    out, trainer = trained
    assert not (out / LIVE_LOG_FILE).exists()
    live = read_event_files(out)
    assert not live.empty and live.bad_lines == 0 and live.pending_bytes == 0
    history = trainer.state.log_history
    assert [r.step for r in live.logs] == [e["step"] for e in history]
    for record, entry in zip(live.logs, history, strict=True):
        numbers = {k: v for k, v in entry.items() if k != "step" and isinstance(v, (int, float))}
        assert record.values.keys() == numbers.keys()
        for key, value in numbers.items():  # TensorBoard keeps float32
            assert math.isclose(record.values[key], value, rel_tol=1e-6, abs_tol=1e-30), (entry["step"], key)
    kinds = [r.kind for r in live.logs]
    assert kinds.count("eval") == sum("eval_loss" in e for e in history) == 3  # steps 4, 8 and the last
    assert kinds[-1] == "final"
    assert live.start is not None and live.start.max_steps == MAX_STEPS and live.start.save_steps == 4
    assert live.finished and live.end is not None and live.end.step == MAX_STEPS


def test_the_reload_shows_the_summary_no_checkpoint_holds(trained: tuple[Path, Any]) -> None:
    out, _ = trained
    snapshot = take_snapshot(out, cache=StateCache(), follower=LiveSource(out))
    assert snapshot is not None and snapshot.state is not None and snapshot.live is not None
    assert snapshot.checkpoint == f"checkpoint-{MAX_STEPS}" and snapshot.live.path.parent.name == "runs"
    assert snapshot.state.final is not None and "train_runtime" in snapshot.state.final
    assert snapshot.progress is not None and snapshot.progress.finished
