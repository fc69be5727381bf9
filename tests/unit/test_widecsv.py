"""The wide CSV: layout checked against the file read with the standard library, quoting, the formula
guard, and never overwriting."""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from builders.fixtures import REAL_FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trainmon_tui.views.widecsv as widecsv
from trainmon_tui.files.model import Series
from trainmon_tui.files.state import load_state
from trainmon_tui.views.widecsv import cell_text, guard_formula, write_wide_csv

needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _series(steps: list[int], values: list[float]) -> Series:
    return Series(np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))


def test_rows_per_step_empty_where_not_logged(tmp_path: Path) -> None:
    series = {
        "loss": _series([1, 2, 3], [0.5, math.nan, 0.25]),
        "eval_loss": _series([2], [0.75]),
        "grad_norm": _series([3, 1], [math.inf, -0.0]),  # out of order
    }
    written = write_wide_csv(tmp_path / "out.csv", series, ["loss", "eval_loss", "grad_norm"])
    assert written.rows == 3 and written.keys == ("loss", "eval_loss", "grad_norm")
    assert _read(tmp_path / "out.csv") == [
        ["step", "loss", "eval_loss", "grad_norm"],
        ["1", "0.5", "", "-0.0"],
        ["2", "nan", "0.75", ""],
        ["3", "0.25", "", "inf"],
    ]
    assert (tmp_path / "out.csv").read_bytes().startswith(b"step,loss,eval_loss,grad_norm\r\n1,0.5,,-0.0\r\n")


def test_a_step_logged_twice_shows_the_last_value(tmp_path: Path) -> None:
    series = {"loss": _series([1, 2, 1], [1.0, 2.0, 3.0])}
    write_wide_csv(tmp_path / "out.csv", series)
    assert _read(tmp_path / "out.csv")[1:] == [["1", "3.0"], ["2", "2.0"]]


def test_default_keys_are_all_in_catalogue_order(tmp_path: Path) -> None:
    series = {
        "zeta": _series([1], [1.0]),
        "epoch": _series([1, 1], [0.5, 0.5]),
        "eval_loss": _series([1], [2.0]),
        "loss": _series([1], [3.0]),
    }
    written = write_wide_csv(tmp_path / "out.csv", series)
    assert written.keys == ("loss", "eval_loss", "epoch", "zeta")
    assert _read(tmp_path / "out.csv") == [
        ["step", "loss", "eval_loss", "epoch", "zeta"],
        ["1", "3.0", "2.0", "0.5", "1.0"],
    ]


def test_nothing_to_write_is_a_header(tmp_path: Path) -> None:
    written = write_wide_csv(tmp_path / "out.csv", {})
    assert written.rows == 0
    assert (tmp_path / "out.csv").read_bytes() == b"step\r\n"
    write_wide_csv(tmp_path / "two.csv", {"a": _series([], [])}, ["a", "missing", "a"])
    assert _read(tmp_path / "two.csv") == [["step", "a", "missing"]]


@pytest.mark.parametrize(
    "key",
    [
        "a,b",
        'say "hi"',
        "line\nbreak",
        "carriage\rreturn",
        "crlf\r\n",
        "nul\x00",
        "esc\x1b[31m",
        "\u2028sep",
        " pad ",
    ],
)
def test_hostile_keys_read_back_exactly(tmp_path: Path, key: str) -> None:
    write_wide_csv(tmp_path / "out.csv", {key: _series([7], [1.5])})
    assert _read(tmp_path / "out.csv") == [["step", key], ["7", "1.5"]]


@pytest.mark.parametrize("key", ['=HYPERLINK("http://x")', "+1", "-loss", "@sum", "\tx", "\rx"])
def test_keys_that_start_like_a_formula_are_guarded(tmp_path: Path, key: str) -> None:
    write_wide_csv(tmp_path / "out.csv", {key: _series([1], [1.0])})
    assert _read(tmp_path / "out.csv")[0] == ["step", "'" + key]
    write_wide_csv(tmp_path / "exact.csv", {key: _series([1], [1.0])}, guard_formulas=False)
    assert _read(tmp_path / "exact.csv")[0] == ["step", key]
    assert guard_formula("loss") == "loss" and guard_formula("") == ""


def test_an_existing_path_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_wide_csv(target, {"loss": _series([1], [1.0])})
    assert target.read_text(encoding="utf-8") == "precious"
    dangling = tmp_path / "link.csv"
    os.symlink(tmp_path / "nowhere", dangling)
    with pytest.raises(FileExistsError):
        write_wide_csv(dangling, {"loss": _series([1], [1.0])})
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(FileExistsError):
        write_wide_csv(tmp_path, {"loss": _series([1], [1.0])})


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(values: np.ndarray) -> list[str]:
        raise OSError("disk full")

    monkeypatch.setattr(widecsv, "cell_text", broken)
    with pytest.raises(OSError, match="disk full"):
        write_wide_csv(tmp_path / "out.csv", {"loss": _series([1], [1.0])})
    assert not (tmp_path / "out.csv").exists()


def test_cell_text_is_repr_also_for_repeated_values() -> None:
    values = np.array([1e-5, 0.1, 1e16, 5e-324, 1.7976931348623157e308, math.nan, -math.inf] * 20)
    assert cell_text(values) == [repr(v) for v in values.tolist()]
    zeros = np.array([0.0, -0.0] * 40)  # np.unique would merge them: formatted one by one
    assert cell_text(zeros) == ["0.0", "-0.0"] * 40


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6),
        st.lists(st.tuples(st.integers(-3, 40), st.floats(allow_nan=True, allow_infinity=True)), max_size=30),
        max_size=5,
    )
)
def test_every_logged_value_reads_back(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    series = {key: _series([s for s, _ in points], [v for _, v in points]) for key, points in data.items()}
    written = write_wide_csv(path, series, guard_formulas=False)
    rows = _read(path)
    header, body = rows[0], rows[1:]
    assert header == ["step", *written.keys]
    expected_steps = sorted({s for points in data.values() for s, _ in points})
    assert [int(r[0]) for r in body] == expected_steps
    for column, key in enumerate(written.keys, start=1):
        last: dict[int, float] = {}
        for step, value in data[key]:
            last[step] = value
        for row in body:
            cell = row[column]
            step = int(row[0])
            if step not in last:
                assert cell == ""
            else:
                assert cell == repr(last[step])
                back = float(cell)
                assert (math.isnan(back) and math.isnan(last[step])) or back == last[step]


@needs_real
def test_a_real_file_against_the_json_read_with_the_standard_library(tmp_path: Path) -> None:
    source = REAL_FIXTURES / "13_trl_sft_mean_token_acc_earlystop.json"
    state = load_state(source)
    written = write_wide_csv(tmp_path / "out.csv", state.series)
    raw = json.loads(source.read_text(encoding="utf-8"))["log_history"]
    expected: dict[int, dict[str, float]] = {}
    for entry in raw:
        if "train_runtime" in entry:
            continue  # the end-of-training summary is not a series
        for key, value in entry.items():
            if key != "step" and isinstance(value, (int, float)):
                expected.setdefault(entry["step"], {})[key] = float(value)
    rows = _read(tmp_path / "out.csv")
    keys = rows[0][1:]
    assert set(keys) == set(written.keys) == {k for metrics in expected.values() for k in metrics}
    assert keys[:2] == ["loss", "eval_loss"]
    assert [int(r[0]) for r in rows[1:]] == sorted(expected)
    for row in rows[1:]:
        logged = expected[int(row[0])]
        for key, cell in zip(keys, row[1:], strict=True):
            assert cell == (repr(logged[key]) if key in logged else "")


def test_a_state_built_from_a_file_writes_every_series(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [{"loss": 1.0, "epoch": 0.5, "step": 1}, {"eval_loss": 2.0, "epoch": 0.5, "step": 1}]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    write_wide_csv(tmp_path / "out.csv", state.series)
    assert _read(tmp_path / "out.csv") == [["step", "loss", "eval_loss", "epoch"], ["1", "1.0", "2.0", "0.5"]]
