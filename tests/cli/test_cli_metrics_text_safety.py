"""Metric keys that hold control characters, Rich markup, formulas, commas and newlines: ``--list-metrics``
shows them as text, its JSON keeps them exact, ``--csv`` quotes them and guards formulas, and every
message names them printably."""

from __future__ import annotations

import csv
import json

import pytest
from test_cli_text_safety import EVIL, SGR, assert_safe

from trainmon_tui.views.safetext import printable

KEYS = [EVIL, '=HYPERLINK("http://x")', "+1", "a,b", "line\nbreak", "[red]markup[/red]", 'quote"d']


@pytest.fixture
def hostile(tmp_path, helpers):
    entries = [{"loss": 1.0, **{key: float(i + s) for i, key in enumerate(KEYS)}, "step": s} for s in (1, 2)]
    return helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=2))


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}], ids=["pipe", "forced"])
def test_table_shows_keys_as_text(hostile, run_cli, helpers, env):
    result = run_cli(hostile, "--list-metrics", env=helpers.cli_env(COLUMNS="200", **env))
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    shown = SGR.sub("", result.stdout)
    for key in KEYS:
        assert printable(key) in shown, key


def test_json_keeps_keys_exact(hostile, run_cli):
    result = run_cli(hostile, "--list-metrics", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout.strip())
    keys = [item["key"] for item in json.loads(result.stdout)["metrics"]]
    assert set(KEYS) <= set(keys)


def test_csv_quotes_keys_and_guards_formulas(hostile, tmp_path, run_cli):
    result = run_cli(hostile, "--csv", "x.csv")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    guarded = {"'" + key if key[0] in "=+-@" else key for key in KEYS}
    assert guarded <= set(header)
    assert len(rows) == 2 and all(len(row) == len(header) for row in rows)
    assert rows[1][header.index("a,b")] == str(float(KEYS.index("a,b") + 2))


def test_messages_name_patterns_printably(hostile, run_cli, helpers):
    result = run_cli(hostile, "--list-metrics", "--metrics", "zz\x1b[2J")
    assert result.returncode == 1
    line = helpers.one_line(result.stderr)
    assert_safe(result.stderr)
    assert "zz\\x1b[2J" in line
