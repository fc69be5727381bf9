"""What an alert is: a kind, a severity, the step and time, and one line in English and in Chinese.

An alert is one *episode* of a condition (the loss non-finite from step 41,200 on): it fires once when the
condition starts, may be updated while it lasts (how many non-finite values since), and is cleared when the
condition ends. ``(kind, step)`` names the episode.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from trainmon_tui.views.alertmarks import MAX_MARKS
from trainmon_tui.views.i18n import Lang, t

if TYPE_CHECKING:
    from trainmon_tui.views.chartdata import ChartData

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")
RANK: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}
_LABELS: dict[Severity, str] = {"info": "sev_info", "warning": "sev_warning", "critical": "sev_critical"}

# Every kind, in the order the README lists them.
KINDS = (
    "nan_loss",
    "nan_grad_norm",
    "loss_spike",
    "grad_explosion",
    "divergence",
    "overfitting",
    "lr_zero",
    "zero_loss",
    "gpu_memory_full",
    "input_bound",
    "rss_growing",
    "stalled",
    "process_gone",
    "finished",
)


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    severity: Severity
    step: int | None  # where the episode started (None: no step known)
    time: float  # wall time: when it happened when known, else when it was first seen
    message_en: str
    message_zh: str
    count: int = 1  # how many entries of the episode so far (non-finite values, evaluations up, ...)

    @property
    def key(self) -> tuple[str, int | None]:
        """The episode: one kind starting at one step."""
        return (self.kind, self.step)

    def message(self, lang: Lang) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    @property
    def serious(self) -> bool:
        """Severity warning or above: rings the bell, makes ``--check`` exit 3."""
        return RANK[self.severity] >= RANK["warning"]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "step": self.step,
            "time": self.time if math.isfinite(self.time) else None,
            "count": self.count,
            "message": self.message_en,
            "message_zh": self.message_zh,
        }


def by_severity(alerts: tuple[Alert, ...] | list[Alert]) -> dict[Severity, int]:
    """How many alerts of each severity (those with none left out), most severe first."""
    counts = {s: sum(1 for a in alerts if a.severity == s) for s in reversed(SEVERITIES)}
    return {s: n for s, n in counts.items() if n}


def newest_first(alerts: tuple[Alert, ...] | list[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: (a.time, a.step if a.step is not None else -1), reverse=True)


def severity_label(severity: Severity, lang: Lang) -> str:
    return t(_LABELS[severity], lang)


def with_marks(charts: ChartData | None, history: Iterable[Alert]) -> ChartData | None:
    """``charts`` with markers at the steps of the alerts of severity warning and above (the newest
    :data:`~trainmon_tui.views.alertmarks.MAX_MARKS`); the very same object when they are unchanged."""
    if charts is None:
        return None
    marks = tuple((a.step, a.severity) for a in history if a.serious and a.step is not None)[-MAX_MARKS:]
    return charts if charts.alert_marks == marks else replace(charts, alert_marks=marks)
