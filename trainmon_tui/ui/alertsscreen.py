"""The alerts list (``a``): every alert of the session, newest first, with its time, step and severity,
those that still hold marked; ``escape`` closes it."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trainmon_tui.health.alerts import newest_first, severity_label
from trainmon_tui.health.monitor import HealthReport
from trainmon_tui.views.i18n import Lang, t

_STYLES = {"info": "green", "warning": "yellow", "critical": "bold red"}


def alerts_table(report: HealthReport, lang: Lang) -> Table | Text:
    if not report.history:
        return Text(t("no_alerts", lang), style="italic")
    holding = {a.key for a in report.active}
    table = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, style="dim")  # time
    table.add_column(no_wrap=True, justify="right")  # step
    table.add_column(no_wrap=True)  # severity, or "cleared"
    table.add_column(overflow="fold")  # message
    for alert in newest_first(list(report.history)):
        when = datetime.fromtimestamp(alert.time).strftime("%m-%d %H:%M:%S")
        step = "-" if alert.step is None else str(alert.step)
        live = alert.key in holding
        style = _STYLES[alert.severity] if live else "dim"
        status = severity_label(alert.severity, lang) if live else t("alert_cleared", lang)
        table.add_row(
            when, step, Text(status, style=style), Text(alert.message(lang), style="" if live else "dim")
        )
    return table


class AlertsScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("escape,a,q", "dismiss", "Close"),
    ]

    def __init__(self, report: HealthReport, lang: Lang) -> None:
        super().__init__()
        self.report = report
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="alerts"):
            yield Static(Text(t("alerts_title", self.lang), style="bold"))
            yield Static(alerts_table(self.report, self.lang), id="alerts-table")
            yield Static(Text(t("close_hint", self.lang), style="dim"))
