"""How the summary writes numbers: one rule for every value (the table, the plain text, the dashboard).

:func:`format_number`, for every measured value (losses, learning rate, grad norm, metrics, epochs,
speeds, percentages):

- ``None`` (unknown) is a dash, ``-``; NaN is ``NaN``, infinities are ``inf`` and ``-inf``: a value
  that is not finite is not unknown.
- Zero is ``0`` (``-0.0`` too: TRL logs it as a loss).
- From 1e-3 up to 1e6 (in magnitude): fixed point, rounded to ``digits`` (4) significant digits, with
  trailing zeros and a bare point dropped: ``2.749``, ``0.5``, ``0.001234``, ``3``. The integer part is
  never cut: ``12030``, ``123457``.
- Below 1e-3 or from 1e6 on: scientific with ``digits`` significant digits and the mantissa's trailing
  zeros dropped, exponent as Python writes it: ``7.064e-04``, ``1e-05``, ``1.158e+12``.

:func:`format_count`, for steps and counts: the integer as it is, without thousands separators, as JSON
and the Trainer's folder names write it (``checkpoint-8660``), and short enough that ``8660 / 8660 (100%)``
fits the dashboard's narrowest summary pane.
"""

from __future__ import annotations

import math

DASH = "-"
DIGITS = 4
_FIXED_FROM = 1e-3  # smallest magnitude written without an exponent
_FIXED_BELOW = 1e6  # magnitudes from here on are written with one


def format_number(value: float | None, digits: int = DIGITS) -> str:
    """A measured value to ``digits`` significant digits (see the module's rule)."""
    if value is None:
        return DASH
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if _FIXED_FROM <= magnitude < _FIXED_BELOW:
        return _fixed(value, digits)
    return _scientific(value, digits)


def _fixed(value: float, digits: int) -> str:
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return _trim(f"{value:.{decimals}f}")


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{_trim(mantissa)}e{exponent}"


def _trim(number: str) -> str:
    """``2.500`` as ``2.5``, ``3.000`` as ``3``; an integer as it is."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def format_count(value: int | None) -> str:
    """A step or a count: the integer, no separators; ``-`` when unknown."""
    return DASH if value is None else str(value)


def format_percent(fraction: float | None) -> str:
    """A ratio (0 to 1) as a percentage by :func:`format_number`: ``66.67%``, ``100%``."""
    return DASH if fraction is None else f"{format_number(fraction * 100)}%"
