"""Rows 15 to 18: the workspace of 100 runs under one PARENT, against reparsing every run each time.

The PARENT holds :data:`RUNS` runs of ``steps`` logged steps each: the first checkpoint of
:func:`~benchmarks.data.checkpoint_pair` hard-linked into every run (the disk holds it once; the reader
opens 100 paths). Measured in the same run, alternating with the naive way, which reads every run's newest
``trainer_state.json`` with the stdlib ``json`` and recomputes its row each time anything changes:

- 11: the first table: every run found, read and made a row (``open_workspace``), what the first paint
  waits for;
- 12: one run saves a checkpoint (the pair's second file linked into it): ``Workspace.refresh()`` asks
  every run, and only that one is read again (from its new entries only);
- 13: an idle rescan: the folder list again and every run asked, nothing changed (what polling costs);
- 14: the peak resident memory of a process holding the workspace as the app does (every row; the series
  of the 4 selected runs only) against one holding every run's ``json.load``-ed state.

Run alone: ``python -m benchmarks.workspace rss PARENT`` prints one process's peak RSS in MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import data
from benchmarks.tmux import peak_rss_mb
from benchmarks.util import Row, interleaved, median
from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.workspace.model import Workspace, open_workspace

RUNS = 100
SELECTED = 4  # the runs the app selects at start: the only ones that keep their series
Log = Callable[[str], None]


def make_parent(work: Path, steps: int, runs: int = RUNS) -> Path:
    """``work/ws-<steps>/run-<i>/checkpoint-<steps>/trainer_state.json``, hard links to one cached file."""
    first, _ = data.checkpoint_pair(steps)
    parent = work / f"ws-{steps}"
    for i in range(runs):
        target = parent / f"run-{i}" / f"checkpoint-{steps}" / STATE_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            os.link(first, target)
    return parent


def naive_rows(parent: Path) -> list[dict[str, object]]:
    """Every run's newest state read whole with ``json`` and its row recomputed from the lists."""
    rows = []
    for run in sorted(parent.iterdir()):
        newest = max(run.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
        with open(newest / STATE_FILE, encoding="utf-8") as f:
            state = json.load(f)
        losses = [e["loss"] for e in state["log_history"] if "loss" in e and e["loss"] == e["loss"]]
        evals = [e["eval_loss"] for e in state["log_history"] if "eval_loss" in e]
        rows.append(
            {"run": run.name, "step": state["global_step"], "loss": losses[-1] if losses else None,
             "best": min(losses, default=None), "eval": min(evals, default=None)}
        )  # fmt: skip
    return rows


def _save_into(parent: Path, run: int, steps: int) -> None:
    """Run ``run`` saves the next checkpoint (the pair's second file), as the Trainer would."""
    _, later = data.checkpoint_pair(steps)
    target = parent / f"run-{run}" / later.parent.name / STATE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(later, target)


def _peak_rss(mode: str, parent: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.workspace", mode, str(parent)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def rows_workspace(steps: int, repeats: int, log: Log, work: Path) -> list[Row]:
    parent = make_parent(work, steps)
    what = f"{RUNS} runs x {steps:,} logged steps"
    naive = f"json.load every run's newest state, its row from the lists ({RUNS} files)"

    first, naive_first = interleaved(lambda: open_workspace(parent), lambda: naive_rows(parent), repeats)

    workspace = open_workspace(parent)
    reads = {path: entry.reads for path, entry in workspace.entries.items()}
    change: list[float] = []
    naive_change: list[float] = []
    read_again: set[Path] = set()
    for i in range(repeats):
        _save_into(parent, i, steps)
        a, b = interleaved(lambda: workspace.refresh(), lambda: naive_rows(parent), 1)
        change += a
        naive_change += b
        read_again |= {p for p, e in workspace.entries.items() if e.reads != reads[p]}
    only_changed = read_again == {parent / f"run-{i}" for i in range(repeats)}

    idle_reads = {path: entry.reads for path, entry in workspace.entries.items()}

    def rescan() -> None:
        workspace.rescan()
        workspace.refresh()

    idle, naive_idle = interleaved(rescan, lambda: naive_rows(parent), repeats)
    quiet = all(entry.reads == idle_reads[path] for path, entry in workspace.entries.items())

    ours_mb, naive_mb = _peak_rss("rss", parent), _peak_rss("rss-naive", parent)
    log(
        f"workspace: first {median(first) * 1000:.0f} ms, one run changed {median(change) * 1000:.1f} ms, "
        f"idle rescan {median(idle) * 1000:.1f} ms, {ours_mb:.0f} MB"
    )
    return [
        Row("15", f"workspace: the first table (find, read, rows), {what}", "<= 3 s (first paint)",
            median(first) * 1000, median(naive_first) * 1000, naive, "ms", median(first) < 3.0),
        Row("16", f"workspace: one run saves a checkpoint, every run asked, {what}",
            "only the changed run read", median(change) * 1000, median(naive_change) * 1000,
            "reparse every run's newest state", "ms", only_changed,
            note=f"runs read again: {len(read_again)} of {RUNS}, each once per checkpoint it saved"),
        Row("17", f"workspace: idle rescan (scandir + stat per run, nothing changed), {what}",
            "no run read", median(idle) * 1000, median(naive_idle) * 1000,
            "reparse every run's newest state", "ms", quiet),
        Row("18", f"workspace: peak resident memory, every run read, {SELECTED} selected, {what}",
            "<= 500 MB", ours_mb, naive_mb, "every run's json.load-ed state kept", "MB", ours_mb <= 500),
    ]  # fmt: skip


def _rss(mode: str, parent: Path) -> float:
    if mode == "rss":
        workspace = Workspace(parent)
        workspace.rescan()
        workspace.keep = set(list(workspace.entries)[:SELECTED])  # as the app: the selected runs' series
        workspace.refresh()
        kept: object = workspace
    else:
        kept = [json.loads((run / f).read_text()) for run in parent.iterdir() for f in _newest(run)]
    del kept
    # VmHWM, not ru_maxrss: Linux keeps the parent's maxrss across fork and exec (the benchmark's own).
    return peak_rss_mb(os.getpid())


def _newest(run: Path) -> list[str]:
    newest = max(run.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    return [f"{newest.name}/{STATE_FILE}"]


if __name__ == "__main__":
    print(f"{_rss(sys.argv[1], Path(sys.argv[2])):.1f}")
