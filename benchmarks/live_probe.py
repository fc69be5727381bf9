"""Rows 2 and 3 (and a start-up figure): the real :class:`TrainmonApp`, headless, on a simulated run.

``python -m benchmarks.live_probe FOLDER STEPS REPEATS`` writes ``checkpoint-STEPS`` into FOLDER, opens the
dashboard on it with ``App.run_test(size=(160, 48))``, then REPEATS times saves a new checkpoint 500 steps
later exactly as the Trainer does (folder, ``checkpoint-is-incomplete.txt``, model files, the state written
with one plain ``write`` of ``json.dumps(indent=2, sort_keys=True)`` text, marker removed, rotation to two
checkpoints) and times from the moment ``trainer_state.json`` is closed until the app has applied the
snapshot of the new step (``app.snapshot.state.global_step``), and until the screen has been repainted
after it: until the last of the four chart widgets has finished rendering the new data (their
``render`` is wrapped to note the time; the summary and info line are cheaper and repainted in the same
``batch_update``). The JSON texts are built before the clock starts: the Trainer's own
``json.dumps`` is not the dashboard's cost. Prints one JSON object on stdout.

A snapshot counts as applied at the moment the app posts its ``SnapshotApplied`` message (after its
``batch_update``), stamped by Textual (``Message.time``, ``time.monotonic`` on Linux: the clock of every time
here but the worker's duration) and heard through ``run_test``'s ``message_hook``: nothing in the app is
replaced.

The watcher runs with inotify (a local folder). The dashboard waits a moment after a file event so that a
save's burst of events makes one reload (``COALESCE_SECONDS`` in ``trainmon_tui.ui.reload``, formerly
``trainmon_tui.ui.app``, and before that a ``DEBOUNCE_SECONDS``); that wait is part of the figure and reported
apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sys
import time
from pathlib import Path

from benchmarks import data
from trainmon_tui.files.discovery import INCOMPLETE_MARKER
from trainmon_tui.files.model import STATE_FILE


def _event_wait(*modules: object) -> tuple[str, float]:
    """The app's wait between a file event and the reload it starts: (constant name, seconds)."""
    for module in modules:
        for name in ("COALESCE_SECONDS", "DEBOUNCE_SECONDS"):
            value = getattr(module, name, None)
            if isinstance(value, (int, float)):
                return name, float(value)
    return "none", 0.0


def save_checkpoint(outputs: Path, step: int, text: str, keep: int = 2) -> float:
    """``Trainer._save_checkpoint`` with the state text given; returns when the state file was closed."""
    folder = outputs / f"checkpoint-{step}"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / INCOMPLETE_MARKER
    marker.write_text("")
    (folder / "config.json").write_text('{"model_type": "simulated"}\n')
    (folder / "model.safetensors").write_bytes(b"\0" * 256)
    (folder / "optimizer.pt").write_bytes(b"\0" * 64)
    with open(folder / STATE_FILE, "w", encoding="utf-8") as f:
        f.write(text)
    closed = time.monotonic()
    marker.unlink()
    folders = sorted(outputs.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    for old in folders[: max(0, len(folders) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
    return closed


async def probe(outputs: Path, steps: int, repeats: int) -> dict[str, object]:
    from textual.message import Message

    import trainmon_tui.ui.following as following_module
    import trainmon_tui.ui.reload as reload_module
    from trainmon_tui.ui.app import TrainmonApp
    from trainmon_tui.ui.messages import SnapshotApplied
    from trainmon_tui.ui.options import DashboardOptions

    total = steps + data.SAVE_STEPS * repeats
    entries = data.history(total)
    if outputs.exists():
        shutil.rmtree(outputs)
    outputs.mkdir(parents=True)
    first_text = data.trainer_text(outputs, entries[: data.n_entries_for_steps(entries, steps)], total)
    save_checkpoint(outputs, steps, first_text)
    del first_text
    plan = []
    for i in range(1, repeats + 1):
        step = steps + data.SAVE_STEPS * i
        plan.append(
            (step, data.trainer_text(outputs, entries[: data.n_entries_for_steps(entries, step)], total))
        )
    del entries

    # Time the reload worker itself, as the app runs it.
    worker_seconds: list[float] = []
    real_take_snapshot = following_module.take_snapshot

    def timed_take_snapshot(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        result = real_take_snapshot(*args, **kwargs)  # type: ignore[arg-type]
        if result is not None:
            worker_seconds.append(time.perf_counter() - start)
        return result

    following_module.take_snapshot = timed_take_snapshot  # type: ignore[assignment]

    from trainmon_tui.ui.widgets.chart import ChartPane

    rendered: list[float] = []  # when each chart render ended
    real_render = ChartPane.render

    def timed_render(self: ChartPane) -> object:
        result = real_render(self)
        rendered.append(time.monotonic())
        return result

    ChartPane.render = timed_render  # type: ignore[method-assign]

    # When each snapshot was applied, stamped inside the app: polling for the step could notice it only after
    # the charts had already been rendered, and then miss that render.
    applied_times: dict[int | None, float] = {}
    arrived = asyncio.Event()

    def heard(message: Message) -> None:
        if isinstance(message, SnapshotApplied):
            state = message.snapshot.state
            applied_times.setdefault(state.global_step if state is not None else None, message.time)
            arrived.set()

    app = TrainmonApp(DashboardOptions(outputs=outputs))

    async def wait_step(step: int, timeout: float = 120.0) -> None:
        """Until the snapshot of ``step`` has been applied."""
        deadline = time.perf_counter() + timeout
        while step not in applied_times:
            left = deadline - time.perf_counter()
            if left <= 0:
                shown = sorted(applied_times, key=str)
                raise TimeoutError(f"the dashboard never showed step {step} (applied: {shown})")
            arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(arrived.wait(), left)

    applied: list[float] = []
    painted: list[float] = []
    started = time.monotonic()
    async with app.run_test(size=(160, 48), message_hook=heard) as pilot:
        await wait_step(steps)
        applied_at = applied_times[steps]
        first_applied = applied_at - started
        await pilot.pause()
        first_painted = max(t for t in rendered if t >= applied_at) - started
        watch_mode = app.watcher.mode.label
        await asyncio.sleep(1.0)
        for step, text in plan:
            closed = await asyncio.to_thread(save_checkpoint, outputs, step, text)
            await wait_step(step)
            applied_at = applied_times[step]
            applied.append(applied_at - closed)
            await pilot.pause()
            after = [t for t in rendered if t >= applied_at]
            if len(after) < 4:
                raise RuntimeError(f"only {len(after)} of the four charts were rendered after the update")
            painted.append(max(after[:4]) - closed)
            await asyncio.sleep(1.0)  # let the rotation's events and the app's event wait settle
    return {
        "steps": steps,
        "watch": watch_mode,
        "event_wait": _event_wait(reload_module),
        "first_applied": first_applied,
        "first_painted": first_painted,
        "applied": applied,
        "painted": painted,
        "worker": worker_seconds[1:],  # the first one is the start-up load
        "worker_first": worker_seconds[0] if worker_seconds else None,
    }


def main(argv: list[str]) -> int:
    outputs, steps, repeats = Path(argv[0]), int(argv[1]), int(argv[2])
    try:
        result = asyncio.run(probe(outputs, steps, repeats))
    finally:
        shutil.rmtree(outputs, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
