"""``cli.main()`` in-process: dispatch to the dashboard, and the failures a subprocess cannot stage."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from trainmon_tui import cli
from trainmon_tui.cli import dashboard as dashboard_module
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.views import export


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdin and stdout are a terminal (under pytest they are not): the dashboard may open."""
    monkeypatch.setattr(dashboard_module, "is_terminal", lambda stream: stream in (sys.stdin, sys.stdout))


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch, terminal: None) -> SimpleNamespace:
    """A stand-in for ``trainmon_tui.ui.app``: records what the CLI hands over."""
    seen = SimpleNamespace(options=None, outputs_existed=None, code=0)
    fake = ModuleType("trainmon_tui.ui.app")

    def run_dashboard(options: DashboardOptions) -> int:
        seen.options = options
        seen.outputs_existed = options.outputs.is_dir()
        return seen.code

    fake.run_dashboard = run_dashboard  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "trainmon_tui.ui.app", fake)
    return seen


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    folder = tmp_path / "outputs"
    entries = [
        {"loss": 2.0, "learning_rate": 1e-5, "step": 1},
        {"loss": 1.0, "learning_rate": 1e-5, "step": 2},
    ]
    helpers.write_state(folder / "checkpoint-2", helpers.trainer_state(entries, global_step=2))
    return folder


def test_no_mode_flag_opens_the_dashboard(dashboard, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert cli.main([]) == 0
    assert dashboard.options == DashboardOptions(
        outputs=Path("outputs"),
        checkpoint=None,
        lang="en",
        poll_interval=None,
        export_dir=Path("."),
        demo=False,
    )


def test_dashboard_options(dashboard, outputs, tmp_path):
    code = cli.main([str(outputs), "-c", "2", "--poll", "--export-dir", str(tmp_path), "--lang", "zh"])
    assert code == 0
    options = dashboard.options
    assert options.outputs == outputs
    assert options.checkpoint == outputs / "checkpoint-2" / "trainer_state.json"
    assert (options.lang, options.poll_interval, options.export_dir) == ("zh", 2.0, tmp_path)
    cli.main(["-o", str(outputs), "--poll", "0.5"])
    assert dashboard.options.poll_interval == 0.5 and dashboard.options.outputs == outputs


def test_dashboard_exit_code_is_passed_on(dashboard):
    dashboard.code = 3
    assert cli.main(["somewhere"]) == 3


def test_demo_uses_a_temporary_folder_removed_afterwards(dashboard):
    assert cli.main(["--demo"]) == 0
    options = dashboard.options
    assert options.demo is True and dashboard.outputs_existed is True
    assert options.outputs.name.startswith("trainmon-demo-")
    assert not options.outputs.exists()


def test_demo_into_a_folder(dashboard, tmp_path):
    assert cli.main(["--demo", str(tmp_path / "sim")]) == 0
    assert dashboard.options.demo is True and dashboard.options.outputs == tmp_path / "sim"


def test_dashboard_missing_is_one_line(monkeypatch, capsys, terminal):
    monkeypatch.setitem(sys.modules, "trainmon_tui.ui.app", None)  # makes the import fail
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "dashboard is not available" in err


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("stdin", "stdout"),
    [(_Stream(False), _Stream(True)), (_Stream(True), _Stream(False)), (None, _Stream(True))],
    ids=["stdin-not-a-tty", "stdout-not-a-tty", "stdin-closed"],
)
@pytest.mark.parametrize("argv", [[], ["--demo"]], ids=["outputs", "demo"])
def test_dashboard_needs_a_terminal(monkeypatch, capsys, stdin, stdout, argv):
    """Checked before Textual is imported: a missing ui.app is never reached."""
    monkeypatch.setitem(sys.modules, "trainmon_tui.ui.app", None)  # importing it would fail with exit 1
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(cli.sys, "stdout", stdout)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("trainmon-tui: error: the dashboard needs a terminal")


def test_keyboard_interrupt_exits_130_quietly(outputs, monkeypatch, capsys):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "print_summary", interrupted)
    assert cli.main([str(outputs), "-u"]) == 130
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("into", ["folder", "file"])
def test_permission_error_when_writing_says_not_writable(outputs, monkeypatch, capsys, tmp_path, into):
    """Root passes every access check; a read-only mount or an ACL still refuses the create."""
    shots = tmp_path / "shots"
    shots.mkdir()

    def denied(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(export, "_create", denied)
    target = shots if into == "folder" else shots / "x.png"
    assert cli.main([str(outputs), "-s", str(target)]) == 1
    assert capsys.readouterr().err == f"trainmon-tui: error: not writable: {shots}\n"
    assert list(shots.iterdir()) == []


@pytest.mark.parametrize("into", ["folder", "file", "compare"])
def test_folder_not_writable_is_refused_before_any_work(outputs, monkeypatch, capsys, tmp_path, into):
    shots = tmp_path / "shots"
    shots.mkdir()
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(path) == shots and mode & os.W_OK:  # type: ignore[arg-type]
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(cli, "read_run", lambda *a: pytest.fail("read the run before checking the target"))
    target = shots if into != "file" else shots / "x.png"
    argv = [str(outputs), "-s", str(target)] + (["--compare", str(outputs)] if into == "compare" else [])
    assert cli.main(argv) == 1
    assert capsys.readouterr().err == f"trainmon-tui: error: not writable: {shots}\n"
    assert list(shots.iterdir()) == []


def test_file_appearing_before_the_write_is_not_overwritten(outputs, monkeypatch, capsys, tmp_path):
    """Another process creates the file between the check and the write: refuse, keep theirs."""
    target = tmp_path / "race.png"
    real_save = export.save_dashboard_png

    def racing(state, path, lang="en", **kwargs):
        Path(path).write_bytes(b"theirs")
        return real_save(state, path, lang, **kwargs)

    monkeypatch.setattr(export, "save_dashboard_png", racing)
    assert cli.main([str(outputs), "-s", str(target)]) == 1
    assert target.read_bytes() == b"theirs"
    assert "File exists" in capsys.readouterr().err


def test_main_returns_usage_errors_instead_of_raising(capsys):
    assert cli.main(["--no-such-flag"]) == 2
    assert "usage:" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0


def test_an_ignored_hangup_stays_ignored():
    """``nohup trainmon-tui --demo -u``: SIGHUP was ignored on purpose; only SIGTERM is taken over."""
    import signal

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with dashboard_module.stop_signals_interrupt():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is dashboard_module.interrupt
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_closed_stdout_or_stderr_is_no_traceback_and_no_mixing(closed, tmp_path, helpers):
    """``-u >&-``: no traceback; ``2>&-``: messages are dropped, never written into the data."""
    import subprocess
    import sys

    outputs = tmp_path / "out"
    entries = [{"loss": 1.0, "step": 1}]
    helpers.write_state(outputs / "checkpoint-1", helpers.trainer_state(entries, global_step=1))
    helpers.write_state(outputs / "checkpoint-2", '{"log_history": [')  # a "skipped:" line on stderr
    code = "import sys, trainmon_tui.cli as c; sys.exit(c.main(sys.argv[1:]))"
    args = [sys.executable, "-c", code, str(outputs), "-u", "--format", "json"]
    shell = " ".join(f"'{a}'" for a in args) + (" >&-" if closed == "stdout" else " 2>&-")
    pipe = {"stdout": subprocess.PIPE} if closed == "stderr" else {"stderr": subprocess.PIPE}
    result = subprocess.run(shell, shell=True, text=True, timeout=60, **pipe)  # type: ignore[call-overload]
    if closed == "stdout":
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 0
        json.loads(result.stdout)  # the JSON object alone: no "skipped:" line after it
