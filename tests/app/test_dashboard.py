"""The dashboard driven by Textual's Pilot, fed by the simulator writing into tmp_path.

Every test runs twice: with inotify and with watchdog's PollingObserver (``--poll``).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from builders import livelog as records
from builders.apps import Applied, until_shown
from textual import events

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.ui.widgets.checkpoints import CheckpointList
from trainmon_tui.ui.widgets.summary import SummaryPane

SIZE = (100, 32)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown(app: TrainmonApp) -> str | None:
    return app.snapshot.state.name if app.snapshot and app.snapshot.state else None


def summary_text(app: TrainmonApp) -> str:
    return app.query_one(SummaryPane).content.plain  # type: ignore[union-attr]


def run_in(outputs: Path, **config: object) -> SimulatedRun:
    defaults: dict[str, object] = {
        "max_steps": 100,
        "save_steps": 10,
        "eval_steps": 20,
        "save_total_limit": 3,
    }
    defaults.update(config)
    return SimulatedRun(outputs, RunConfig(**defaults))  # type: ignore[arg-type]


async def test_first_checkpoint_appears_after_start_on_empty_folder(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        first = await until_shown(app)  # the first reload, of the empty folder
        assert first.state is None
        assert "Waiting for the first checkpoint" in summary_text(app)
        run = run_in(outputs)
        run.save_at(10)
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        assert "10 / 100" in summary_text(app)
        assert any("checkpoint-10" in n for n in notes)


async def test_folder_created_after_start_is_picked_up(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "not-yet"
    app, _ = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        first = await until_shown(app)  # the first reload: no folder yet
        assert not first.folder_exists
        assert not app.watcher.running
        run = run_in(outputs)
        run.save_at(10)
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        await wait_for(pilot, lambda: app.watcher.running)


async def test_the_watcher_starts_with_the_first_reload_that_sees_the_folder(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    """Not only at the next rescan: a folder made between a rescan's failed watch and its reload was
    shown unwatched until then (5 s), and the test above failed now and then under load."""
    outputs = tmp_path / "not-yet"
    app, _ = make_app(outputs, poll_interval, rescan_seconds=3600.0)  # no rescan during the test
    async with app.run_test(size=SIZE) as pilot:
        first = await until_shown(app)
        assert not first.folder_exists and not app.watcher.running
        run_in(outputs).save_at(10)
        app.reloads.now(force=True)  # as the rescan's reload does, after its watch failed
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        await wait_for(pilot, lambda: app.watcher.running)
        run_in(outputs).save_at(20)  # and it reloads on the watcher's events, with no rescan
        await wait_for(pilot, lambda: shown(app) == "checkpoint-20")


async def test_new_checkpoint_updates_summary_and_charts(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    app, _ = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        loss_chart = app.query_one("#chart-loss", ChartPane)
        points_before = len(loss_chart.data.loss)
        assert points_before == 10
        run.save_at(30)
        await wait_for(pilot, lambda: shown(app) == "checkpoint-30")
        assert "30 / 100" in summary_text(app)
        assert len(loss_chart.data.loss) == 30
        assert len(app.query_one("#chart-lr", ChartPane).data.lr) == 30
        assert app.query_one(CheckpointList).paths.keys() == {"checkpoint-10", "checkpoint-30"}


async def test_half_written_state_is_skipped_then_picked_up(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        run.advance(20)
        folder = outputs / "checkpoint-20"
        folder.mkdir()
        whole = json.dumps(run.state_dict(), indent=2, sort_keys=True)
        applied = Applied(app)
        (folder / STATE_FILE).write_text(whole[: len(whole) // 2])  # the Trainer mid-write
        await applied.wait(lambda s: s.incomplete)  # the half-written state was read...
        assert shown(app) == "checkpoint-10"  # ...and the previous state stays on screen
        (folder / STATE_FILE).write_text(whole)
        await wait_for(pilot, lambda: shown(app) == "checkpoint-20")
        assert not any("Traceback" in n for n in notes)


async def test_rotation_deleting_the_shown_checkpoint(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs, save_total_limit=None)
    for step in (10, 20, 30):
        run.save_at(step)
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-30")
        # Pin the oldest checkpoint from the list (follow, 30, 20, 10): the last option.
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        assert app.pinned is not None
        shutil.rmtree(outputs / "checkpoint-10")  # what save_total_limit rotation does
        await wait_for(pilot, lambda: shown(app) == "checkpoint-30")
        assert app.pinned is None
        assert any("checkpoint-10 was deleted" in n for n in notes)


async def test_nan_loss_raises_a_notification(tmp_path: Path, poll_interval, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs, nan_steps=frozenset({20}))
    run.save_at(10)
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        assert not any("NaN" in n for n in notes)
        run.save_at(20)
        await wait_for(pilot, lambda: shown(app) == "checkpoint-20")
        # an alert now (issue 13): said once, where the episode began
        await wait_for(pilot, lambda: any("Loss is NaN at step 20" in n for n in notes))


async def test_training_finished_notification(tmp_path: Path, poll_interval, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs, max_steps=20)
    run.save_at(10)
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        assert not any("finished" in n for n in notes)
        run.save_at(20)
        run.finish()  # trainer.save_state(): the root state wins the tie at step 20
        await wait_for(pilot, lambda: shown(app) == STATE_FILE)
        assert any("Training finished" in n for n in notes)


async def test_s_writes_a_png_named_by_the_pattern(tmp_path: Path, poll_interval, make_app, wait_for) -> None:
    outputs = tmp_path / "myrun"
    run = run_in(outputs)
    run.save_at(30)
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-30")
        await pilot.press("s")
        export_dir = tmp_path / "png"
        await wait_for(pilot, lambda: any(export_dir.glob("*.png")), timeout=30)
        await app.workers.wait_for_complete()
        (png,) = export_dir.glob("*.png")
        assert png.name.startswith("trainmon_myrun_step30_")
        assert png.read_bytes().startswith(PNG_SIGNATURE)
        await wait_for(pilot, lambda: f"PNG saved: {png.absolute()}" in notes)  # --export-dir is absolute
        await pilot.press("s")  # a second press never overwrites the first
        await wait_for(pilot, lambda: len(list(export_dir.glob("*.png"))) == 2, timeout=30)


async def test_twenty_fast_presses_give_twenty_pngs_and_one_toast(tmp_path: Path, make_app, wait_for) -> None:
    """20 presses of ``s`` within a second: 20 files (the same name wanted by all), each in the event log
    with its whole path, and one toast for the burst (twenty stacked over a small pane's charts)."""
    outputs = tmp_path / "myrun"
    run = run_in(outputs)
    run.save_at(30)
    app, notes = make_app(outputs, None)
    export_dir = tmp_path / "png"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-30")
        for _ in range(20):  # as a key repeat does: all queued before the first export is written
            app.post_message(events.Key("s", "s"))

        def toasts() -> list[str]:  # a saved PNG's notification names its path; a failure says so
            return [n for n in notes if n.startswith(("PNG saved: ", "PNG not saved", "20 PNGs saved"))]

        await wait_for(pilot, lambda: len(toasts()) >= 1, timeout=90)
        pngs = sorted(export_dir.iterdir())
        (toast,) = toasts()
        assert toast.startswith("20 PNGs saved, the last: ")
        assert Path(toast.removeprefix("20 PNGs saved, the last: ")) in pngs
        assert len(pngs) == 20 and all(p.read_bytes().startswith(PNG_SIGNATURE) for p in pngs)
        logged = sorted(
            e.text.removeprefix("PNG saved: ") for e in app.events if e.text.startswith("PNG saved")
        )
        assert logged == sorted(str(p.absolute()) for p in pngs)
        assert not app.exports.running and app.exports.waiting == 0


async def test_png_failure_is_a_notification_not_a_crash(tmp_path: Path, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    blocker = tmp_path / "png"
    blocker.write_text("a file where the export folder should be")
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        await pilot.press("s")
        await wait_for(pilot, lambda: any(n.startswith("PNG not saved") for n in notes), timeout=30)
        assert app.is_running


async def test_follow_toggle_and_reload(tmp_path: Path, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    app, _ = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        await pilot.press("f")  # pin what is shown
        await wait_for(pilot, lambda: app.pinned is not None)
        applied = Applied(app)
        run.save_at(20)
        await pilot.press("r")
        await applied.wait(lambda s: any(c.name == "checkpoint-20" for c in s.candidates))
        assert shown(app) == "checkpoint-10"  # pinned: the new checkpoint is listed but not shown
        assert "checkpoint-20" in app.query_one(CheckpointList).paths
        await pilot.press("f")
        await wait_for(pilot, lambda: shown(app) == "checkpoint-20")


async def test_help_screen_and_q_exits(tmp_path: Path, make_app, wait_for) -> None:
    from trainmon_tui.ui.help import HelpScreen

    app, _ = make_app(tmp_path / "outputs", None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.press("q")
    assert app.return_code == 0
    assert not app.watcher.running


def live_record(kind: str, when: float, **fields: object) -> str:
    return records.line(records.record(kind, time=when, **fields))


async def test_live_log_moves_the_dashboard_between_checkpoints(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    """With trainmon_log.jsonl (TrainmonCallback), steps after the last checkpoint show before the next."""

    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    start = time.time()
    log = outputs / "trainmon_log.jsonl"
    lines = [
        live_record("start", start, v=1, step=0, epoch=0, max_steps=100, num_train_epochs=2, save_steps=10)
    ]
    lines += [
        live_record("log", start + 0.1 * step, step=step, epoch=entry["epoch"], values=entry)
        for step, entry in ((e["step"], e) for e in run.log_history if "loss" in e)
    ]
    log.write_text("".join(lines))
    app, notes = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state is not None)
        assert app.snapshot.state.global_step == 10
        with log.open("a") as f:  # steps 11..15: logged, not yet saved
            for step in range(11, 16):
                entry = run.train_entry(step)
                f.write(live_record("log", time.time(), step=step, epoch=entry["epoch"], values=entry))
        await wait_for(pilot, lambda: app.snapshot.state.global_step == 15)
        assert not (outputs / "checkpoint-20").exists()
        assert app.snapshot.checkpoint == "checkpoint-10"
        assert len(app.query_one("#chart-loss", ChartPane).data.loss) == 15
        assert "15 / 100" in summary_text(app)
        assert "Steps/s" in summary_text(app)
        assert not any("checkpoint-10 (step" in n for n in notes)  # live steps are not checkpoints


async def test_a_steady_stream_of_events_does_not_starve_reloads(tmp_path: Path, make_app) -> None:
    """A live log appended every 20 ms: the screen follows while the stream lasts (no resetting debounce,
    which would show nothing new before the last line)."""
    outputs = tmp_path / "outputs"
    run = run_in(outputs, max_steps=1000)
    run.save_at(10)
    log = outputs / "trainmon_log.jsonl"
    log.write_text(live_record("start", time.time(), v=1, step=0, epoch=0, max_steps=1000))

    def stream() -> None:  # the training process, at its own pace
        for step in range(11, 111):
            entry = run.train_entry(step)
            with log.open("a") as f:
                f.write(live_record("log", time.time(), step=step, epoch=entry["epoch"], values=entry))
            time.sleep(0.02)

    app, _ = make_app(outputs, None, rescan_seconds=600)  # only the watcher's events bring the steps in
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: s.state is not None and s.state.name == "checkpoint-10")
        writer = threading.Thread(target=stream)
        applied = Applied(app)
        writer.start()
        mid_stream = await applied.wait(lambda s: s.state is not None and 10 < s.state.global_step < 110)
        writer.join()
        assert mid_stream.checkpoint == "checkpoint-10"


async def test_an_unreadable_state_is_reported_once(tmp_path: Path, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    broken = outputs / "checkpoint-20"
    broken.mkdir()
    (broken / STATE_FILE).write_text('{"global_step": 20, "balance": 100}')  # JSON, but not a Trainer's
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")  # the newest readable one
        await wait_for(pilot, lambda: any("no log_history" in n for n in notes))
        applied = Applied(app)
        await pilot.press("r")
        await applied.wait()  # the forced reload, read and applied
        assert sum("no log_history" in n for n in notes) == 1
        assert any(n.startswith("skipped: ") and "checkpoint-20" in n for n in notes)
