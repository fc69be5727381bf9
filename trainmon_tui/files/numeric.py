"""What a number read from a file may become: one rule for steps and counts, one for metric values.

JSON puts no bound on numbers. A run's files may hold a step above 2^63 (numpy's int64 overflows), an
integer of thousands of digits (Python refuses to convert more than 4300 digits, so ``json.loads`` raises
ValueError; orjson refuses it too), ``1e400`` (parsed as inf). The rules:

- a **metric value** is a float: an integer too large for one is ±inf, a non-finite point like any other
  (:func:`as_float`);
- a **step or count** (``global_step``, ``max_steps``, an entry's ``step``, ``num_input_tokens_seen``, ...) is
  an integer within int64; a finite float is truncated as ``int()`` does; anything beyond the range cannot
  be one and makes what holds it unreadable (:func:`as_count` raises :class:`OutOfRange`);
- :func:`finite_or_none`, :func:`count_of` and :func:`count_or_none` are the same rules for values that
  may be missing or of another type;
- :func:`loads_big_ints` decodes JSON as ``json.loads`` does, but an integer too long to convert becomes
  ±10^4300 (beyond any count, ±inf as a metric) instead of failing the whole file.

Standard library only: the live-log reader and the training process may use it.
"""

from __future__ import annotations

import json
import math
import reprlib
from typing import Any

COUNT_MAX = 2**63 - 1
COUNT_MIN = -(2**63)
OUT_OF_RANGE = "is out of range for a step or count"
_HUGE = 10**4300  # stands for an integer too long to convert: beyond every count, inf as a float


class OutOfRange(ValueError):
    """A number beyond what a step or count can be (int64)."""


def as_float(value: Any) -> float | None:
    """A JSON number as a float (an integer too large for a float: ±inf); None for anything else."""
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return None


def in_count_range(value: int) -> bool:
    return COUNT_MIN <= value <= COUNT_MAX


def as_count(value: float | int) -> int:
    """A finite number (int or float, not bool) as a step or count; :class:`OutOfRange` beyond int64."""
    if isinstance(value, float):
        # (-2^63, 2^63), NaN out too. -2^63 itself is out as a float: orjson turns -2^63 - 1 into it.
        if not -9223372036854775808.0 < value < 9223372036854775808.0:
            raise OutOfRange(OUT_OF_RANGE)
        return int(value)
    if not COUNT_MIN <= value <= COUNT_MAX:
        raise OutOfRange(OUT_OF_RANGE)
    return int(value)


def finite_or_none(value: Any) -> float | None:
    """A JSON number as a finite float; None for NaN, ±inf (an integer too large for a float too) and
    anything that is not a number."""
    number = as_float(value)
    return number if number is not None and math.isfinite(number) else None


def count_of(value: Any) -> int | None:
    """A JSON value as a step or count: an int as it is, a finite float truncated; None for anything that
    is no finite number (null, a string, a bool, NaN, ±inf); :class:`OutOfRange` beyond int64."""
    if isinstance(value, int) and not isinstance(value, bool):
        return as_count(value)  # not through a float: 2^63 is a float in range, not an int
    if isinstance(value, float) and math.isfinite(value):
        return as_count(value)
    return None


def count_or_none(value: Any) -> int | None:
    """:func:`count_of`, with None beyond int64 too: for values that may be left unknown."""
    try:
        return count_of(value)
    except OutOfRange:
        return None


_BRIEF = reprlib.Repr()
_BRIEF.maxstring = _BRIEF.maxother = 60
_BRIEF.maxlong = 40


def brief(value: Any) -> str:
    """A value from a file as a message shows it: ``repr``, cut short (a huge list or number stays short)."""
    try:
        return _BRIEF.repr(value)
    except ValueError:  # an integer of more digits than Python converts
        return "an integer of thousands of digits"


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts
        return -_HUGE if text.startswith("-") else _HUGE


def loads_big_ints(data: bytes | str) -> Any:
    """``json.loads(data)``, with integers too long to convert taken as ±10^4300 instead of raising."""
    try:
        return json.loads(data)
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return json.loads(data, parse_int=_parse_int)
