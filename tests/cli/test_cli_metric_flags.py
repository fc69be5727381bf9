"""The metric flags that do not fit together: one usage error each (exit 2), before anything is read."""

from __future__ import annotations

import pytest

USAGE = [
    (["--metrics", "loss"], "--metrics picks the series for -p, -s, --list-metrics or --csv"),
    (["-u", "--metrics", "loss"], "--metrics picks the series"),
    (["-p", "--smooth", "0.9"], "--smooth only applies to the metric charts"),
    (["-s", "x.png", "--x", "epoch"], "--x only applies to the metric charts"),
    (["--list-metrics", "--metrics", "loss", "--log"], "--log only applies to the metric charts"),
    (["--compare", "a", "--csv", "x.csv"], "--compare overlays training losses"),
    (["--compare", "a", "--metrics", "loss"], "--compare overlays training losses"),
    (["-p", "--metrics", "loss", "--smooth", "1"], "a smoothing weight is at least 0 and below 1"),
    (["-p", "--metrics", "loss", "--smooth", "x"], "a smoothing weight is at least 0 and below 1"),
    (["-p", "--metrics", " , "], "give at least one key or glob"),
    (["-p", "--metrics", "loss", "--x", "minutes"], "invalid choice: 'minutes'"),
    (["--list-metrics", "--poll"], "--poll only applies to the dashboard"),
]


@pytest.mark.parametrize(("argv", "said"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors(outputs, run_cli, argv, said):
    result = run_cli(outputs, *argv)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_list_metrics_and_csv_are_one_shot_modes(outputs, run_cli, tmp_path):
    """Not the dashboard: no terminal needed (stdin is /dev/null here)."""
    result = run_cli(outputs, "--list-metrics", "--csv", "x.csv")
    assert result.returncode == 0, result.stderr
    assert "loss" in result.stdout and (tmp_path / "x.csv").is_file()
