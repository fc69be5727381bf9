"""How the outputs folder is watched: inotify, or polling where inotify cannot see other machines' writes."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.live import watch
from trainmon_tui.live.watch import FolderWatcher, choose_mode, is_relevant, is_remote_fstype, mount_fstype

MOUNTS = """\
sysfs /sys sysfs rw,nosuid 0 0
/dev/nvme0n1p1 / ext4 rw,relatime 0 0
fileserver:/export/runs {root}/runs nfs4 rw,relatime 0 0
//nas/share {root}/nas cifs rw 0 0
user@host:/data {root}/remote\\040dir fuse.sshfs rw 0 0
/dev/sdb1 {root}/runs/local ext4 rw 0 0
"""


@pytest.fixture
def mounts(tmp_path: Path) -> Path:
    for folder in ("runs/local", "runsX", "nas", "remote dir"):
        (tmp_path / folder).mkdir(parents=True)
    path = tmp_path / "mounts"
    path.write_text(MOUNTS.format(root=tmp_path.resolve()))
    return path


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("runs/bert/outputs", "nfs4"),  # not created yet: the filesystem it will be created on
        ("runs", "nfs4"),
        ("runs/local/outputs", "ext4"),  # the longest mount point wins
        ("runsX/outputs", "ext4"),  # a prefix of the name is not a parent folder
        ("nas/a", "cifs"),
        ("remote dir/outputs", "fuse.sshfs"),  # \\040 is a space in /proc/mounts
    ],
)
def test_mount_fstype(mounts: Path, path: str, fstype: str) -> None:
    assert mount_fstype(mounts.parent / path, mounts) == fstype


def test_mount_fstype_without_proc_mounts(tmp_path: Path) -> None:
    assert mount_fstype(Path("/x"), tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("fstype", "remote"),
    [
        ("nfs", True),
        ("nfs4", True),
        ("cifs", True),
        ("smb3", True),
        ("lustre", True),
        ("gpfs", True),
        ("beegfs", True),
        ("9p", True),
        ("drvfs", True),
        ("fuse.sshfs", True),
        ("fuseblk", True),
        ("ext4", False),
        ("xfs", False),
        ("tmpfs", False),
        ("overlay", False),
        (None, False),
    ],
)
def test_remote_filesystems(fstype: str | None, remote: bool) -> None:
    assert is_remote_fstype(fstype) is remote


def test_choose_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_mode(Path("/anything"), 5.0).polling
    assert choose_mode(Path("/anything"), 5.0).interval == 5.0
    monkeypatch.setattr(watch, "mount_fstype", lambda path: "nfs4")
    mode = choose_mode(Path("/mnt/runs/x"), None)
    assert mode.polling and mode.interval == watch.DEFAULT_POLL_INTERVAL
    assert "nfs4" in mode.reason
    monkeypatch.setattr(watch, "mount_fstype", lambda path: "ext4")
    assert not choose_mode(Path("/home/x"), None).polling
    assert choose_mode(Path("/home/x"), None).label == "inotify"


def test_relevant_paths(tmp_path: Path) -> None:
    out = tmp_path
    assert is_relevant(str(out / "checkpoint-10" / "trainer_state.json"), out)
    assert is_relevant(str(out / "checkpoint-10" / "checkpoint-is-incomplete.txt"), out)
    assert is_relevant(str(out / "trainmon_log.jsonl"), out)
    assert is_relevant(str(out / "checkpoint-20"), out)  # a folder created or deleted (rotation)
    assert not is_relevant(str(out / "checkpoint-10" / "model.safetensors"), out)
    assert not is_relevant(str(out / "checkpoint-10" / "optimizer.pt"), out)
    assert not is_relevant(str(out / "wandb" / "run.log"), out)


def _wait(event: threading.Event) -> bool:
    return event.wait(5.0)


@pytest.mark.parametrize("poll", [None, 0.1], ids=["inotify", "polling"])
def test_watcher_reports_a_new_state_and_not_model_files(tmp_path: Path, poll: float | None) -> None:
    seen: list[str] = []
    changed = threading.Event()
    state_seen = threading.Event()

    def notify(path: str) -> None:
        seen.append(path)
        changed.set()
        if path.endswith(STATE_FILE):
            state_seen.set()

    watcher = FolderWatcher(tmp_path, notify, poll)
    assert watcher.start()
    try:
        folder = tmp_path / "checkpoint-5"
        folder.mkdir()
        assert _wait(changed)
        (folder / "model.safetensors").write_bytes(b"\0" * 1000)
        (folder / STATE_FILE).write_text("{}")
        # A positive event first: the state file, written after the model file (inotify reports them in
        # order; polling sees both in the same pass), then nothing may have been said of the model file.
        assert _wait(state_seen)
        assert not any(p.endswith("model.safetensors") for p in seen)
    finally:
        watcher.stop()
    assert not watcher.running


def test_watcher_waits_for_a_missing_folder(tmp_path: Path) -> None:
    watcher = FolderWatcher(tmp_path / "later", lambda path: None)
    assert not watcher.start()
    assert not watcher.running
    (tmp_path / "later").mkdir()
    assert watcher.start()
    watcher.stop()


def test_falls_back_to_polling_when_inotify_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import watchdog.observers.inotify as inotify

    class NoWatches:
        def __init__(self, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(inotify, "InotifyObserver", NoWatches)
    monkeypatch.setattr(watch, "mount_fstype", lambda path: "ext4")
    watcher = FolderWatcher(tmp_path, lambda path: None)
    assert not watcher.mode.polling
    assert watcher.start()
    try:
        assert watcher.mode.polling
        assert "inotify failed" in watcher.mode.reason
        assert watcher.running
    finally:
        watcher.stop()
