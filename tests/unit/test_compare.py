"""``--compare``: curves named by what tells their paths apart, one smoothing window in steps, and
curves that stay apart without colour (markers in the terminal, line styles in the PNG)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from trainmon_tui.files.model import Series
from trainmon_tui.files.state import load_state
from trainmon_tui.views.compare import common_window, distinct_labels, moving_average_steps
from trainmon_tui.views.terminal import render_compare

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(
    ("paths", "labels"),
    [
        (["runs/a/checkpoint-500", "runs/b/checkpoint-500"], ["a", "b"]),
        (["runs/bert", "runs/bert/checkpoint-500"], ["bert", "bert/checkpoint-500"]),
        (["runs/bert/", "runs/bert/checkpoint-500/trainer_state.json"], ["bert", "bert/checkpoint-500"]),
        (["runs/bert", "runs/roberta/checkpoint-900"], ["bert", "roberta/checkpoint-900"]),
        (["/data/x/run.json", "/data/y/run.json"], ["x", "y"]),
        (["r/a/checkpoint-500", "r/b/checkpoint-900"], ["a/checkpoint-500", "b/checkpoint-900"]),
        (["runs/bert"], ["bert"]),
        (["runs/bert", "runs/bert"], ["bert", "bert (2)"]),
        (["a", "a/b/c", "a/b/d"], ["a", "a/b/c", "a/b/d"]),
    ],
)
def test_distinct_labels(paths: list[str], labels: list[str]) -> None:
    assert distinct_labels([Path(p) for p in paths]) == labels


def test_distinct_labels_do_not_depend_on_how_a_path_is_spelled() -> None:
    assert distinct_labels([Path("runs/a").absolute(), Path("runs/./b/")]) == ["a", "b"]
    assert distinct_labels([Path("runs/a/../bert"), Path("runs/bert/checkpoint-500")]) == [
        "bert",
        "bert/checkpoint-500",
    ]


def loss_state(tmp_path: Path, helpers, name: str, steps: range) -> object:
    history = [
        {"loss": 2.0 + math.sin(step / 7.0) + 0.3 * math.cos(step * 1.3), "step": step} for step in steps
    ]
    return load_state(
        helpers.write_state(tmp_path / name, helpers.trainer_state(history, global_step=steps[-1]))
    )


def test_the_window_is_the_same_in_steps_for_every_run(tmp_path: Path, helpers) -> None:
    """A root state and its own checkpoint-500: the same data, so the same average where they overlap."""
    root = loss_state(tmp_path, helpers, "root", range(1, 3001))
    checkpoint = loss_state(tmp_path, helpers, "checkpoint-500", range(1, 501))
    window = common_window([root.loss, checkpoint.loss])
    assert window == common_window([checkpoint.loss, root.loss]) >= 5
    long, short = (moving_average_steps(s.loss, window) for s in (root, checkpoint))
    assert np.array_equal(long.values[:500], short.values)


def test_the_png_averages_agree_where_the_runs_overlap(tmp_path: Path, helpers) -> None:
    from trainmon_tui.views.figures import compare_figure

    root = loss_state(tmp_path, helpers, "root", range(1, 3001))
    checkpoint = loss_state(tmp_path, helpers, "checkpoint-500", range(1, 501))
    ax = compare_figure([("bert", root), ("bert/checkpoint-500", checkpoint)]).axes[0]
    averages = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in averages] == ["bert", "bert/checkpoint-500"]
    long, short = (np.asarray(line.get_ydata()) for line in averages)
    assert np.allclose(long[:500], short)
    assert len({line.get_linestyle() for line in averages}) == 2  # apart without colour


def test_moving_average_in_steps_follows_the_steps_not_the_points() -> None:
    every_step = Series(np.arange(1, 101), np.arange(1, 101, dtype=float))
    every_other = Series(np.arange(2, 101, 2), np.arange(2, 101, 2, dtype=float))
    a, b = moving_average_steps(every_step, 10), moving_average_steps(every_other, 10)
    assert a.values[-1] == np.mean(np.arange(91, 101)) and b.values[-1] == np.mean(np.arange(92, 101, 2))


def test_terminal_curves_have_a_marker_each_and_a_legend_off_the_data(tmp_path: Path, helpers) -> None:
    runs = [
        (name, loss_state(tmp_path, helpers, name, range(1, n)))
        for name, n in (("a", 300), ("b", 200), ("c", 100))
    ]
    lines = ANSI.sub("", render_compare(runs, 80, 24)).split("\n")
    assert len(lines) <= 24
    bottom = max(i for i, line in enumerate(lines) if "└" in line)
    canvas = "\n".join(lines[1:bottom])
    legend = " ".join(lines[bottom + 2 :])
    glyphs = re.findall(r"(\S) (a|b|c)\b", legend)
    assert [name for _, name in glyphs] == ["a", "b", "c"], lines
    assert len({glyph for glyph, _ in glyphs}) == 3
    for glyph, _ in glyphs[1:]:
        assert glyph in canvas  # drawn with that marker
    assert not re.search(r"\b(a|b|c)\b", canvas)  # no label on the data


def test_terminal_compare_fits_every_size(tmp_path: Path, helpers) -> None:
    from rich.cells import cell_len

    names = ("run_with_a_rather_long_name", "b", "c", "d", "e", "f", "g", "h", "i")
    runs = [
        (name, loss_state(tmp_path, helpers, name, range(1, 50 + 10 * i))) for i, name in enumerate(names)
    ]
    for width in (1, 5, 19, 20, 21, 30, 47, 80, 161):
        for height in (1, 2, 5, 6, 7, 8, 12, 24, 40):
            lines = render_compare(runs, width, height).split("\n")
            assert len(lines) <= height or height < 1, (width, height)
            assert all(cell_len(ANSI.sub("", line)) <= width for line in lines), (width, height)
            assert "cannot draw" not in "".join(lines)
