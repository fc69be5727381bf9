"""The end-of-training report: the Trainer's in-memory state summarized into text, JSON and a PNG.

:class:`~trainmon_tui.callback.TrainmonCallback` calls :func:`write_end_report` when training ends with
``report=True`` (importing this module only then: the training process imports the standard library
alone until that moment). It writes ``trainmon_summary.txt``, ``trainmon_summary.json`` (the same object
as ``--format json``) and ``trainmon_dashboard.png`` (the four charts) into the output folder.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Any

from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.stats import Summary, summarize

REPORT_TEXT = "trainmon_summary.txt"
REPORT_JSON = "trainmon_summary.json"
REPORT_PNG = "trainmon_dashboard.png"

_STATE_FIELDS = (
    "global_step",
    "max_steps",
    "epoch",
    "num_train_epochs",
    "logging_steps",
    "eval_steps",
    "save_steps",
    "train_batch_size",
    "num_input_tokens_seen",
    "best_metric",
    "best_model_checkpoint",
    "best_global_step",
)


def core_state(state: Any, source: Path) -> TrainerState:
    """The Trainer's in-memory state as trainmon's :class:`~trainmon_tui.files.model.TrainerState`: the
    whole ``log_history``, the end-of-training summary included (no checkpoint holds it)."""
    raw: dict[str, Any] = {key: getattr(state, key, None) for key in _STATE_FIELDS}
    raw["log_history"] = list(getattr(state, "log_history", None) or [])
    return build_state(raw, source, mtime=time.time())


def write_end_report(
    trainer_state: Any, source: Path, output_dir: Path, *, lang: str = "en"
) -> dict[str, Path]:
    """The report of the run whose Trainer state is ``trainer_state`` (its live log at ``source``)."""
    return write_report(core_state(trainer_state, source), output_dir, lang=lang)


def write_report(state: TrainerState, output_dir: Path, *, lang: str = "en") -> dict[str, Path]:
    """The summary as text and JSON, and the four charts as a PNG, into ``output_dir``.

    Returns the files written by kind (``text``, ``json``, ``png``); the PNG is left out, with a warning,
    when it cannot be drawn (matplotlib missing, for instance).
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize(state)
    written: dict[str, Path] = {}
    json_path = output_dir / REPORT_JSON
    json_path.write_text(
        json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    written["json"] = json_path
    text_path = output_dir / REPORT_TEXT
    text_path.write_text(_summary_text(summary, lang), encoding="utf-8")
    written["text"] = text_path
    png_path = output_dir / REPORT_PNG
    try:
        from trainmon_tui.views.export import save_dashboard_png

        written["png"] = Path(save_dashboard_png(state, png_path, _lang(lang), overwrite=True))
    except Exception as exc:
        warnings.warn(f"trainmon: no {REPORT_PNG}: {exc!r}", RuntimeWarning, stacklevel=2)
    return written


def _lang(lang: str) -> Lang:
    return "zh" if lang == "zh" else "en"


def _summary_text(summary: Summary, lang: str) -> str:
    try:
        from trainmon_tui.views.report import summary_text

        return summary_text(summary, _lang(lang))
    except ImportError:  # report.py needs rich; the JSON says it all the same
        data = summary.to_json()
        return "".join(f"{key}: {value}\n" for key, value in data.items())
