"""The installed ``trainmon-tui`` on run folders holding what they should not: FIFOs, devices, folders in
place of files, numbers beyond range, folders it may not list. One line and an exit code, never a traceback,
a hang or a read without end.

Every subprocess here has a timeout and a memory limit, so a regression (a blocking ``open()`` on a FIFO, a
read of ``/dev/zero`` that never ends) fails the test instead of hanging the suite or filling the memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trainmon_tui import cli
from trainmon_tui.files import discovery
from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.live.schema import LIVE_LOG_FILE

TIMEOUT = 20
MEMORY_LIMIT = 4 << 30  # address space, bytes: a read of /dev/zero hits it in a few seconds


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(helpers: SimpleNamespace, cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [*helpers.cli_command(), *map(str, args)],
            cwd=cwd,
            env=helpers.cli_env(OPENBLAS_NUM_THREADS="1"),  # BLAS threads reserve address space
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"trainmon-tui {' '.join(map(str, args))} did not end within {TIMEOUT} s")


def entries(n: int) -> list[dict[str, Any]]:
    return [{"loss": 1.0 / step, "step": step} for step in range(1, n + 1)]


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    """A run with a readable checkpoint-5 and a folder checkpoint-10 for the test to spoil."""
    out = tmp_path / "out"
    helpers.write_state(out / "checkpoint-5", helpers.trainer_state(entries(5), global_step=5))
    (out / "checkpoint-10").mkdir()
    return out


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-zero"])
def test_a_state_that_is_not_a_regular_file_is_skipped_with_a_reason(outputs, helpers, kind):
    state = outputs / "checkpoint-10" / STATE_FILE
    if kind == "fifo":
        os.mkfifo(state)
    elif kind == "folder":
        state.mkdir()
    else:
        state.symlink_to("/dev/zero")
    result = run_bounded(helpers, outputs.parent, outputs, "-u", "--format", "json")
    assert summary(result)["checkpoint"] == "checkpoint-5"
    line = helpers.one_line(result.stderr)
    assert line.startswith(f"skipped: {state}: is a ") and line.endswith(", not a regular file")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_checkpoint_flag_on_a_state_that_is_not_a_regular_file(outputs, helpers, kind):
    state = outputs / "checkpoint-10" / STATE_FILE
    described = {"fifo": "a FIFO", "dev-zero": "a character device", "folder": "a folder"}[kind]
    if kind == "fifo":
        os.mkfifo(state)
    elif kind == "folder":
        state.mkdir()
    else:
        state.symlink_to("/dev/zero")
    for target in ("checkpoint-10", state):
        result = run_bounded(helpers, outputs.parent, outputs, "-c", target, "-u")
        assert result.returncode == 1
        line = helpers.one_line(result.stderr)
        assert line.endswith(f"{state}: is {described}, not a regular file"), line


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_live_log_that_is_not_a_regular_file_does_not_block(outputs, helpers, kind):
    live = outputs / LIVE_LOG_FILE
    if kind == "fifo":
        os.mkfifo(live)
    else:
        live.symlink_to("/dev/zero")
    result = run_bounded(helpers, outputs.parent, outputs, "-u", "--format", "json")
    assert summary(result)["checkpoint"] == "checkpoint-5"


def test_an_event_file_that_is_a_fifo_does_not_block(outputs, helpers):
    pytest.importorskip("tensorboard")
    (outputs / "runs" / "x").mkdir(parents=True)
    os.mkfifo(outputs / "runs" / "x" / "events.out.tfevents.1700000000.host.1.0")
    result = run_bounded(helpers, outputs.parent, outputs, "-u", "--format", "json")
    assert summary(result)["checkpoint"] == "checkpoint-5"


HUGE = "18446744073709551616"  # 2^64
DIGITS = "9" * 5000  # beyond Python's 4300-digit conversion limit


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('"global_step": 10', f'"global_step": {HUGE}', id="global-step-2^64"),
        pytest.param('"step": 9', f'"step": {HUGE}', id="entry-step-2^64"),
        pytest.param('"step": 9', f'"step": {DIGITS}', id="entry-step-5000-digits"),
        pytest.param('"global_step": 10', f'"global_step": {DIGITS}', id="global-step-5000-digits"),
        pytest.param('"max_steps": 10', '"max_steps": 1e300', id="max-steps-1e300"),
    ],
)
def test_a_newest_state_with_a_step_beyond_range_falls_back(outputs, helpers, old, new):
    text = json.dumps(helpers.trainer_state(entries(10), global_step=10), indent=2, sort_keys=True)
    spoiled = text.replace(old, new)
    assert spoiled != text
    helpers.write_state(outputs / "checkpoint-10", spoiled)
    result = run_bounded(helpers, outputs.parent, outputs, "-u", "--format", "json")
    assert summary(result)["checkpoint"] == "checkpoint-5"
    line = helpers.one_line(result.stderr)
    assert line.startswith(f"skipped: {outputs / 'checkpoint-10' / STATE_FILE}: ") and "out of range" in line


def test_a_metric_beyond_range_is_a_nonfinite_point(outputs, helpers):
    text = json.dumps(helpers.trainer_state(entries(10), global_step=10), indent=2, sort_keys=True)
    helpers.write_state(outputs / "checkpoint-10", text.replace('"loss": 0.1,', f'"loss": {DIGITS},'))
    data = summary(run_bounded(helpers, outputs.parent, outputs, "-u", "--format", "json"))
    assert data["checkpoint"] == "checkpoint-10"
    assert data["loss"]["nonfinite"] == 1 and data["loss"]["current"] is None


def test_outputs_that_is_a_fifo_is_one_line_exit_2(tmp_path, helpers):
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    result = run_bounded(helpers, tmp_path, fifo, "-u")
    assert result.returncode == 2
    assert (
        helpers.one_line(result.stderr)
        == f"trainmon-tui: error: {fifo}: is a FIFO, not a folder or a regular file"
    )


def test_outputs_that_is_a_file_but_not_a_state_is_one_line_exit_1(tmp_path, helpers):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    result = run_bounded(helpers, tmp_path, notes, "-u")
    assert result.returncode == 1
    assert helpers.one_line(result.stderr).startswith(f"trainmon-tui: error: {notes}: not valid JSON")


def test_unreadable_outputs_folder_in_process(outputs, monkeypatch, capsys):
    """We run as root, so the listing is made to fail as it does for a user without permission."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == outputs:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert cli.main([str(outputs), "-u"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"trainmon-tui: error: {outputs}: cannot read: permission denied\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder")
def test_chmod_000_outputs_folder(outputs, helpers):
    outputs.chmod(0)
    try:
        result = run_bounded(helpers, outputs.parent, outputs, "-u")
    finally:
        outputs.chmod(0o755)
    assert result.returncode == 1
    assert (
        helpers.one_line(result.stderr) == f"trainmon-tui: error: {outputs}: cannot read: permission denied"
    )
