"""Noticing that an outputs folder changed: watchdog's inotify observer, or polling where inotify is blind.

inotify does not see writes made by other machines on network and FUSE filesystems (NFS, CIFS, SSHFS,
Lustre, GPFS, BeeGFS, 9p, WSL's drvfs): there watchdog's ``PollingObserver`` is used. The watcher only
reports *that* something relevant changed, through a callback run on the observer thread; the callback
must be cheap and thread-safe (the dashboard's posts a message). Reading happens elsewhere.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from trainmon_tui.files.discovery import INCOMPLETE_MARKER
from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.tbrecords import EVENTS_PREFIX

# Filesystems on which inotify misses other machines' writes (matched on the fstype in /proc/mounts).
REMOTE_FSTYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb3",
        "smbfs",
        "lustre",
        "gpfs",
        "beegfs",
        "9p",
        "drvfs",
        "ceph",
        "glusterfs",
        "afs",
        "davfs",
    }
)
RELEVANT_NAMES = frozenset({STATE_FILE, INCOMPLETE_MARKER, LIVE_LOG_FILE})
DEFAULT_POLL_INTERVAL = 2.0

# watchdog logs through `logging`; in a full-screen app a stray warning on stderr would tear the screen.
logging.getLogger("watchdog").addHandler(logging.NullHandler())
logging.getLogger("watchdog").propagate = False


@dataclass(frozen=True, slots=True)
class WatchMode:
    polling: bool
    interval: float | None
    reason: str

    @property
    def label(self) -> str:
        return f"polling {self.interval:g}s" if self.polling else "inotify"


def mount_fstype(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The filesystem type of the mount holding ``path`` (longest matching mount point), if known."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(_existing_ancestor(path))
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), fields[2])
    return best[1] if best else None


def is_remote_fstype(fstype: str | None) -> bool:
    if not fstype:
        return False
    return fstype in REMOTE_FSTYPES or fstype.startswith("fuse")


def choose_mode(path: Path, poll_interval: float | None) -> WatchMode:
    """Polling when asked for, or when the folder lives on a filesystem inotify cannot see into."""
    if poll_interval is not None:
        return WatchMode(True, poll_interval, "--poll")
    fstype = mount_fstype(path)
    if is_remote_fstype(fstype):
        return WatchMode(True, DEFAULT_POLL_INTERVAL, f"{fstype} filesystem")
    return WatchMode(False, None, fstype or "local")


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return path.resolve()
    except OSError:
        return path


def is_relevant(src_path: str | bytes, outputs: Path) -> bool:
    """Changes to a state file, the incomplete marker, the live log, a TensorBoard event file
    (``events.out.tfevents.*``), or a checkpoint folder itself."""
    path = os.fsdecode(src_path)
    name = os.path.basename(path)
    if name in RELEVANT_NAMES or name.startswith(EVENTS_PREFIX):
        return True
    parent = os.path.dirname(path)
    return parent == str(outputs) and ("checkpoint-" in name or name == "")


class _Handler(FileSystemEventHandler):
    def __init__(self, outputs: Path, notify: Callable[[str], None]) -> None:
        self.outputs = outputs
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(p and is_relevant(p, self.outputs) for p in paths):
            self.notify(os.fsdecode(event.src_path))


class FolderWatcher:
    """Watches ``outputs`` (with its checkpoint folders) and calls ``notify(path)`` on relevant changes.

    ``notify`` runs on the observer's thread. :meth:`start` falls back to polling when an inotify watch
    cannot be created (for example when the ``max_user_watches`` limit is reached).
    """

    def __init__(
        self, outputs: Path, notify: Callable[[str], None], poll_interval: float | None = None
    ) -> None:
        self.outputs = outputs.absolute()
        self.notify = notify
        self.mode = choose_mode(self.outputs, poll_interval)
        self._observer: BaseObserver | None = None

    @property
    def running(self) -> bool:
        return self._observer is not None and self._observer.is_alive()

    def start(self) -> bool:
        """Start watching; False (and nothing started) when the folder does not exist yet."""
        if self.running:
            return True
        if not self.outputs.is_dir():
            return False
        handler = _Handler(self.outputs, self.notify)
        if not self.mode.polling:
            try:
                from watchdog.observers.inotify import InotifyObserver

                observer: BaseObserver = InotifyObserver(timeout=0.2)
                observer.schedule(handler, str(self.outputs), recursive=True)
                observer.start()
                self._observer = observer
                return True
            except (OSError, ImportError) as exc:
                reason = getattr(exc, "strerror", None) or type(exc).__name__
                self.mode = WatchMode(True, DEFAULT_POLL_INTERVAL, f"inotify failed: {reason}")
        observer = PollingObserver(timeout=self.mode.interval or DEFAULT_POLL_INTERVAL)
        observer.schedule(handler, str(self.outputs), recursive=True)
        observer.start()
        self._observer = observer
        return True

    def stop(self, timeout: float = 0.5) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(timeout)
        except RuntimeError:  # never started
            pass
