"""safetext: control characters from files never reach the terminal as control characters."""

from __future__ import annotations

import unicodedata

import pytest

from trainmon_tui.views.safetext import markup_escaped, printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("eval_loss", "eval_loss"),
        ("训练损失", "训练损失"),
        ("\x1b]0;TITLE\x07", "\\x1b]0;TITLE\\x07"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("tab\there\nnext", "tab\\x09here\\x0anext"),
        ("del\x7f", "del\\x7f"),
        ("c1\x9bcsi", "c1\\x9bcsi"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("lone\ud800surrogate", "lone\\ud800surrogate"),
    ],
)
def test_printable_shows_controls_as_escapes(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_result_has_no_control_character_left() -> None:
    everything = "".join(chr(code) for code in range(0x3000)) + "\ud800\udfff\ufeff"
    result = printable(everything)
    left = {ch for ch in result if unicodedata.category(ch) in {"Cc", "Cs", "Zl", "Zp"}}
    left |= {ch for ch in result if unicodedata.bidirectional(ch) in {"LRE", "RLE", "LRO", "RLO", "PDF"}}
    left |= {ch for ch in result if unicodedata.bidirectional(ch) in {"LRI", "RLI", "FSI", "PDI"}}
    assert not left
    result.encode("utf-8")  # no lone surrogate left either


def test_printable_takes_any_object() -> None:
    assert printable(12) == "12"


def test_markup_escaped_keeps_brackets_literal() -> None:
    from rich.text import Text

    raw = "eval_[/oops] [bold]x\x1b"
    assert Text.from_markup(markup_escaped(raw)).plain == printable(raw)
