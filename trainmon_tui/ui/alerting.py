"""The dashboard's side of the alerts: the report kept, a notification and the terminal bell when one
fires, the ``--on-alert`` command in a thread, and the ``a`` key's list.

The monitor itself is the core's (:class:`~trainmon_tui.health.monitor.HealthMonitor`, kept by
:class:`~.following.FollowingApp` and fed by each reload in its thread); :class:`Alerting` takes the report
each snapshot carries, and asks the monitor again every few seconds for what time alone changes (stalled,
the process gone). When the dashboard opens on a run, only the alerts that still hold are announced: the
episodes that ended before anyone looked are in the list, not in a toast or a bell. The bell (a BEL, which
tmux turns into a window alert) rings for severity warning and above, unless ``--no-bell``. A critical
alert that ends (a resumed run) is said in a quiet toast; ``--on-alert`` held back by its once-a-minute
rule is noted in the event log.
"""

from __future__ import annotations

import time
from contextlib import suppress
from functools import partial
from typing import Any

from textual.notifications import SeverityLevel
from textual.timer import Timer

from trainmon_tui.health.alerts import Alert, Severity, by_severity
from trainmon_tui.health.command import AlertCommand
from trainmon_tui.health.monitor import HealthReport
from trainmon_tui.pipeline import Snapshot
from trainmon_tui.ui.alertsscreen import AlertsScreen
from trainmon_tui.views.i18n import t

TICK_SECONDS = 5.0
SERIOUS_TOAST_SECONDS = 10.0
_LEVELS: dict[Severity, SeverityLevel] = {"info": "information", "warning": "warning", "critical": "error"}


class Alerting:
    def __init__(self, app: Any) -> None:
        """``app``: the dashboard (its options, monitor, snapshot, clock, notify, bell, show_info)."""
        self.app = app
        options = app.options
        self.bell = options.bell
        self.command = (
            AlertCommand(options.on_alert, options.outputs.absolute(), app.lang) if options.on_alert else None
        )
        self.report = HealthReport()
        self._first = True
        self._timer: Timer | None = None

    def counts(self) -> dict[Severity, int]:
        """The alerts that hold now, by severity (for the info bar)."""
        return by_severity(self.report.active)

    def react(self, snapshot: Snapshot) -> None:
        """A new snapshot from disk: its report taken, its new alerts announced."""
        if self._timer is None:
            self._timer = self.app.set_interval(TICK_SECONDS, self.tick)
        if snapshot.health is not None:
            self._take(snapshot.health)

    def tick(self) -> None:
        """Time moved on: stalled and the process gone asked again (cheap: nothing is read)."""
        app, snapshot = self.app, self.app.snapshot
        if snapshot is None or app.pinned is not None or snapshot.health is None:
            return
        self._take(app.monitor.tick(snapshot.state, snapshot.live, snapshot.progress, app.clock()))

    def _take(self, report: HealthReport) -> None:
        changed = report.fired or report.cleared or report.active != self.report.active
        self.report = report
        holding = {a.key for a in report.active}
        news = [a for a in report.fired if not self._first or a.key in holding]
        self._first = False
        for alert in news:
            self._announce(alert)
        for alert in report.cleared:  # a critical one over (a resumed run, a process back): said, quietly
            if alert.severity == "critical" and alert.key not in holding:
                self.app.notify(t("alert_over", self.app.lang, message=alert.message(self.app.lang)))
        if changed:
            self.app.show_info()

    def _announce(self, alert: Alert) -> None:
        app = self.app
        timeout = SERIOUS_TOAST_SECONDS if alert.serious else None
        app.notify(alert.message(app.lang), severity=_LEVELS[alert.severity], timeout=timeout)
        if alert.serious and self.bell:
            app.bell()
        command = self.command
        if command is not None and command.due(alert):
            app.run_worker(
                partial(self._run, command, alert), thread=True, group="on-alert", exit_on_error=False
            )
        elif command is not None:  # its kind ran the command less than a minute ago: in the event log only
            app.events.add(time.time(), "information", t("on_alert_held", app.lang, kind=alert.kind))

    def _run(self, command: AlertCommand, alert: Alert) -> None:
        """In a thread worker: the command, and its failure as a notification."""
        failure = command.run(alert)
        if failure is not None:
            message = t("on_alert_failed", self.app.lang, reason=failure)
            with suppress(RuntimeError):  # the app has stopped meanwhile
                self.app.call_from_thread(self.app.notify, message, severity="error", timeout=10)


class AlertActions:
    """The app's ``a`` key: the alerts list."""

    alerting: Alerting
    lang: Any

    def action_alerts(self) -> None:
        self.push_screen(AlertsScreen(self.alerting.report, self.lang))  # type: ignore[attr-defined]
