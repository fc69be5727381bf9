"""Every chart renders, without raising, at every size and for every shape of data.

The terminal charts (``-p``) and the dashboard's panes both go through ``charts.chart_text``; plotext used to
crash on a rebuilt log-scale chart with values below 1 and on tiny plot areas. Sizes: an exhaustive sweep of
the small ones (where plotext's layout code breaks) and hypothesis over 1..250 x 1..80 for the rest.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import Series
from trainmon_tui.views.axes import log_ticks
from trainmon_tui.views.chartdata import CHART_NAMES, ChartData, prepare
from trainmon_tui.views.charts import chart_text, fits
from trainmon_tui.views.terminal import render_grid

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def entries_from(values: np.ndarray, steps: np.ndarray | None = None) -> list[dict[str, object]]:
    steps = np.arange(1, len(values) + 1) if steps is None else steps
    out: list[dict[str, object]] = []
    for i, (step, value) in enumerate(zip(steps.tolist(), values.tolist(), strict=True)):
        out.append({"loss": value, "grad_norm": value, "learning_rate": value, "step": step})
        if i % 10 == 0:
            out.append({"eval_loss": value, "step": step})
    return out


def data_for(values: np.ndarray, steps: np.ndarray | None = None) -> ChartData:
    raw = {"log_history": entries_from(np.asarray(values, dtype=float), steps), "global_step": 1}
    return prepare(build_state(raw, __import__("pathlib").Path("trainer_state.json")))


SHAPES: dict[str, ChartData] = {
    "empty": ChartData(),
    "one point": data_for(np.array([0.5])),
    "constant": data_for(np.full(50, 0.3)),
    "all below 1": data_for(np.linspace(0.9, 0.01, 200)),
    "1e-12 to 1e12": data_for(np.logspace(-12, 12, 200)),
    "zeros and negatives": data_for(np.linspace(-1.0, 1.0, 101)),
    "only NaN and inf": data_for(np.array([math.nan, math.inf, -math.inf, math.nan])),
    "resume: steps go back": data_for(
        np.linspace(2.0, 0.1, 200), np.concatenate([np.arange(1, 101), np.arange(50, 150)])
    ),
    "huge magnitudes": data_for(np.array([1e300, -1e300, 1e-300, 5e-324, 1.7e308])),
}


def _a_million() -> ChartData:
    steps = np.arange(1_000_000, dtype=np.int64)
    values = 0.5 + 0.4 * np.sin(steps / 5000.0)
    series = Series(steps, values)
    from trainmon_tui.files.model import TrainerState

    state = TrainerState(
        source=__import__("pathlib").Path("x"), checkpoint=None, mtime=0.0, size=0, global_step=999_999,
        max_steps=None, epoch=None, num_train_epochs=None, logging_steps=None, eval_steps=None,
        save_steps=None, train_batch_size=None, num_input_tokens_seen=None, best_metric=None,
        best_model_checkpoint=None, best_global_step=None, n_entries=1_000_000,
        series={"loss": series, "grad_norm": series, "learning_rate": series},
    )  # fmt: skip
    return prepare(state)


def check_text(text: str, width: int, height: int) -> None:
    lines = text.split("\n")
    assert len(lines) <= max(1, height), (width, height, len(lines))
    for line in lines:
        assert cell_len(ANSI.sub("", line)) <= max(width, 0) or width < 1, (width, height, line)


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_every_small_size_renders(shape: str) -> None:
    data = SHAPES[shape]
    for chart in CHART_NAMES:
        for width in range(1, 41):
            for height in range(1, 15):
                check_text(chart_text(chart, data, width, height), width, height)


def test_a_million_points_render() -> None:
    data = _a_million()
    for chart in CHART_NAMES:
        for width, height in ((24, 7), (80, 24), (250, 80)):
            check_text(chart_text(chart, data, width, height), width, height)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.sampled_from(list(SHAPES)),
    chart=st.sampled_from(CHART_NAMES),
    width=st.integers(1, 250),
    height=st.integers(1, 80),
)
@example(shape="constant", chart="loss", width=20, height=7)  # float noise in the range: one y tick
def test_any_size_renders(shape: str, chart, width: int, height: int) -> None:
    data = SHAPES[shape]
    first = chart_text(chart, data, width, height)
    check_text(first, width, height)
    assert chart_text(chart, data, width, height) == first  # a rebuild draws the same (a resize)
    if "cannot draw" in first.replace(
        "\n", ""
    ):  # plotext overflows on a range near the float maximum, and only there
        assert shape == "huge magnitudes", first
    elif chart != "hist" and fits(width, height) and not data.is_empty(chart):
        check_step_axis(x_labels(first))


@settings(max_examples=100, deadline=None)
@given(chart=st.sampled_from(CHART_NAMES), width=st.integers(1, 250), height=st.integers(1, 80))
def test_chinese_charts_fit_their_cells(chart, width: int, height: int) -> None:
    """plotext counts a CJK character as one cell: the title is measured in cells."""
    check_text(chart_text(chart, RUN, width, height, "zh"), width, height)


@settings(max_examples=100, deadline=None)
@given(shape=st.sampled_from(list(SHAPES)), width=st.integers(1, 250), height=st.integers(1, 80))
def test_the_terminal_grid_renders_at_any_size(shape: str, width: int, height: int) -> None:
    text = render_grid(SHAPES[shape], width, height)
    assert len(text.split("\n")) == height


def test_a_chart_too_small_shows_its_title_and_latest_value() -> None:
    data = SHAPES["all below 1"]
    text = chart_text("grad_norm", data, 19, 3)
    assert text.split("\n")[0].strip() == "Grad norm (log)"
    assert "0.01 @ 200" in text
    assert "Training loss: 0.01 @ 200" in chart_text("loss", data, 60, 1)


def test_a_newest_nan_is_shown_as_nan_not_as_a_dash() -> None:
    values = np.array([0.5, 0.4, math.nan])
    assert "NaN @ 3" in chart_text("loss", data_for(values), 20, 3)


def test_the_log_chart_labels_decades_in_units() -> None:
    assert log_ticks(-3.2, 0.4) == ([-3.0, -2.0, -1.0, 0.0], ["0.001", "0.01", "0.1", "1"])
    ticks, labels = log_ticks(-12, 12)
    assert len(ticks) <= 5 and labels[0] == "1e-12"
    assert log_ticks(-3.2, 0.4, rows=4) == ([-3.0, -1.0], ["0.001", "0.1"])  # 1.5 rows apart at least
    ticks, labels = log_ticks(math.log10(0.2), math.log10(0.9))  # within one decade: 1-2-5 steps
    assert labels == ["0.2", "0.5"]
    assert log_ticks(-0.5, -0.5)[1] == ["0.32"]
    text = ANSI.sub("", chart_text("grad_norm", SHAPES["all below 1"], 60, 16))
    assert "0.1" in text and "0.01" in text


# --- axes a person can read --------------------------------------------------------------------------


def run_like(n: int = 866, every: int = 10) -> ChartData:
    """A run as the Trainer logs it: steps 10, 20, ... 8660, a linear LR decay to 0, evals every 500."""
    entries: list[dict[str, object]] = []
    for i in range(1, n + 1):
        step = i * every
        loss = 0.1 + 2.7 * math.exp(-step / 800) + 0.05 * math.sin(step)
        entries.append({"loss": loss, "grad_norm": 0.5 + abs(math.sin(step / 50)), "step": step,
                        "learning_rate": 5e-5 * (1 - i / n)})  # fmt: skip
        if step % 500 == 0:
            entries.append({"eval_loss": loss + 0.1, "step": step})
    state = build_state({"log_history": entries, "global_step": n * every}, Path("trainer_state.json"))
    return prepare(state)


RUN = run_like()
SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def plain(text: str) -> list[str]:
    return ANSI.sub("", text).split("\n")


def x_labels(text: str) -> list[str]:
    return plain(text)[-1].split()


def y_labels(text: str) -> list[str]:
    return [line.split("┤")[0].strip() for line in plain(text) if "┤" in line]


def number(label: str) -> float:
    return float(label[:-1]) * SUFFIX[label[-1]] if label[-1] in SUFFIX else float(label)


def is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


def check_step_axis(labels: list[str]) -> None:
    """Sorted, evenly spaced by a 1-2-5 step, every label drawn (plotext drops one that would touch)."""
    values = [number(label) for label in labels]
    assert len(values) >= 2, labels
    gaps = [b - a for a, b in itertools.pairwise(values)]
    assert all(math.isclose(g, gaps[0]) for g in gaps) and gaps[0] > 0 and is_round(gaps[0]), labels


@pytest.mark.parametrize("width", [40, 50, 64, 80, 120, 250])
def test_step_axes_are_round_shared_and_reach_the_last_step(width: int) -> None:
    labels = {chart: x_labels(chart_text(chart, RUN, width, 20)) for chart in ("loss", "lr", "grad_norm")}
    check_step_axis(labels["loss"])
    assert labels["loss"] == labels["lr"] == labels["grad_norm"]
    values = [number(label) for label in labels["loss"]]
    assert values[0] <= 10 and values[-1] >= 8660  # the first and the last step are on the axis


def test_histogram_counts_are_whole_numbers() -> None:
    for height in (8, 12, 20, 40):
        labels = y_labels(chart_text("hist", RUN, 60, height))
        assert labels and all(label.isdigit() for label in labels if label), labels


def test_a_learning_rate_of_zero_reads_0() -> None:
    labels = [label for label in y_labels(chart_text("lr", RUN, 60, 20)) if label]
    assert labels[-1] == "0" and all(label == label.rstrip("0") or label == "0" for label in labels)


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_legend_is_above_the_data_not_on_it(width: int) -> None:
    lines = plain(chart_text("loss", RUN, width, 16))
    assert "loss" in lines[0] and "avg" in lines[0] and "eval" in lines[0], lines[0]
    canvas = lines[lines.index(next(line for line in lines if "┌" in line)) + 1 : -2]
    assert not any(word in line for line in canvas for word in ("loss", "avg", "eval")), canvas
