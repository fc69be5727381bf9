"""Text from files made safe to show: control characters visible, never terminal control sequences.

Everything a run folder holds (metric keys, string values, folder and file names, ``best_model_checkpoint``,
``trial_name``) was written by code we did not write. Before any of it reaches a terminal, a PNG title or a
message it goes through :func:`printable`, which turns every C0 control, DEL, C1 control and the Unicode
controls that reorder or hide text into a visible escape such as ``\\x1b`` or ``\\u202e``. Rich markup is a
separate matter: text from files is always handed to Rich as :class:`rich.text.Text` or with
``markup=False``, or through :func:`markup_escaped` where a markup string cannot be avoided.

Standard library only: the training process's modules may use it.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: a metric key or a folder name is shown on one line), DEL, C1.
_CONTROL = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
# Unicode format characters that reorder, hide or break text: bidi embeddings, overrides and isolates,
# the line and paragraph separators, zero-width characters and the byte-order mark.
_FORMAT = [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F)]
_FORMAT += [0x2060, *range(0x2066, 0x206A), 0xFEFF]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in (*_CONTROL, *_FORMAT)}
# Lone surrogates (from "\\ud800" escapes in JSON) cannot be encoded to UTF-8 and would crash a write.
_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: object) -> str:
    """``str(text)`` with every control and format character shown as an escape (``\\x1b``, ``\\u202e``)."""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable():  # the common case (CJK included): no control, format or surrogate character
        return value
    value = value.translate(_TABLE)
    return _SURROGATE.sub(lambda match: _escape(ord(match.group())), value)


def markup_escaped(text: object) -> str:
    """:func:`printable`, then Rich markup escaped, for the rare place that must build a markup string."""
    from rich.markup import escape  # rich is not needed by the training process's users of printable

    return escape(printable(text))
