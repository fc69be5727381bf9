"""``-p --metrics``: the picked series as terminal charts, as many as fit, with ``--smooth``, ``--x`` and
``--log`` in their titles; the keys checked against the file read with the json module."""

from __future__ import annotations

import re

import pytest
from builders.fixtures import REAL_FIXTURES, needs_real
from builders.reference import reference_series
from test_cli_text_safety import assert_safe

from trainmon_tui.views.safetext import printable

GRPO = REAL_FIXTURES / "16_trl_grpo_new_tokens_seen.json"
MULTI_EVAL = REAL_FIXTURES / "09_new_multi_eval_datasets_prefixed.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def titles(text: str, keys: list[str]) -> list[str]:
    """The keys in the order their titles appear, row by row and left to right."""
    found = []
    for line in text.splitlines():
        hits = sorted(
            (m.start(), key) for key in keys for m in re.finditer(rf"(?<!\S){re.escape(key)}(?!\S)", line)
        )
        found += [key for _, key in hits]
    return found


@needs_real
def test_charts_in_pattern_order_fit_the_terminal(run_cli, helpers):
    keys = ["kl", "reward", "completions/mean_length"]
    result = run_cli(
        GRPO,
        "-p",
        "--metrics",
        ",".join(keys),
        "--smooth",
        "0.6",
        env=helpers.cli_env(COLUMNS="120", LINES="30"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 29 and all(len(line) == 120 for line in lines)
    assert titles(lines[0], keys) == keys
    assert lines[0].count("EMA 0.6") == 3
    assert not ANSI.search(result.stdout)  # a pipe: no colour


@needs_real
def test_left_out_series_are_counted(run_cli, helpers):
    want = [key for key in reference_series(MULTI_EVAL) if key.startswith("eval_") and key.endswith("_loss")]
    result = run_cli(
        MULTI_EVAL, "-p", "--metrics", "eval_*_loss", env=helpers.cli_env(COLUMNS="64", LINES="19")
    )
    assert result.returncode == 0, result.stderr
    note = f"note: {len(want) - 4} of {len(want)} series left out (4 fit this terminal)"
    assert helpers.one_line(result.stderr) == f"{note}; narrow --metrics to see them"
    assert titles(result.stdout, want) == sorted(want)[:4]  # the catalogue's order: by set name


@needs_real
def test_epoch_axis_and_log_scale_named(run_cli, helpers):
    result = run_cli(MULTI_EVAL, "-p", "--metrics", "loss", "--x", "epoch", "--log")
    assert result.returncode == 0, result.stderr
    assert "loss  log  x: epoch" in result.stdout.splitlines()[0]


def test_colour_when_forced(outputs, run_cli, helpers):
    result = run_cli(outputs, "-p", "--metrics", "loss", env=helpers.cli_env(FORCE_COLOR="1"))
    assert result.returncode == 0, result.stderr
    assert ANSI.search(result.stdout)


def test_pattern_errors_come_before_any_output(outputs, run_cli, helpers):
    result = run_cli(outputs, "-u", "-p", "--metrics", "reward")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no series matches 'reward'" in helpers.one_line(result.stderr)


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}], ids=["pipe", "forced"])
def test_hostile_keys_in_the_titles(tmp_path, run_cli, helpers, env):
    keys = ["\x1b]0;T\x07[red]k", "a\nb", "=cmd|x"]
    entries = [{"loss": 1.0, **{key: float(s) for key in keys}, "step": s} for s in (1, 2, 3)]
    source = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=3))
    result = run_cli(source, "-p", "--metrics", "?]0;*,a?b,=*", env=helpers.cli_env(COLUMNS="150", **env))
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    shown = ANSI.sub("", result.stdout)
    for key in keys:
        assert printable(key) in shown, key
