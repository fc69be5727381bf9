"""Tick arithmetic: round 1-2-5 steps, short labels, never touching at the width they are drawn at."""

from __future__ import annotations

import itertools
import math
import sys

from hypothesis import example, given
from hypothesis import strategies as st

from trainmon_tui.views.axes import labels_apart, log_ticks, step_label, step_ticks, value_ticks


def test_step_labels_are_short() -> None:
    assert [step_label(v) for v in (0, 100, 500, 2000, 1500, 12500, 1_500_000, 2e9)] == [
        "0", "100", "500", "2k", "1.5k", "12.5k", "1.5M", "2G",
    ]  # fmt: skip


def test_step_ticks_of_a_real_run_are_round() -> None:
    positions, labels = step_ticks(10, 8660, 60)
    assert positions[0] == 0 and positions[-1] >= 8660
    assert labels[:3] == ["0", "2k", "4k"] or labels[:3] == ["0", "1k", "2k"]
    assert step_ticks(1, 200, 40)[1] == ["0", "50", "100", "150", "200"]


def is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


@given(
    lo=st.integers(0, 10**9),
    span=st.integers(0, 10**9),
    width=st.integers(1, 250),
)
def test_step_ticks_are_sorted_round_cover_the_range_and_never_touch(lo: int, span: int, width: int) -> None:
    hi = lo + span
    positions, labels = step_ticks(lo, hi, width)
    assert len(positions) >= 2 and positions == sorted(positions)
    assert positions[0] <= lo and positions[-1] >= hi
    steps = {round(b - a, 6) for a, b in itertools.pairwise(positions)}
    assert len(steps) == 1 and is_round(steps.pop())
    assert len(set(labels)) == len(labels)
    assert len(positions) == 2 or labels_apart(positions, labels, positions[0], positions[-1], width)


@given(
    lo=st.floats(-1e6, 1e6),
    span=st.floats(0, 1e6).filter(lambda x: x == 0 or x > 1e-200),  # subnormal steps are not round
    rows=st.integers(1, 80),
    integer=st.booleans(),
)
@example(lo=5e-324, span=0.0, rows=1, integer=False)  # its halves underflow to 0, outside the range
def test_value_ticks_are_sorted_round_and_inside(lo: float, span: float, rows: int, integer: bool) -> None:
    hi = lo + span
    positions, labels = value_ticks(lo, hi, rows, integer=integer)
    assert positions == sorted(positions) and len(set(labels)) == len(labels)
    assert all(lo <= p <= hi for p in positions)
    assert len(positions) <= max(1, rows)
    if integer:
        assert all(float(p).is_integer() for p in positions) and not any("." in label for label in labels)
    if len(positions) >= 2:
        steps = [b - a for a, b in itertools.pairwise(positions)]
        exact = 1e-12 * max(abs(lo), abs(hi))  # what float arithmetic at this magnitude can tell apart
        assert all(math.isclose(s, steps[0], rel_tol=1e-6, abs_tol=exact) for s in steps)
        assert is_round(steps[0]) or steps[0] < 1e4 * exact


def test_value_ticks_label_zero_as_zero() -> None:
    assert value_ticks(0.0, 5.0, 20) == ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], ["0", "1", "2", "3", "4", "5"])
    assert value_ticks(0.0, 393.0, 20, integer=True)[1] == ["0", "100", "200", "300"]
    assert value_ticks(0.09, 2.84, 10)[1] == ["0.5", "1", "1.5", "2", "2.5"]
    assert value_ticks(0.0, 0.5, 3, integer=True)[1] == ["0"]


def test_a_range_of_float_noise_gets_one_short_tick() -> None:
    """0.3 and its moving average 0.30000000000000004: one tick ``0.3``, not ``0.300000000000001``."""
    assert value_ticks(0.3, 0.30000000000000004, 20)[1] == ["0.3"]


@given(
    low=st.floats(-330, 308),  # log10 of any positive float (a subnormal one to the largest)
    span=st.floats(0, 0.3),  # within one decade and narrower: the ranges whose ticks are not decades
    rows=st.integers(1, 60),
)
@example(low=math.log10(0.7431560204762965), span=math.log10(0.7449365679946583 / 0.7431560204762965), rows=8)
def test_log_ticks_on_a_narrow_range_never_repeat_a_label(low: float, span: float, rows: int) -> None:
    """eval_wer zoomed in on a log scale read 0.74 at the top and 0.74 at the bottom."""
    high = min(low + span, math.log10(sys.float_info.max))
    positions, labels = log_ticks(low, high, rows)
    assert positions == sorted(positions) and len(labels) == len(positions)
    assert all(low - 1e-9 <= p <= high + 1e-9 for p in positions)
    assert len(set(labels)) == len(set(positions))
    for position, label in zip(positions, labels, strict=True):  # each label names its tick's value
        assert math.isclose(float(label), 10.0**position, rel_tol=0.051)  # 2 digits at least


def test_log_ticks_of_a_narrow_range_are_round_values() -> None:
    _positions, labels = log_ticks(math.log10(0.7431560204762965), math.log10(0.7449365679946583), 8)
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    assert all(len(label) <= 6 for label in labels), labels
