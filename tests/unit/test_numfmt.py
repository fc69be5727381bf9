"""The one rule every number of the summary is written by (trainmon_tui.views.numfmt)."""

from __future__ import annotations

import math

import pytest

from trainmon_tui.views.numfmt import DASH, format_count, format_number, format_percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DASH),
        (math.nan, "NaN"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (0.0, "0"),
        (-0.0, "0"),  # a loss of -0.0 (TRL GRPO logs it) is zero, not "-0"
        (0, "0"),
        (1.0, "1"),
        (3, "3"),
        (0.5, "0.5"),  # trailing zeros dropped
        (2.7486727237701416, "2.749"),  # 4 significant digits
        (0.05726, "0.05726"),
        (0.0012345, "0.001234"),
        (0.001, "0.001"),  # the smallest value written without an exponent
        (1107.25, "1107"),
        (9999.6, "10000"),  # rounding up gains a digit, never switches to an exponent
        (12030.0, "12030"),  # integers up to 1e6 are written whole
        (123456.7, "123457"),
        (-1.5, "-1.5"),
        (0.00099999, "1e-03"),
        (7.063644006848335e-04, "7.064e-04"),  # below 1e-3: scientific, 4 significant digits
        (1e-05, "1e-05"),  # trailing zeros of the mantissa dropped too
        (-1e-4, "-1e-04"),
        (1e6, "1e+06"),  # at 1e6 and above: scientific
        (1157770590912.0, "1.158e+12"),
        (5e-324, "4.941e-324"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_digits_can_be_asked_for():
    assert format_number(2.7486727, digits=2) == "2.7"
    assert format_number(0.000123456, digits=2) == "1.2e-04"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, DASH), (0, "0"), (8660, "8660"), (1_234_567, "1234567")]
)
def test_format_count_has_no_separators(value, expected):
    assert format_count(value) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (None, DASH),
        (1.0, "100%"),
        (2 / 3, "66.67%"),
        (0.5, "50%"),
        (0.0, "0%"),
        (0.0033489618, "0.3349%"),
    ],
)
def test_format_percent(fraction, expected):
    assert format_percent(fraction) == expected
