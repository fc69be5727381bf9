"""``--serve``, ``--token``, ``--max-sessions`` on the command line: each mistake one clear line (exit 2), a
missing extra or a taken port one line (exit 1), and the URL printed on stdout when it serves."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

PREFIX = "trainmon-tui: error: "


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--serve", "0.0.0.0:8000", "--token", ""],
            "0.0.0.0:8000 is reachable from other machines: it needs a token",
        ),
        (
            ["--serve", "[::]:8000", "--token="],
            "[::]:8000 is reachable from other machines: it needs a token",
        ),
        (["--serve", "--token", "short"], "the token must be at least 16 characters"),
        (["--serve", "::1"], "write an IPv6 address in brackets"),
        (["--serve", "127.0.0.1:99999"], "the port is a number from 1 to 65535"),
        (["--token", "a" * 20], "--token only applies to --serve"),
        (["--max-sessions", "2"], "--max-sessions only applies to --serve"),
        (["--serve", "--max-sessions", "0"], "give a number of sessions from 1 to 64"),
        (["--serve", "-u"], "--serve serves the dashboard: not with a one-shot mode"),
        (["--serve", "--export-dir", "shots"], "--export-dir does not apply to --serve"),
    ],
)
def test_serve_mistakes_are_one_line(outputs, run_cli, helpers, args, says):
    result = run_cli(outputs, *args)
    assert result.returncode == 2 and result.stdout == ""
    last = result.stderr.splitlines()[-1]
    assert last.startswith(PREFIX) and says in last, result.stderr
    assert "Traceback" not in result.stderr


def test_the_folder_after_serve_gets_a_hint(outputs, run_cli):
    result = run_cli("--serve", outputs)
    assert result.returncode == 2
    assert f"{outputs} is a folder, not [HOST:]PORT: give it before --serve" in result.stderr


def test_without_textual_serve_it_says_how_to_install_it(outputs, tmp_path):
    code = (
        "import sys; sys.modules['textual_serve'] = None; from trainmon_tui.cli import main; "
        f"raise SystemExit(main([{str(outputs)!r}, '--serve', '127.0.0.1:1']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "trainmon-tui: error: --serve needs textual-serve: pip install 'trainmon-tui[serve]'\n"
    )


def test_a_taken_port_is_one_line(outputs, run_cli, helpers):
    pytest.importorskip("textual_serve", reason="the serve extra is not installed")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(outputs, "--serve", f"127.0.0.1:{port}")
    assert result.returncode == 1 and result.stdout == ""
    assert helpers.one_line(result.stderr).startswith(f"{PREFIX}cannot listen on 127.0.0.1:{port}: ")
