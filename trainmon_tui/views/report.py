"""The summary as people read it: a Rich table (``--summary`` and the dashboard) and plain text.

Every number is written by :mod:`.numfmt`'s one rule (4 significant digits, ``NaN`` / ``inf`` for what is
not finite, ``-`` for unknown): ``1.2 / 3`` epochs, ``582 / 873`` steps, ``66.67%``, ``2e-05``.

Labels and values come partly from the run's files (eval keys, checkpoint names, paths): every row passes
through :func:`~trainmon_tui.views.safetext.printable` in :func:`summary_rows`, and reaches Rich as
:class:`~rich.text.Text`, never as a markup string, so ``[/x]`` is text and ``\x1b`` is four characters.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from trainmon_tui.files.model import EvalPoint
from trainmon_tui.live.eta import Progress
from trainmon_tui.views.evalsets import group_metrics
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.numfmt import DASH, format_count, format_number, format_percent
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.stats import Summary
from trainmon_tui.views.sysstats import compact_rows, system_rows


def fmt_of(done: str, total: str) -> str:
    """``582 / 873`` or ``1.2 / 3`` (two values written by :mod:`.numfmt`); ``done`` alone when the total
    is unknown."""
    if done == DASH or total == DASH:
        return done
    return f"{done} / {total}"


def fmt_duration(seconds: float | None) -> str:
    """``42s``, ``12m 05s``, ``3h 07m``, ``2d 04h``."""
    if seconds is None or not math.isfinite(seconds):
        return DASH
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def progress_rows(progress: Progress, lang: Lang = "en") -> Iterator[tuple[str, str | None]]:
    """Speed and time rows, from the live log or the checkpoints' times."""
    yield t("speed", lang), None
    if progress.steps_per_second is not None:
        yield t("steps_per_second", lang), format_number(progress.steps_per_second)
    if progress.tokens_per_second is not None:
        yield t("tokens_per_second", lang), format_number(progress.tokens_per_second)
    elif progress.samples_per_second is not None:
        yield t("samples_per_second", lang), format_number(progress.samples_per_second)
    if progress.elapsed_seconds is not None:
        yield t("elapsed", lang), fmt_duration(progress.elapsed_seconds)
    if progress.finished:
        yield t("status", lang), t("finished", lang)
    elif progress.stalled:
        yield t("status", lang), t("stalled", lang)
    else:
        yield t("eta", lang), fmt_duration(progress.eta_seconds)
    if progress.seconds_since_update is not None:
        yield t("last_update", lang), t("ago", lang, duration=fmt_duration(progress.seconds_since_update))
    if progress.next_checkpoint_step is not None:
        yield t("next_checkpoint", lang), format_count(progress.next_checkpoint_step)


def summary_rows(
    summary: Summary, lang: Lang = "en", progress: Progress | None = None, *, speed_first: bool = False
) -> Iterator[tuple[str, str | None]]:
    """(label, value) rows; a value of None marks a section heading. Every label and value is printable
    (:func:`~trainmon_tui.views.safetext.printable`): no control character from a file gets through.

    The original tool's order (progress, loss, parameters, time), then speed, the end-of-training entry (a
    finished run), the latest evaluation (a heading per eval set) and the best checkpoint;
    ``speed_first`` moves speed and ETA up to follow the progress (the dashboard's pane is short).
    """
    rows = _dashboard_rows(summary, lang, progress) if speed_first else _report_rows(summary, lang, progress)
    for label, value in rows:
        yield printable(label), None if value is None else printable(value)


def summary_title(summary: Summary, lang: Lang = "en") -> str:
    """``Training summary · checkpoint-500`` (or the state file's path), printable."""
    return printable(f"{t('title', lang)} · {summary.checkpoint or summary.source}")


def _report_rows(summary: Summary, lang: Lang, progress: Progress | None) -> Iterator[tuple[str, str | None]]:
    """The original tool's order, for ``--summary`` and the plain text."""
    loss = summary.loss
    yield from _progress_rows(summary, lang)
    yield t("loss_info", lang), None
    yield t("current", lang), format_number(loss.current)
    yield t("min", lang), format_number(loss.min)
    yield t("max", lang), format_number(loss.max)
    yield t("mean", lang), format_number(loss.mean)
    yield t("trend", lang), t(loss.trend, lang) if loss.trend else DASH
    yield from _nonfinite_rows(summary, lang)
    yield t("params", lang), None
    yield t("learning_rate", lang), format_number(summary.learning_rate)
    yield t("grad_norm", lang), format_number(summary.grad_norm)
    yield t("total_steps", lang), format_count(summary.max_steps)
    yield t("total_epochs", lang), format_number(summary.num_train_epochs)
    yield t("time", lang), None
    yield t("checkpoint_time", lang), _checkpoint_time(summary)
    if progress is not None:
        yield from progress_rows(progress, lang)
    if summary.system is not None:
        yield from system_rows(summary.system, lang)
    yield from final_rows(summary.final, lang)
    yield from eval_rows(summary.eval, lang)
    if summary.best_metric is not None or summary.best_model_checkpoint:
        yield t("best", lang), None
        yield t("best_metric", lang), format_number(summary.best_metric)
        if summary.best_model_checkpoint:
            yield t("best_model_checkpoint", lang), summary.best_model_checkpoint.rsplit("/", 1)[-1]


def _checkpoint_time(summary: Summary) -> str:
    return summary.checkpoint_time.strftime("%Y-%m-%d %H:%M:%S") if summary.checkpoint_time else DASH


def _progress_rows(summary: Summary, lang: Lang) -> Iterator[tuple[str, str | None]]:
    yield t("progress", lang), None
    epochs = fmt_of(format_number(summary.epoch), format_number(summary.num_train_epochs))
    yield t("epoch", lang), _with_percent(epochs, summary.epoch_progress)
    steps = fmt_of(format_count(summary.global_step), format_count(summary.max_steps))
    yield t("step", lang), _with_percent(steps, summary.step_progress)


def _with_percent(value: str, fraction: float | None) -> str:
    """``5 / 10 (50%)``; ``5`` alone when there is no total to be a fraction of (never ``5 (-)``)."""
    return value if fraction is None else f"{value} ({format_percent(fraction)})"


def _nonfinite_rows(summary: Summary, lang: Lang) -> Iterator[tuple[str, str | None]]:
    """The non-finite counts of the losses and, beside them, of the grad norms (unless none is logged)."""
    loss = summary.loss
    if not (loss.nonfinite or summary.grad_norm_nonfinite):
        return
    losses = fmt_of(format_count(loss.nonfinite), format_count(loss.count + loss.nonfinite))
    yield t("nonfinite", lang), losses
    if summary.grad_norm_count:
        counts = fmt_of(format_count(summary.grad_norm_nonfinite), format_count(summary.grad_norm_count))
        yield t("grad_nonfinite", lang), counts


def _dashboard_rows(
    summary: Summary, lang: Lang, progress: Progress | None
) -> Iterator[tuple[str, str | None]]:
    """The dashboard's order: what a glance needs first (it fits the 80x24 pane), then the details."""
    loss = summary.loss
    yield from _progress_rows(summary, lang)
    if progress is not None:
        yield from progress_rows(progress, lang)
    yield t("loss_info", lang), None
    yield t("current", lang), format_number(loss.current)
    yield t("min", lang), format_number(loss.min)
    yield t("trend", lang), t(loss.trend, lang) if loss.trend else DASH
    yield t("learning_rate", lang), format_number(summary.learning_rate)
    yield t("grad_norm", lang), format_number(summary.grad_norm)
    latest = _latest_eval_loss(summary.eval)
    if latest is not None:
        step, value = latest
        yield t("eval_loss_at", lang, step=step), format_number(value)
    if summary.best_model_checkpoint:
        name = summary.best_model_checkpoint.rsplit("/", 1)[-1]
        yield t("best_short", lang), name  # its metric is in the details: both do not fit 36 columns
    if summary.system is not None:  # only with a live log that records them: a few lines
        yield from compact_rows(summary.system, lang)
    yield t("details", lang), None
    yield t("max", lang), format_number(loss.max)
    yield t("mean", lang), format_number(loss.mean)
    yield from _nonfinite_rows(summary, lang)
    yield t("total_steps", lang), format_count(summary.max_steps)
    yield t("total_epochs", lang), format_number(summary.num_train_epochs)
    yield t("checkpoint_time", lang), _checkpoint_time(summary)
    yield from final_rows(summary.final, lang)
    yield from eval_rows(summary.eval, lang)
    if summary.best_metric is not None:
        yield t("best_metric", lang), format_number(summary.best_metric)


def _latest_eval_loss(point: EvalPoint | None) -> tuple[int, float | None] | None:
    """The latest evaluation's loss: ``eval_loss``, or with several eval sets the first set's."""
    if point is None:
        return None
    if "eval_loss" in point.metrics:
        return point.step, point.metrics["eval_loss"]
    losses = sorted(key for key in point.metrics if key.startswith("eval_") and key.endswith("_loss"))
    return (point.step, point.metrics[losses[0]]) if losses else None


def eval_rows(point: EvalPoint | None, lang: Lang = "en") -> Iterator[tuple[str, str | None]]:
    """The latest evaluation: its heading and the keys of no set, then a heading per eval set (as short as
    the set's name allows: headings widen the table's label column), timing keys left out."""
    if point is None:
        return
    yield t("eval", lang) + f" @ {point.step}", None
    groups = sorted(group_metrics(point.metrics), key=lambda group: group.name is not None)
    for group in groups:
        if group.name is not None:
            yield t("eval_set", lang, name=group.name), None
        for name, value in group.metrics:
            yield name, format_number(value)


# The end-of-training entry's keys in the order shown, with their labels; epoch and step are in the
# progress rows already; other keys follow under their own names.
_FINAL_LABELS = {
    "train_loss": "train_loss",
    "train_runtime": "train_runtime",
    "train_samples_per_second": "samples_per_second",
    "train_steps_per_second": "steps_per_second",
    "train_tokens_per_second": "tokens_per_second",
    "total_flos": "total_flos",
}
_FINAL_SKIPPED = frozenset({"epoch", "step"})


def final_rows(final: dict[str, float | None] | None, lang: Lang = "en") -> Iterator[tuple[str, str | None]]:
    """The end-of-training entry (``train_loss``, ``train_runtime``, ...), when the state holds it."""
    if not final:
        return
    known = [(t(label, lang), key) for key, label in _FINAL_LABELS.items() if key in final]
    other = [(key, key) for key in final if key not in _FINAL_LABELS and key not in _FINAL_SKIPPED]
    if not known and not other:
        return
    yield t("final", lang), None
    for label, key in known + other:
        value = final[key]
        if key == "train_runtime" and value is not None and math.isfinite(value):
            yield label, fmt_duration(value)
        else:
            yield label, format_number(value)


def summary_table(
    summary: Summary, lang: Lang = "en", *, title: bool = True, progress: Progress | None = None
) -> Table:
    """The summary as a two-column Rich table with section headings."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_header=False,
        title=Text(summary_title(summary, lang)) if title else None,
        title_justify="left",
        pad_edge=False,
        padding=(0, 1),
        expand=False,
    )
    table.add_column("label", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for label, value in summary_rows(summary, lang, progress):
        if value is None:
            table.add_row(Text(label, style="bold underline cyan"), Text())
        else:
            table.add_row(Text(f"  {label}"), Text(value))
    return table


LABEL_CELLS = 16  # the widest label the side pane aligns its values after ("Checkpoint time", "检查点时间")


def summary_compact(summary: Summary, lang: Lang = "en", progress: Progress | None = None) -> Text:
    """The dashboard's narrow pane: headings on lines of their own, values aligned after the labels."""
    rows = list(summary_rows(summary, lang, progress, speed_first=True))
    # A key from the file as a label (``mean_token_accuracy``) takes the room it needs on its own row
    # only: aligning every value after it pushed the progress percentages out of a 38-cell pane.
    labels = [cell_len(label) for label, value in rows if value is not None]
    width = max((cells for cells in labels if cells <= LABEL_CELLS), default=0)
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, (label, value) in enumerate(rows):
        if index:
            text.append("\n")
        if value is None:
            text.append(label, style="bold underline cyan")
        else:
            text.append(label + " " * max(1, width - cell_len(label) + 1), style="bold")
            text.append(value)
    return text


def summary_text(summary: Summary, lang: Lang = "en", progress: Progress | None = None) -> str:
    """Plain text, one row a line (for files and pipes)."""
    lines = [printable(f"{t('title', lang)}: {summary.source}")]
    for label, value in summary_rows(summary, lang, progress):
        lines.append(f"\n[{label}]" if value is None else f"  {label}: {value}")
    return "\n".join(lines) + "\n"
