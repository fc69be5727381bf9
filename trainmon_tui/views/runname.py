"""What a run is called: its outputs folder, its name, an export's file stem and the PNG's title.

A state file is read from ``checkpoint-N/``, from a run's own ``trainer_state.json`` or from anywhere
(``fixtures/09_multi_eval.json``); the run is the folder around it when there is one, and otherwise the
state file names itself.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from trainmon_tui.files.model import STATE_FILE, TrainerState
from trainmon_tui.views.i18n import Lang, t


def run_folder(state: TrainerState) -> Path | None:
    """The run's outputs folder: the parent of ``checkpoint-N/`` (or ``last-checkpoint/``), the folder of a
    ``trainer_state.json``, or a folder that holds ``checkpoint-*`` folders. None for a state file that sits
    elsewhere (``fixtures/09_multi_eval.json``): its folder is no run."""
    folder = state.source.parent
    if state.checkpoint is not None:
        return folder.parent
    if state.source.name == STATE_FILE or _holds_checkpoints(folder):
        return folder
    return None


def _holds_checkpoints(folder: Path) -> bool:
    try:
        return any(path.is_dir() for path in folder.glob("checkpoint-*"))
    except OSError:
        return False


def run_name(state: TrainerState) -> str:
    """The run's outputs folder name, or the state file's name (without ``.json``) when it is in no run."""
    folder = run_folder(state)
    if folder is None:
        return state.source.stem or "run"
    return folder.resolve().name or "run"


def export_stem(state: TrainerState, when: datetime | None = None) -> str:
    """``trainmon_<run>_step<N>_<YYYYmmdd-HHMMSS>``, safe as a file name."""
    run = re.sub(r"[^\w.-]+", "_", run_name(state)).strip("._") or "run"
    step = state.global_step if state.global_step is not None else 0
    return f"trainmon_{run}_step{step}_{(when or datetime.now()).strftime('%Y%m%d-%H%M%S')}"


def dashboard_title(state: TrainerState, lang: Lang) -> str:
    """``bert  ·  checkpoint-500  ·  Step 500 / 1000``; a state file in no run is named once, by itself."""
    parts = [run_name(state), state.name] if run_folder(state) is not None else [state.name]
    if state.global_step is not None:
        total = f" / {state.max_steps}" if state.max_steps else ""
        parts.append(f"{t('step', lang)} {state.global_step}{total}")
    return "  ·  ".join(parts)
