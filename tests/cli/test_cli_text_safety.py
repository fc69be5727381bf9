"""The installed ``trainmon-tui`` on a run whose every string place holds terminal control sequences and Rich
markup: stdout and stderr show them as text (``\\x1b``), never send them, and never crash on them."""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui.views.safetext import printable

# A title change (OSC), clear screen, blink, markup that crashes Rich ([/x]) or styles ([bold]), a C1 CSI.
EVIL = "\x1b]0;T\x07\x1b[2J\x1b[5m[/x][bold]\x9b"
NAME = EVIL.replace("/", "")  # the same in a file or folder name
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes Rich emits itself


def controls(text: str) -> set[str]:
    """Every control character (C0 but newline, DEL, C1) left in ``text`` after Rich's own colour codes."""
    return {ch for ch in SGR.sub("", text) if ch != "\n" and unicodedata.category(ch) == "Cc"}


def assert_safe(text: str) -> None:
    assert "Traceback" not in text, text
    assert not controls(text), text


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    """``run<EVIL>/checkpoint-2`` (eval keys and the best checkpoint hold EVIL), a broken newer checkpoint,
    and a checkpoint folder whose name holds EVIL (for ``-c``)."""
    folder = tmp_path / f"run{EVIL}"
    entries = [
        {"loss": 2.0, "learning_rate": 1e-5, "grad_norm": 1.0, "step": 1},
        {"loss": 1.0, "learning_rate": 1e-5, "grad_norm": 0.5, "step": 2},
        {f"eval_{EVIL}_loss": 1.2, f"eval_{EVIL}": 0.5, "eval_note": EVIL, "step": 2},
    ]
    state = helpers.trainer_state(
        entries, global_step=2, best_metric=1.2, best_model_checkpoint=f"out/{NAME}", trial_name=EVIL
    )
    helpers.write_state(folder / "checkpoint-2", state)
    helpers.write_state(folder / f"checkpoint-2{NAME}", state)
    helpers.write_state(folder / "checkpoint-3", '{"log_history": [')  # skipped, with its path on stderr
    return folder


@pytest.mark.parametrize(
    "env", [{}, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}], ids=["pipe", "forced-terminal"]
)
def test_summary_shows_file_text_escaped(outputs, run_cli, helpers, env):
    result = run_cli(outputs, "-u", env=helpers.cli_env(**env))
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    assert_safe(result.stderr)
    assert ("\x1b[" in result.stdout) == bool(env)  # Rich's colours when forced: the filter above saw them
    shown = SGR.sub("", result.stdout)
    assert printable(EVIL) in shown  # the eval key, as text: \x1b]0;T\x07\x1b[2J\x1b[5m[/x][bold]\x9b
    assert printable(NAME) in shown  # the best checkpoint's name
    line = helpers.one_line(result.stderr)
    assert line.startswith("skipped: ") and printable(str(outputs / "checkpoint-3")) in line


def test_checkpoint_named_with_controls(outputs, run_cli, helpers):
    result = run_cli(outputs, "-c", f"checkpoint-2{NAME}", "-u", env=helpers.cli_env(FORCE_COLOR="1"))
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    assert f"checkpoint-2{printable(NAME)}" in SGR.sub("", result.stdout)


def test_json_is_exact_and_escapes_every_control(outputs, run_cli):
    result = run_cli(outputs, "-u", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert not controls(result.stdout.strip())  # \x1b as \u001b, and \x9b (C1) as \u009b too
    assert "\\u001b" in result.stdout and "\\u009b" in result.stdout
    data = json.loads(result.stdout)
    assert data["eval"]["metrics"][f"eval_{EVIL}"] == 0.5
    assert data["best_model_checkpoint"] == f"out/{NAME}"
    assert data["source"] == str(outputs / "checkpoint-2" / "trainer_state.json")


def test_saved_path_is_escaped(outputs, run_cli, helpers, tmp_path):
    shots = tmp_path / f"shots{NAME}"
    shots.mkdir()
    result = run_cli(outputs, "-c", "2", "-s", shots)
    assert result.returncode == 0, result.stderr
    assert_safe(result.stderr)
    (png,) = shots.iterdir()
    assert helpers.one_line(result.stderr) == f"saved: {printable(png)}"
    compare = run_cli("--compare", outputs, outputs / "checkpoint-2", "-s", shots / "cmp.png")
    assert compare.returncode == 0, compare.stderr
    assert_safe(compare.stderr)
    assert printable(shots / "cmp.png") in compare.stderr


@pytest.mark.parametrize(
    ("args", "code", "lines"),
    [
        (["{tmp}/nowhere{name}", "-u"], 2, 1),  # outputs folder not found
        (["{outputs}", "-c", "nowhere{name}", "-u"], 1, 1),  # checkpoint not found
        (["{tmp}/empty{name}", "-u"], 1, 4),  # no readable checkpoint, and the three hints
        (["--compare", "{outputs}/checkpoint-2", "{tmp}/nowhere{name}"], 2, 1),  # a --compare path not found
        (["{outputs}", "-s", "{tmp}/no{name}/x.png"], 1, 1),  # the folder of the PNG not found
        (["-c", "{outputs}/checkpoint-3", "-u"], 1, 1),  # an unreadable state, named
    ],
)
def test_errors_show_paths_escaped(outputs, run_cli, tmp_path, args, code, lines):
    (tmp_path / f"empty{NAME}").mkdir()
    argv = [a.format(tmp=tmp_path, name=NAME, outputs=outputs) for a in args]
    result = run_cli(*argv)
    assert result.returncode == code, result.stderr
    assert_safe(result.stderr)
    assert len(result.stderr.strip().splitlines()) == lines
    assert result.stderr.startswith("trainmon-tui: error: ")
    assert printable(NAME) in result.stderr or printable(str(outputs)) in result.stderr


@pytest.mark.parametrize("args", [["--demo", "{outputs}", "-u"], ["-s", "{tmp}/x{name}.txt"]])
def test_usage_errors_show_arguments_escaped(outputs, run_cli, tmp_path, args):
    argv = [a.format(tmp=tmp_path, name=NAME, outputs=outputs) for a in args]
    result = run_cli(*argv)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: trainmon-tui")
    assert_safe(result.stderr)
    assert "\\x1b" in result.stderr


def _calls(tree: ast.AST, name: str) -> list[tuple[ast.Call, str]]:
    """Calls of ``name`` (a function or a method), each with the function it is written in."""
    found: list[tuple[ast.Call, str]] = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    callee = node.func
                    called = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                    if called == name:
                        found.append((node, function.name))
    return found


def test_every_stderr_line_of_the_cli_goes_through_say():
    """A new message cannot forget: the cli package writes to stderr in messages.say() only."""
    import trainmon_tui.cli as cli

    to_stderr = []
    for path in sorted(Path(cli.__file__).parent.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        to_stderr += [
            f"{path.stem}.{where}"
            for call, where in _calls(ast.parse(source), "print")
            if any(k.arg == "file" and "stderr" in ast.unparse(k.value) for k in call.keywords)
        ]
        assert "sys.stderr.write" not in source, path.name
    assert to_stderr == ["messages.say"]


def test_the_summary_table_gets_text_objects_only():
    """Rich parses a str cell or title as markup: report.py hands it Text for every cell."""
    import trainmon_tui.views.report as report

    tree = ast.parse(Path(report.__file__).read_text(encoding="utf-8"))
    rows = _calls(tree, "add_row")
    assert rows
    for call, _ in rows:
        for arg in call.args:
            assert isinstance(arg, ast.Call) and ast.unparse(arg.func) == "Text", ast.unparse(arg)


@pytest.mark.parametrize(
    "env", [{}, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}], ids=["pipe", "forced-terminal"]
)
def test_terminal_charts_show_file_text_escaped(outputs, run_cli, helpers, env):
    """``-p``: the eval set's name is a legend label of the loss chart."""
    result = run_cli(outputs, "-p", env=helpers.cli_env(COLUMNS="160", LINES="48", **env))
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    assert "\\x1b]0;T" in SGR.sub("", result.stdout)
