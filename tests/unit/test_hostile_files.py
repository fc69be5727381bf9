"""Files that are not what they should be: FIFOs, devices, folders, sockets in place of a run's files, numbers
beyond any range, outputs folders that cannot be read. The core must never block, read without end, crash, or
show what the file did not say: each is a one-line reason, and discovery falls back to what it can read.

A regression in the FIFO tests blocks in ``open()``: :func:`bounded` runs the call in a thread, fails after a
few seconds and unblocks it (a writer that opens and closes the FIFO gives the reader its end of file).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import numpy as np
import pytest
from builders import livelog as records

from trainmon_tui.files import discovery
from trainmon_tui.files.discovery import find_latest, list_checkpoints
from trainmon_tui.files.model import STATE_FILE, ErrorKind, StateError
from trainmon_tui.files.state import StateCache, load_state, parse_state
from trainmon_tui.live.follower import LiveLogFollower
from trainmon_tui.live.merge import live_state, merge_live
from trainmon_tui.live.records import BadRecord, parse_record
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.tbevents import find_event_files, plan_record
from trainmon_tui.live.tbrecords import EventFile
from trainmon_tui.pipeline import take_snapshot

try:
    from trainmon_tui.files import safeopen
except ImportError:  # before the fix: every test of it fails on the attribute access
    safeopen = None  # type: ignore[assignment]

T = TypeVar("T")
# How each kind of file is named in the messages.
KIND = {"fifo": "a FIFO", "folder": "a folder", "char device": "a character device", "socket": "a socket"}
TIMEOUT = 5.0


def bounded(call: Callable[[], T], fifo: Path | None = None) -> T:
    """``call()``, failing (not hanging) when it blocks for more than TIMEOUT seconds."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the blocked reader gets its EOF
            thread.join(TIMEOUT)
        pytest.fail(f"blocked for more than {TIMEOUT} s")
    if "error" in result:
        raise result["error"]
    return result["value"]  # type: ignore[no-any-return]


def entries(n: int) -> list[dict[str, Any]]:
    return [{"loss": 1.0 / step, "step": step, "epoch": step / 100} for step in range(1, n + 1)]


def good_checkpoint(outputs: Path, helpers: SimpleNamespace, step: int) -> Path:
    return helpers.write_state(
        outputs / f"checkpoint-{step}", helpers.trainer_state(entries(step), global_step=step)
    )


def unix_socket(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


# --- the safe-open helper ---------------------------------------------------------------------------


def test_safeopen_reads_a_regular_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"x" * 100_000)
    data, stat = safeopen.read_regular(path)
    assert data == b"x" * 100_000 and stat.st_size == 100_000


def test_safeopen_reads_a_growing_file_only_up_to_a_margin(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"a" * 10)
    with safeopen.open_regular(path, margin=5) as f:
        with open(path, "ab") as writer:  # the file grows after fstat
            writer.write(b"b" * 100)
        assert f.read() == b"a" * 10 + b"b" * 5
        assert f.read() == b""


@pytest.mark.parametrize("kind", ["fifo", "folder", "char device", "socket"])
def test_safeopen_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    keep: Any = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "char device":
        path.symlink_to("/dev/zero")
    else:
        keep = unix_socket(path)
    try:
        with pytest.raises(safeopen.NotRegularFileError) as info:
            bounded(lambda: safeopen.read_regular(path), fifo=path if kind == "fifo" else None)
        assert isinstance(info.value, OSError)
        assert f"is {KIND[kind]}" in str(info.value) and "\n" not in str(info.value)
    finally:
        if keep is not None:
            keep.close()


# --- trainer_state.json that is not a regular file ----------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "folder", "char device", "socket"])
def test_load_state_reports_a_state_file_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "checkpoint-10" / STATE_FILE
    path.parent.mkdir()
    keep: Any = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "char device":
        path.symlink_to("/dev/null")  # /dev/zero would read without end in a regression; same check
    else:
        keep = unix_socket(path)
    try:
        for load in (load_state, StateCache().load):
            with pytest.raises(StateError) as info:
                bounded(lambda load=load: load(path), fifo=path if kind == "fifo" else None)  # type: ignore[misc]
            assert info.value.kind is ErrorKind.INVALID
            assert str(info.value) == f"{path}: is {KIND[kind]}, not a regular file"
    finally:
        if keep is not None:
            keep.close()


def test_discovery_skips_a_fifo_state_with_a_reason_and_falls_back(tmp_path: Path, helpers) -> None:
    good_checkpoint(tmp_path, helpers, 5)
    (tmp_path / "checkpoint-10").mkdir()
    os.mkfifo(tmp_path / "checkpoint-10" / STATE_FILE)
    (tmp_path / "checkpoint-20" / STATE_FILE).mkdir(parents=True)
    (tmp_path / STATE_FILE).symlink_to("/dev/zero")
    found = bounded(lambda: find_latest(tmp_path), fifo=tmp_path / "checkpoint-10" / STATE_FILE)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-5"
    reasons = sorted(str(e) for e in found.errors)
    assert reasons == [
        f"{tmp_path / 'checkpoint-10' / STATE_FILE}: is a FIFO, not a regular file",
        f"{tmp_path / 'checkpoint-20' / STATE_FILE}: is a folder, not a regular file",
        f"{tmp_path / STATE_FILE}: is a character device, not a regular file",
    ]
    assert all(e.kind is ErrorKind.INVALID for e in found.errors)
    assert [c.name for c in list_checkpoints(tmp_path)] == ["checkpoint-5"]


def test_snapshot_shows_the_readable_checkpoint_and_what_it_skipped(tmp_path: Path, helpers) -> None:
    good_checkpoint(tmp_path, helpers, 5)
    (tmp_path / "checkpoint-10").mkdir()
    fifo = tmp_path / "checkpoint-10" / STATE_FILE
    os.mkfifo(fifo)
    os.mkfifo(tmp_path / LIVE_LOG_FILE)
    snap = bounded(
        lambda: take_snapshot(
            tmp_path, cache=StateCache(), follower=LiveLogFollower(tmp_path / LIVE_LOG_FILE)
        ),
        fifo=fifo,
    )
    assert snap is not None and snap.state is not None and snap.state.checkpoint == "checkpoint-5"
    assert [str(e) for e in snap.errors] == [f"{fifo}: is a FIFO, not a regular file"]
    assert snap.live is not None and snap.live.error == "is a FIFO, not a regular file"


# --- the live log and event files --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "folder", "char device"])
def test_live_log_that_is_not_a_regular_file_is_an_error_not_a_hang(tmp_path: Path, kind: str) -> None:
    path = tmp_path / LIVE_LOG_FILE
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/null")
    live = bounded(lambda: LiveLogFollower(path).poll(), fifo=path if kind == "fifo" else None)
    assert live.error == f"is {KIND[kind]}, not a regular file" and live.empty


def test_live_log_reads_a_growing_file_in_bounded_steps(tmp_path: Path, monkeypatch) -> None:
    """A writer faster than the reader cannot keep one poll reading for ever: a poll stops at fstat's size
    plus the margin, and the next poll picks up the rest."""
    path = tmp_path / LIVE_LOG_FILE
    line = records.line(records.log(1, time=1.0, values={"loss": 1.0})).encode()
    path.write_bytes(line)
    monkeypatch.setattr(safeopen, "READ_MARGIN", 0)
    follower = LiveLogFollower(path, chunk_bytes=len(line))
    real_read = safeopen.RegularFile.read

    def read_and_grow(self: safeopen.RegularFile, size: int = -1) -> bytes:
        with open(path, "ab") as writer:
            writer.write(line)
        return real_read(self, size)

    monkeypatch.setattr(safeopen.RegularFile, "read", read_and_grow)
    first = follower.poll()
    assert first.lines == 1
    assert follower.poll().lines >= 2


def test_event_file_that_is_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    path = tmp_path / "events.out.tfevents.1700000000.host.1.0"
    os.mkfifo(path)
    with pytest.raises(OSError):
        bounded(lambda: EventFile(path).poll(), fifo=path)
    assert find_event_files(tmp_path) == []


# --- numbers beyond any range -------------------------------------------------------------------------

HUGE_INTS = [2**63, 2**64, -(2**63) - 1, 10**400]
DIGITS_5000 = "9" * 5000


def state_bytes(helpers: SimpleNamespace, **top: Any) -> bytes:
    return (
        json.dumps(helpers.trainer_state(entries(10), **{"global_step": 10, **top}), indent=2, sort_keys=True)
    ).encode()


@pytest.mark.parametrize("value", [*HUGE_INTS, 1e300])
@pytest.mark.parametrize(
    "key", ["global_step", "max_steps", "train_batch_size", "best_global_step", "num_input_tokens_seen"]
)
def test_a_step_or_count_beyond_range_is_invalid(helpers, key: str, value: Any) -> None:
    data = state_bytes(helpers, **{key: value})
    with pytest.raises(StateError) as info:
        parse_state(data, Path("/r/checkpoint-10/trainer_state.json"))
    assert info.value.kind is ErrorKind.INVALID
    assert (
        str(info.value) == f"/r/checkpoint-10/trainer_state.json: {key} is out of range for a step or count"
    )


@pytest.mark.parametrize("value", HUGE_INTS)
@pytest.mark.parametrize("block_bytes", [150, 1 << 18])
def test_an_entry_step_beyond_range_is_invalid(helpers, monkeypatch, value: int, block_bytes: int) -> None:
    from trainmon_tui.files import blockread

    monkeypatch.setattr(blockread, "BLOCK_BYTES", block_bytes)
    log = entries(10)
    log[7]["step"] = value
    data = json.dumps(helpers.trainer_state(log, global_step=10), indent=2, sort_keys=True).encode()
    with pytest.raises(StateError) as info:
        parse_state(data, Path("/r/trainer_state.json"))
    assert info.value.kind is ErrorKind.INVALID
    assert str(info.value) == "/r/trainer_state.json: log_history[7].step is out of range for a step or count"


def test_thousands_of_digits_as_a_step_is_invalid(helpers) -> None:
    text = json.dumps(helpers.trainer_state(entries(3), global_step=3), indent=2, sort_keys=True)
    for needle in ('"global_step": 3', '"step": 2'):
        data = text.replace(needle, needle[:-1] + DIGITS_5000).encode()
        with pytest.raises(StateError) as info:
            parse_state(data, Path("/r/trainer_state.json"))
        assert info.value.kind is ErrorKind.INVALID and "out of range" in str(info.value), needle


@pytest.mark.parametrize("token", ["1e400", "-1e400", DIGITS_5000, "-" + DIGITS_5000, str(10**400)])
def test_a_metric_beyond_range_is_a_nonfinite_point(helpers, token: str) -> None:
    text = json.dumps(helpers.trainer_state(entries(3), global_step=3), indent=2, sort_keys=True)
    data = (
        text.replace('"loss": 0.5', f'"loss": {token}').replace('"epoch": 0.03', f'"epoch": {token}').encode()
    )
    state = parse_state(data, Path("/r/trainer_state.json"))
    sign = -1.0 if token.startswith("-") else 1.0
    assert state.loss.values[1] == sign * np.inf
    assert state.get("epoch").values[2] == sign * np.inf
    assert state.global_step == 3 and len(state.loss) == 3


def test_discovery_falls_back_past_a_newest_state_with_a_huge_step(tmp_path: Path, helpers) -> None:
    good_checkpoint(tmp_path, helpers, 5)
    newest = helpers.write_state(
        tmp_path / "checkpoint-10",
        helpers.trainer_state([*entries(10)[:-1], {"loss": 0.1, "step": 2**64}], global_step=10),
    )
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-5"
    assert [(e.path, e.kind) for e in found.errors] == [(newest, ErrorKind.INVALID)]
    # the dashboard's reload, through the cache (incremental path too: the older file was read first)
    cache = StateCache()
    cache.load(tmp_path / "checkpoint-5")
    snap = take_snapshot(tmp_path, cache=cache)
    assert snap is not None and snap.state is not None and snap.state.checkpoint == "checkpoint-5"
    assert [(e.path, e.kind) for e in snap.errors] == [(newest, ErrorKind.INVALID)]
    assert "\n" not in str(snap.errors[0]) and "out of range" in str(snap.errors[0])


def test_a_checkpoint_folder_number_beyond_range_is_skipped(tmp_path: Path, helpers) -> None:
    good_checkpoint(tmp_path, helpers, 5)
    helpers.write_state(tmp_path / f"checkpoint-{10**30}", helpers.trainer_state(entries(3), global_step=3))
    assert [c.name for c in list_checkpoints(tmp_path)] == ["checkpoint-5"]


@pytest.mark.parametrize("token", [str(2**64), "1e400", DIGITS_5000])
def test_live_log_step_beyond_range_is_a_bad_line(token: str) -> None:
    line = b'{"type": "log", "time": 1.0, "step": ' + token.encode() + b', "values": {"loss": 1.0}}'
    with pytest.raises(BadRecord) as info:
        parse_record(line)
    assert "step" in str(info.value)


@pytest.mark.parametrize("token", ["1e400", DIGITS_5000, str(10**400)])
def test_live_log_metric_beyond_range_is_a_nonfinite_value(token: str) -> None:
    line = b'{"type": "log", "time": 1.0, "step": 3, "values": {"loss": ' + token.encode() + b', "lr": 1}}'
    record = parse_record(line)
    assert record is not None and record.values == {"loss": float("inf"), "lr": 1.0}


@pytest.mark.parametrize("key", ["max_steps", "save_steps", "num_input_tokens_seen", "train_batch_size"])
def test_live_log_count_beyond_range_is_a_bad_line(key: str) -> None:
    line = records.line(records.start(0, time=1.0, **{key: 2**64})).encode()
    with pytest.raises(BadRecord):
        parse_record(line)


def test_live_log_with_a_huge_step_line_still_merges(tmp_path: Path) -> None:
    path = tmp_path / LIVE_LOG_FILE
    good = records.log(2, time=2.0, values={"loss": 0.5})
    huge = '{"type": "log", "time": 3.0, "step": ' + DIGITS_5000 + ', "values": {"loss": 0.4}}\n'
    tokens = records.log(4, time=4.0, values={"loss": 0.3}, num_input_tokens_seen=2**64)
    path.write_text(records.line(good) + huge + records.line(tokens))
    live = LiveLogFollower(path).poll()
    assert live.bad_lines == 2 and [r.step for r in live.logs] == [2]
    state = live_state(live)
    assert state is not None and state.global_step == 2
    assert merge_live(state, live) is state


def test_tensorboard_plan_with_numbers_beyond_range() -> None:
    args = {"max_steps": 1e400, "logging_steps": 1e300, "save_steps": 2**70, "num_train_epochs": 1e400,
            "per_device_train_batch_size": 2**64}  # fmt: skip
    record = plan_record(1.0, args, 10)
    assert record.max_steps is None and record.logging_steps is None and record.save_steps is None
    assert record.train_batch_size is None


# --- outputs folders that cannot be read ---------------------------------------------------------------


def deny_listing(monkeypatch: pytest.MonkeyPatch, outputs: Path) -> None:
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == outputs:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)


def test_an_unreadable_outputs_folder_is_said_so(tmp_path: Path, helpers, monkeypatch) -> None:
    good_checkpoint(tmp_path, helpers, 5)
    deny_listing(monkeypatch, tmp_path)
    found = find_latest(tmp_path)
    assert found.latest is None
    assert (
        found.unreadable is not None
        and str(found.unreadable) == f"{tmp_path}: cannot read: permission denied"
    )
    snap = take_snapshot(tmp_path, cache=StateCache())
    assert snap is not None and snap.state is None
    assert [str(e) for e in snap.errors] == [f"{tmp_path}: cannot read: permission denied"]
    assert snap.errors[0].kind is ErrorKind.INVALID and snap.outputs_error is snap.errors[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_a_chmod_000_outputs_folder_is_said_so(tmp_path: Path, helpers) -> None:
    outputs = tmp_path / "out"
    good_checkpoint(outputs, helpers, 5)
    outputs.chmod(0)
    try:
        found = find_latest(outputs)
        assert found.latest is None and found.unreadable is not None
        assert "permission denied" in str(found.unreadable)
    finally:
        outputs.chmod(0o755)


def test_snapshot_of_outputs_that_is_a_file(tmp_path: Path, helpers) -> None:
    state_file = helpers.write_state(tmp_path / "s.json", helpers.trainer_state(entries(4), global_step=4))
    snap = take_snapshot(state_file, cache=StateCache())
    assert snap is not None and snap.state is not None and snap.state.global_step == 4 and snap.errors == []
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    snap = take_snapshot(other, cache=StateCache())
    assert snap is not None and snap.state is None and len(snap.errors) == 1
    assert snap.errors[0].kind is ErrorKind.INVALID and str(snap.errors[0]).startswith(f"{other}: ")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    snap = bounded(lambda: take_snapshot(fifo, cache=StateCache()), fifo=fifo)
    assert snap is not None and snap.state is None
    assert [str(e) for e in snap.errors] == [f"{fifo}: is a FIFO, not a folder or a regular file"]
    assert snap.outputs_error is snap.errors[0]


# --- the callback, inside the training process --------------------------------------------------------


def test_callback_with_a_fifo_as_its_live_log_does_not_block_training(tmp_path: Path) -> None:
    """A FIFO at OUTPUT_DIR/trainmon_log.jsonl: opening it to read (the partial-line check) or to append
    would block the training process until a reader comes. Live logging turns off with one warning."""
    from trainmon_tui.callback import TrainmonCallback

    fifo = tmp_path / LIVE_LOG_FILE
    os.mkfifo(fifo)
    args = SimpleNamespace(output_dir=str(tmp_path), process_index=0, world_size=1, logging_strategy="steps")
    state = SimpleNamespace(
        global_step=1, epoch=0.1, max_steps=10, is_world_process_zero=True, log_history=[]
    )
    callback = TrainmonCallback()

    def train() -> None:
        callback.on_train_begin(args, state, None)
        callback.on_log(args, state, None, logs={"loss": 0.5})

    with pytest.warns(RuntimeWarning, match="is a FIFO, not a regular file"):
        bounded(train, fifo=fifo)


def test_a_checkpoint_folder_it_may_not_look_into_is_said_so(tmp_path: Path, helpers, monkeypatch) -> None:
    """A checkpoint folder without search permission (as root: the stat made to fail) was passed over in
    silence; it is a reason now, and the older checkpoint is used."""
    good_checkpoint(tmp_path, helpers, 5)
    locked = good_checkpoint(tmp_path, helpers, 10).parent
    real_stat = Path.stat

    def stat(self: Path, **kwargs: Any) -> os.stat_result:
        if self.parent == locked and self != locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-5"
    assert [str(e) for e in found.errors] == [f"{locked / STATE_FILE}: cannot read: permission denied"]


def test_a_state_cut_inside_a_string_is_incomplete_not_invalid(tmp_path):
    """The Trainer writes non-atomically: a reader often meets the file cut inside a key or a string."""
    from trainmon_tui.files.model import ErrorKind, StateError
    from trainmon_tui.files.state import load_state

    path = tmp_path / "trainer_state.json"
    path.write_text('{\n  "best_metric": null,\n  "log_history": [\n    {\n      "epo')
    with pytest.raises(StateError) as caught:
        load_state(path)
    assert caught.value.kind is ErrorKind.INCOMPLETE


def test_an_invalid_json_reason_reads_as_one_sentence(tmp_path):
    from trainmon_tui.files.model import StateError
    from trainmon_tui.files.state import load_state

    path = tmp_path / "trainer_state.json"
    path.write_text('{"log_history": [], "x": "a\x01b"}')  # json says "Invalid control character at"
    with pytest.raises(StateError) as caught:
        load_state(path)
    assert " at at " not in str(caught.value) and "line 1 column" in str(caught.value)


def test_a_huge_file_of_nul_bytes_is_refused_from_its_first_bytes(tmp_path):
    """A 3 GB sparse file used to be read whole (6 GB of memory, 30 s) before being rejected."""
    import tracemalloc

    from trainmon_tui.files.model import StateError
    from trainmon_tui.files.state import load_state

    path = tmp_path / "trainer_state.json"
    with open(path, "wb") as f:
        f.truncate(3 * 1024**3)
    tracemalloc.start()
    with pytest.raises(StateError) as caught:
        load_state(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "not valid JSON: starts with" in str(caught.value)
    assert peak < 64 * 1024**2
