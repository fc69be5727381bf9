"""Flags that do not fit together: one usage error (exit 2) naming them, before any file is read."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--compare", "OUT", "-u"], "--compare cannot be combined with --summary"),
        (["--compare", "OUT", "--format", "json"], "--compare cannot be combined with --summary"),
        (["--compare", "OUT", "-p"], "--compare draws its chart in the terminal already"),
        (["--compare", "OUT", "-p", "-s", "x.png"], "--compare draws its chart in the terminal already"),
        (["OUT", "--demo"], "--demo writes its own run"),
        (["-o", "OUT", "--demo", "-u"], "--demo writes its own run"),
        (["OUT", "-u", "--export-dir", "."], "--export-dir only applies to the dashboard"),
        (["OUT", "-s", "x.png", "--export-dir", "."], "--export-dir only applies to the dashboard"),
        (["--compare", "OUT", "--export-dir", "."], "--export-dir only applies to the dashboard"),
        (["OUT", "-p", "--poll"], "--poll only applies to the dashboard"),
        (["--demo", "-u", "--poll", "1"], "--poll only applies to the dashboard"),
        (["OUT", "-u", "--system"], "--system only applies to the dashboard"),
        (["OUT", "--list-metrics", "--system"], "--system only applies to the dashboard"),
    ],
)
def test_flags_that_do_not_fit_together(outputs, run_cli, tmp_path, args, says):
    result = run_cli(*[outputs if a == "OUT" else a for a in args])
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: trainmon-tui")
    assert result.stderr.splitlines()[-1].startswith(f"trainmon-tui: error: {says}")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--compare", "OUT", "-s", "x.png"],
        ["OUT", "-u", "-p"],
        ["--demo", "-u"],
        ["--demo", "sim", "-u"],
        ["-c", "OUT/checkpoint-2", "--compare", "OUT", "-s", "x.png"],
    ],
)
def test_flags_that_fit_together(outputs, run_cli, args):
    result = run_cli(*[str(a).replace("OUT", str(outputs)) for a in args])
    assert result.returncode == 0, result.stderr
