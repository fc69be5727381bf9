"""``-u`` into a pipe or a file keeps at least 80 columns, and its title never breaks the path mid-word:
a path too long for the line is shortened in the middle with an ellipsis."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

PREFIX = "Training summary · "


def _env(helpers: SimpleNamespace, **extra: str) -> dict[str, str]:
    env = helpers.cli_env(**extra)
    if "COLUMNS" not in extra:
        env.pop("COLUMNS")
    env.pop("LINES")
    return env


def _state(helpers: SimpleNamespace, folder: Path) -> Path:
    entries = [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}]
    return helpers.write_state(folder, helpers.trainer_state(entries, global_step=2))


@pytest.mark.parametrize("columns", [None, "40"])
def test_a_path_that_fits_in_80_columns_is_on_the_title_line(tmp_path, run_cli, helpers, columns):
    _state(helpers, tmp_path / "runs" / ("x" * 30))
    path = Path("runs") / ("x" * 30) / "trainer_state.json"  # relative to run_cli's folder: 59 columns
    extra = {"COLUMNS": columns} if columns else {}
    result = run_cli(path, "-u", env=_env(helpers, **extra))
    assert result.returncode == 0, result.stderr
    title = result.stdout.splitlines()[0].rstrip()
    assert len(PREFIX + str(path)) <= 80  # the test's own premise
    assert title == PREFIX + str(path)


def test_a_long_path_is_shortened_in_the_middle(tmp_path, run_cli, helpers):
    path = _state(helpers, tmp_path / ("a" * 40) / ("b" * 40) / "run_with_a_long_name")
    result = run_cli(path, "-u", env=_env(helpers))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    title = lines[0].rstrip()
    assert title.startswith(PREFIX) and "…" in title and len(title) <= 80
    assert title.endswith("run_with_a_long_name/trainer_state.json")
    head, _, _ = title.removeprefix(PREFIX).partition("…")
    assert str(path).startswith(head)
    assert "trainer_state" not in "\n".join(lines[1:])  # nothing of the path spills onto the next lines
    assert all(len(line) <= 80 for line in lines)
