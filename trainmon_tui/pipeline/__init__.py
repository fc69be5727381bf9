"""The run as it stands now, for the dashboard and the command line alike: one pipeline.

:func:`~.snapshot.take_snapshot` is the dashboard's whole reload and the command line's reading of a run;
:mod:`.runwarnings` says, as data, what it could not use. The names below are the package's interface.
"""

from trainmon_tui.pipeline.runwarnings import RunWarning, Severity, WarningSource, below, run_warnings
from trainmon_tui.pipeline.snapshot import Fingerprint, Snapshot, prepare_charts, take_snapshot, with_charts

__all__ = [
    "Fingerprint",
    "RunWarning",
    "Severity",
    "Snapshot",
    "WarningSource",
    "below",
    "prepare_charts",
    "run_warnings",
    "take_snapshot",
    "with_charts",
]
