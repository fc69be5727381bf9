"""The live-log format: its file name, its schema version, its record types and heartbeat phases.

``trainmon_log.jsonl`` holds one JSON object per line, written by :class:`~trainmon_tui.callback.
TrainmonCallback` (the writer) and read by :mod:`.records` and :mod:`.follower` (see ``docs/live-log.md``).
Every record has ``type`` and ``time``; a record may carry ``v``, the schema version it was written with
(the writer puts it in its start record; a record without one is version 1). A reader reads every version
up to :data:`SCHEMA_VERSION` and refuses a record of a newer one as a bad line: its fields may mean
something this reader does not know.

Standard library only, imports nothing: the training process imports it.
"""

from __future__ import annotations

LIVE_LOG_FILE = "trainmon_log.jsonl"
# A change that an older reader would misread raises it. 2: a log record may carry "sys" (SYSTEM_KEY), the
# process's memory and CPU time and its GPUs' figures; a version 1 reader would refuse nothing but show none.
SCHEMA_VERSION = 2
VERSION_KEY = "v"
SYSTEM_KEY = "sys"

# The record types (the "type" field).
START = "start"  # on_train_begin: the run's plan
LOG = "log"  # on_log: one log_history entry with its wall time
SAVE = "save"  # on_save: the checkpoint written
HEARTBEAT = "heartbeat"  # a sign of life while evaluating or saving
END = "end"  # on_train_end
RECORD_TYPES = frozenset({START, LOG, SAVE, HEARTBEAT, END})

# What a heartbeat says the run is busy with (its "phase" field).
EVALUATE = "evaluate"
SAVING = "save"
