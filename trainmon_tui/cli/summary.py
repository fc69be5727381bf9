"""``--summary``: the run's summary as a table for the terminal, or as one JSON object."""

from __future__ import annotations

import json
import sys
from contextlib import suppress
from typing import TYPE_CHECKING

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.i18n import Lang

if TYPE_CHECKING:
    from rich.console import Console

    from trainmon_tui.live.eta import Progress

MIN_FILE_COLUMNS = 80  # -u into a pipe or a file


def tolerant_stdout() -> None:
    """On a terminal that is not UTF-8, write ``?`` for what it cannot show rather than fail."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with suppress(ValueError, OSError):
            reconfigure(errors="replace")


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a UTF-16 surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escape_invisible(text: str) -> str:
    r"""JSON with every character that is not printable (DEL, C1 controls such as the CSI \x9b, bidi and
    zero-width characters, lone surrogates) written as a \uXXXX escape: the same data, nothing a terminal
    obeys. json.dumps escapes C0 itself; outside strings the text is ASCII, so only string contents change."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _json_escape(ch) for ch in text)


def print_json(data: object) -> None:
    """One JSON object on stdout, on one line: the exact strings, every invisible character escaped."""
    text = _escape_invisible(json.dumps(data, ensure_ascii=False))
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):  # a non-UTF-8 terminal: the same JSON, \u escaped
        text = json.dumps(data)
    print(text)


def rich_console() -> Console:
    """Rich's console for stdout: into a pipe or a file it takes COLUMNS, or 80; never fewer than 80."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console.width = max(MIN_FILE_COLUMNS, console.width)
    return console


def print_summary(
    state: TrainerState,
    fmt: str,
    lang: Lang,
    progress: Progress | None = None,
    *,
    alerts: list[dict[str, object]] | None = None,
) -> None:
    """The summary as a table, or as one JSON object (with ``alerts``, the health alerts that hold)."""
    from trainmon_tui.live.eta import progress_json
    from trainmon_tui.views.stats import summarize

    summary = summarize(state)
    if fmt == "json":
        print_json(summary.to_json() | progress_json(progress) | {"alerts": alerts or []})
        return
    from rich.text import Text

    from trainmon_tui.views.report import summary_table, summary_title

    console = rich_console()
    # The title on a line of its own, as wide as the console: inside the table it wrapped at the table's
    # width, breaking the path mid-word.
    console.print(Text(middle_ellipsis(summary_title(summary, lang), console.width)), no_wrap=True, crop=True)
    console.print(summary_table(summary, lang, title=False, progress=progress))


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` in ``width`` columns: as it is when it fits, else with its middle replaced by ``…``, so the
    start (what it is) and the end (the file name) stay readable."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    keep = max(0, width - 1)
    head, tail = text[: keep // 3], text[len(text) - (keep - keep // 3) :]
    while tail and cell_len(head) + 1 + cell_len(tail) > width:  # wide (CJK) characters take two cells
        tail = tail[1:]
    # whole folder names where the path allows: /work/…/fixtures/run, not /work/s…d/fixtures/run
    if "/" in head.rstrip("/"):
        head = head[: head.rindex("/") + 1]
    if "/" in tail[1:]:
        tail = tail[tail.index("/", 1) :] if not tail.startswith("/") else tail
    return f"{head}…{tail}"
