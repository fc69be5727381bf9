"""``--check``: every health detector once over the run, the alerts on stdout, and an exit code for
scripts (cron, a Slurm epilog, CI): 0 healthy, 3 when an alert of severity warning or above holds.

The text is one line per alert that holds (severity, kind, step, message), then the episodes that have
ended, then ``healthy: ...`` when nothing serious holds; ``--format json`` prints one object instead:
``healthy``, ``outputs``, ``alerts`` (those that hold) and ``past`` (those that ended). With
``--on-alert CMD`` the command runs for each alert of severity warning or above that holds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from trainmon_tui.cli.loading import RunRead
from trainmon_tui.cli.messages import say
from trainmon_tui.cli.summary import print_json
from trainmon_tui.health.alerts import Alert, severity_label
from trainmon_tui.health.command import AlertCommand
from trainmon_tui.health.monitor import HealthMonitor, HealthReport
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import Lang, t

UNHEALTHY = 3


def thresholds_of(args: argparse.Namespace) -> Thresholds:
    """The thresholds the command line asked for (``--threshold``, checked by the parser already)."""
    return Thresholds().with_overrides(args.threshold)


def health_of(run: RunRead, args: argparse.Namespace) -> HealthReport:
    """The run's alerts, from a fresh monitor with the thresholds the command line asked for."""
    monitor = HealthMonitor(thresholds_of(args))
    return monitor.update(run.state, run.live, run.progress, time.time())


def past(report: HealthReport) -> list[Alert]:
    holding = {a.key for a in report.active}
    return [a for a in report.history if a.key not in holding]


def alerts_json(report: HealthReport) -> list[dict[str, object]]:
    return [a.to_json() for a in report.active]


def _line(alert: Alert, lang: Lang, *, ended: bool = False) -> str:
    severity = t("alert_cleared", lang) if ended else severity_label(alert.severity, lang)
    from rich.cells import cell_len

    step = "-" if alert.step is None else str(alert.step)
    pad = " " * max(0, 9 - cell_len(severity))  # a Chinese label is two cells a character
    return f"{severity}{pad} {alert.kind:<15} {step:>8}  {alert.message(lang)}"


def run_check(run: RunRead, outputs: Path, args: argparse.Namespace) -> int:
    report = health_of(run, args)
    lang: Lang = args.lang
    if args.format == "json":
        print_json(
            {
                "healthy": not report.serious,
                "outputs": str(outputs),
                "alerts": alerts_json(report),
                "past": [a.to_json() for a in past(report)],
            }
        )
    else:
        for alert in report.active:
            print(_line(alert, lang))
        for alert in past(report):
            print(_line(alert, lang, ended=True))
        if not report.serious:
            print(t("healthy", lang))
    if args.on_alert:
        command = AlertCommand(args.on_alert, outputs.absolute(), lang)
        for alert in report.serious:
            failure = command.run(alert)
            if failure is not None:
                say(t("on_alert_failed", lang, reason=failure))
    return UNHEALTHY if report.serious else 0
