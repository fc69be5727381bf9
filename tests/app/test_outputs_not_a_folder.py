"""OUTPUTS that is no folder: a file that is not a state, a FIFO, JSON nested too deeply. The dashboard
says what it is, in the command line's words, and names the file as given (never ``.``)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from builders.apps import until_shown

SIZE = (120, 32)


def _texts(app) -> tuple[str, str, str]:
    from trainmon_tui.ui.widgets.summary import SummaryPane

    info = str(app.query_one("#info").render())
    problems = str(app.query_one("#problems").render()) if app.query_one("#problems").display else ""
    return info, problems, str(app.query_one(SummaryPane).render())


async def test_a_text_file_is_named_and_not_called_a_folder(tmp_path: Path, make_app) -> None:
    outputs = tmp_path / "outfile"
    outputs.write_text("hello")
    app, notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: bool(s.lasting_warnings))
        info, problems, _summary = _texts(app)
        assert problems.startswith(f"⚠ {outputs}: not valid JSON: starts with 'hello'")
        assert "folder not created" not in info and "a file, not a trainer state" in info
        assert any(n.endswith(f"{outputs}: not valid JSON: starts with 'hello'") for n in notes)


async def test_json_nested_too_deeply_is_named(tmp_path: Path, make_app) -> None:
    outputs = tmp_path / "deep.json"
    outputs.write_text("[" * 100_000 + "]" * 100_000)
    app, _notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: bool(s.lasting_warnings))
        info, problems, _summary = _texts(app)
        assert problems == f"⚠ {outputs}: not valid JSON: nested too deeply"
        assert "folder not created" not in info


async def test_a_fifo_is_said_to_be_one_without_a_live_log_warning(tmp_path: Path, make_app) -> None:
    outputs = tmp_path / "fifo2"
    os.mkfifo(outputs)
    app, notes = make_app(outputs, None, watch=False)
    try:
        async with app.run_test(size=SIZE):
            snapshot = await until_shown(app, lambda s: s.outputs_error is not None)
            assert snapshot.warnings == () and (snapshot.live is None or snapshot.live.error is None)
            info, problems, summary = _texts(app)
            assert f"{outputs}: is a FIFO, not a folder or a regular file" in summary.replace("\n", "")
            assert problems == "" and "skipped" not in info and "folder not created" not in info
            assert "(is a FIFO, not a folder or a regular file)" in info
            assert not any("trainmon_log" in n for n in notes)
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(outputs, os.O_WRONLY | os.O_NONBLOCK))
