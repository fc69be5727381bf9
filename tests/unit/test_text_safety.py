"""Text from files is data: the summary table, the plain text and the PNG never pass on control characters
or Rich markup from a run's keys, names and paths, and matplotlib never reads ``$...$`` in them as math."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from trainmon_tui.files.model import TrainerState
from trainmon_tui.files.state import load_state
from trainmon_tui.views import export, figures
from trainmon_tui.views.mplstyle import matplotlib_style
from trainmon_tui.views.report import summary_compact, summary_table, summary_text
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.stats import summarize

# A title change (OSC), clear screen, blink, markup that crashes Rich ([/x]) or styles ([bold]), a C1 CSI,
# and mathtext that matplotlib cannot parse once the controls are shown as \x.. escapes.
EVIL = "\x1b]0;T\x07\x1b[2J\x1b[5m[/x][bold]\x9b$x$"
NAME = EVIL.replace("/", "")  # the same in a file or folder name
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes Rich emits itself


def controls(text: str) -> set[str]:
    """Every control character (C0 but newline, DEL, C1) left in ``text`` after Rich's own colour codes."""
    return {ch for ch in SGR.sub("", text) if ch != "\n" and unicodedata.category(ch) == "Cc"}


def evil_state(tmp_path: Path, helpers: SimpleNamespace) -> TrainerState:
    """A run whose every string place holds EVIL: folders, checkpoint name, eval keys, best checkpoint."""
    entries = [
        {"loss": 2.0, "learning_rate": 1e-5, "grad_norm": 1.0, "step": 1},
        {"loss": 1.0, "learning_rate": 1e-5, "grad_norm": 0.5, "step": 2},
        {f"eval_{EVIL}_loss": 1.2, f"eval_{EVIL}": 0.5, "eval_note": EVIL, "step": 2},
    ]
    state = helpers.trainer_state(
        entries,
        global_step=2,
        best_metric=1.5,
        best_model_checkpoint=f"out/{NAME}",
        trial_name=EVIL,
    )
    folder = tmp_path / f"run{EVIL}" / f"checkpoint-2{NAME}"
    return load_state(helpers.write_state(folder, state))


def test_the_state_really_holds_the_text(tmp_path, helpers):
    state = evil_state(tmp_path, helpers)
    assert EVIL in str(state.source) and state.checkpoint == f"checkpoint-2{NAME}"
    assert f"eval_{EVIL}" in state.latest_eval.metrics  # type: ignore[union-attr]


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
@pytest.mark.parametrize("title", [True, False])
def test_summary_table_shows_file_text_escaped(tmp_path, helpers, terminal, title):
    summary = summarize(evil_state(tmp_path, helpers))
    out = io.StringIO()
    if terminal:
        console = Console(file=out, force_terminal=True, color_system="truecolor", width=300)
    else:
        console = Console(file=out, width=300)  # as the CLI's Console() into a pipe
    console.print(summary_table(summary, title=title))
    text = out.getvalue()
    assert not controls(text)
    assert ("\x1b[" in text) == terminal  # colour on a terminal: the check above saw Rich's own codes
    shown = printable(EVIL)  # \x1b]0;T\x07\x1b[2J\x1b[5m[/x][bold]\x9b$x$ as characters
    assert f"  {shown.removeprefix('eval_')}" in SGR.sub("", text)
    assert printable(NAME) in SGR.sub("", text)  # the best checkpoint's name
    if title:
        assert f"checkpoint-2{printable(NAME)}" in SGR.sub("", text)


def test_summary_compact_and_text_show_file_text_escaped(tmp_path, helpers):
    summary = summarize(evil_state(tmp_path, helpers))
    compact = summary_compact(summary)
    assert not controls(compact.plain) and printable(EVIL) in compact.plain
    assert not compact.spans or all(span.style for span in compact.spans)  # no markup parsed into styles
    plain = summary_text(summary)
    assert not controls(plain)
    assert printable(EVIL) in plain and printable(str(summary.source)) in plain


def test_json_stays_exact(tmp_path, helpers):
    summary = summarize(evil_state(tmp_path, helpers))
    data = summary.to_json()
    assert data["best_model_checkpoint"] == f"out/{NAME}" and f"eval_{EVIL}" in data["eval"]["metrics"]


def figure_texts(figure) -> list[str]:
    texts = [figure._suptitle.get_text()] if figure._suptitle else []
    for ax in figure.axes:
        texts += [ax.title.get_text(), *(t.get_text() for t in ax.texts)]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return texts


def assert_literal(texts: list[str], wanted: str) -> None:
    """No control character, no mathtext, and ``wanted`` shown as it is (``\\$`` draws a ``$``)."""
    from matplotlib import cbook

    for text in texts:
        assert not controls(text), text
        assert not cbook.is_math_text(text), text
    assert any(wanted.replace("$", r"\$") in text for text in texts), (wanted, texts)


def test_png_titles_and_legends_are_literal(tmp_path, helpers):
    state = evil_state(tmp_path, helpers)
    with matplotlib_style():
        figure = figures.dashboard_figure(state)
    texts = figure_texts(figure)
    assert_literal(texts, printable(f"{EVIL}_loss"))  # the eval set's legend entry
    assert_literal(texts, printable(f"checkpoint-2{NAME}"))  # the suptitle
    assert_literal(texts, printable(NAME.rsplit("x]", 1)[-1]))  # the run folder's name, in the suptitle
    path = export.save_dashboard_png(state, tmp_path / "evil.png")  # and matplotlib draws it
    assert path.read_bytes().startswith(b"\x89PNG")


def test_compare_png_labels_and_title_are_literal(tmp_path, helpers):
    state = evil_state(tmp_path, helpers)
    with matplotlib_style():
        figure = figures.compare_figure([(EVIL, state), ("plain", state)], title=EVIL)
    assert_literal(figure_texts(figure), printable(EVIL))
    export.save_compare_png([(EVIL, state)], tmp_path / "cmp.png", title=EVIL)
