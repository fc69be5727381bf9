"""TrainmonCallback's part in the alerts: the start record names the host, and ``stop_on_nan=True`` saves
and stops the training at a non-finite loss (off by default)."""

from __future__ import annotations

import math
import socket
import warnings
from types import SimpleNamespace

import pytest
from test_callback import fake_args, fake_state

from trainmon_tui.callback import TrainmonCallback
from trainmon_tui.live.follower import read_live_log
from trainmon_tui.live.schema import LIVE_LOG_FILE


def _control() -> SimpleNamespace:
    return SimpleNamespace(should_save=False, should_training_stop=False, should_evaluate=False)


def test_the_start_record_has_the_pid_and_host(tmp_path):
    callback = TrainmonCallback()
    callback.on_train_begin(fake_args(tmp_path), fake_state(), _control())
    start = read_live_log(tmp_path / LIVE_LOG_FILE).start
    assert start is not None and start.host == socket.gethostname() and start.pid is not None


@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf])
def test_stop_on_nan_saves_and_stops(tmp_path, loss):
    callback = TrainmonCallback(stop_on_nan=True)
    args, state, control = fake_args(tmp_path), fake_state(global_step=7), _control()
    callback.on_train_begin(args, state, control)
    callback.on_log(args, state, control, logs={"loss": 1.0})
    assert not control.should_training_stop and not control.should_save
    with pytest.warns(RuntimeWarning, match="at step 7: saving and stopping"):
        callback.on_log(args, state, control, logs={"loss": loss})
    assert control.should_save and control.should_training_stop and callback.stopped_at == 7
    live = read_live_log(tmp_path / LIVE_LOG_FILE)
    assert len(live.logs) == 2  # the NaN step is logged too, for the dashboard to show


def test_off_by_default_and_on_other_processes_too(tmp_path):
    control = _control()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TrainmonCallback().on_log(fake_args(tmp_path), fake_state(), control, logs={"loss": math.nan})
    assert not control.should_training_stop
    # a process other than zero writes nothing, but must stop with the others
    other = fake_args(tmp_path, process_index=1)
    with pytest.warns(RuntimeWarning):
        TrainmonCallback(stop_on_nan=True).on_log(other, fake_state(), control, logs={"loss": math.nan})
    assert control.should_training_stop
