"""X-axes: step, epoch (interpolated, extended), tokens seen and wall time, and when each is unavailable."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from builders.fixtures import REAL_FIXTURES

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.files.state import load_state
from trainmon_tui.views.xaxis import (
    StepMap,
    Unavailable,
    XAxis,
    available_axes,
    clean_mapping,
    next_axis,
    on_axis,
    step_map,
    times_series,
)


def _state(helpers: SimpleNamespace, tmp_path: Path, log: list[dict[str, Any]]) -> TrainerState:
    return load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))


def _ints(*steps: int) -> np.ndarray:
    return np.array(steps, dtype=np.int64)


def _mapped(state: TrainerState, axis: XAxis, times: Series | None = None) -> StepMap:
    mapping = step_map(state, axis, times=times)
    assert isinstance(mapping, StepMap), mapping
    return mapping


def test_step_is_the_identity_and_always_there(helpers: SimpleNamespace, tmp_path: Path) -> None:
    state = _state(helpers, tmp_path, [])
    mapping = _mapped(state, XAxis.STEP)
    assert mapping.apply(_ints(3, 1, 7)).tolist() == [3.0, 1.0, 7.0]
    assert mapping.label == "step"
    assert available_axes(state) == [XAxis.STEP]


def test_epoch_is_interpolated_between_logged_steps_and_extended_past_them(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    log = [{"loss": 1.0, "epoch": 0.5, "step": 10}, {"loss": 0.9, "epoch": 1.0, "step": 20}]
    mapping = _mapped(_state(helpers, tmp_path, log), XAxis.EPOCH)
    # (0, 0) is added: step 5 is epoch 0.25, step 15 is between 0.5 and 1.0, step 30 on the line's extension
    x = mapping.apply(_ints(0, 5, 10, 15, 20, 30))
    assert x.tolist() == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0, 1.5])
    assert mapping.label == "epoch" and mapping.key == "epoch"


def test_epoch_from_a_resumed_run_keeps_the_last_value_at_a_step(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    log = [
        {"loss": 1.0, "epoch": 1.0, "step": 10},
        {"loss": 0.9, "epoch": 2.0, "step": 20},
        {"loss": 0.8, "epoch": 1.5, "step": 10},  # logged again at step 10 after a resume
        {"loss": 0.7, "epoch": float("nan"), "step": 30},
    ]
    mapping = _mapped(_state(helpers, tmp_path, log), XAxis.EPOCH)
    assert mapping.steps.tolist() == [0, 10, 20]
    assert mapping.values.tolist() == [0.0, 1.5, 2.0]


def test_epoch_unavailable(helpers: SimpleNamespace, tmp_path: Path) -> None:
    none = step_map(_state(helpers, tmp_path / "a", [{"loss": 1.0, "step": 1}]), XAxis.EPOCH)
    assert isinstance(none, Unavailable) and none.reason == "no epoch logged"
    flat = step_map(_state(helpers, tmp_path / "b", [{"loss": 1.0, "step": 0, "epoch": 0.0}]), XAxis.EPOCH)
    assert isinstance(flat, Unavailable) and "never changes" in flat.reason


def test_tokens_prefer_the_trainers_count_and_are_not_extended(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    log = [
        {"loss": 1.0, "num_input_tokens_seen": 1000, "num_tokens": 5.0, "step": 10},
        {"loss": 0.9, "num_input_tokens_seen": 3000, "num_tokens": 9.0, "step": 20},
    ]
    mapping = _mapped(_state(helpers, tmp_path, log), XAxis.TOKENS)
    assert mapping.key == "num_input_tokens_seen" and mapping.label == "tokens seen"
    x = mapping.apply(_ints(0, 5, 15, 20, 21))
    assert x[:4].tolist() == [0.0, 500.0, 2000.0, 3000.0]
    assert math.isnan(x[4])
    series = Series(_ints(10, 20, 25), np.array([1.0, 2.0, 3.0]))
    xs, ys = on_axis(series, mapping)
    assert xs.tolist() == [1000.0, 3000.0] and ys.tolist() == [1.0, 2.0]


def test_tokens_fall_back_to_trls_num_tokens(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [{"loss": 1.0, "num_tokens": 100.0, "step": 1}, {"loss": 0.9, "num_tokens": 250.0, "step": 2}]
    state = _state(helpers, tmp_path, log)
    mapping = _mapped(state, XAxis.TOKENS)
    assert mapping.key == "num_tokens" and mapping.label == "tokens (num_tokens)"
    none = step_map(_state(helpers, tmp_path / "b", [{"loss": 1.0, "step": 1}]), XAxis.TOKENS)
    assert isinstance(none, Unavailable)
    assert none.reason == "no num_input_tokens_seen or num_tokens logged"  # both keys it reads


def test_wall_time_is_relative_to_the_first_and_never_guessed(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    state = _state(helpers, tmp_path, [{"loss": 1.0, "step": 1}, {"loss": 0.5, "step": 4}])
    assert isinstance(step_map(state, XAxis.TIME), Unavailable)
    assert isinstance(step_map(state, XAxis.TIME, times=times_series({})), Unavailable)
    times = times_series({2: 1_700_000_010.0, 4: 1_700_000_030.0, 3: float("nan")})
    mapping = _mapped(state, XAxis.TIME, times)
    assert mapping.label == "wall time (s)"
    x = mapping.apply(_ints(1, 2, 3, 4, 5))
    assert math.isnan(x[0]) and math.isnan(x[4])
    assert x[1:4].tolist() == [0.0, 10.0, 20.0]
    assert available_axes(state, times=times) == [XAxis.STEP, XAxis.TIME]


def test_a_single_known_time_places_only_its_step(helpers: SimpleNamespace, tmp_path: Path) -> None:
    state = _state(helpers, tmp_path, [{"loss": 1.0, "step": 1}])
    mapping = _mapped(state, XAxis.TIME, times_series({5: 100.0}))
    x = mapping.apply(_ints(4, 5, 6))
    assert math.isnan(x[0]) and x[1] == 0.0 and math.isnan(x[2])


def test_clean_mapping_on_hostile_series() -> None:
    assert len(clean_mapping(Series(_ints(), np.zeros(0)))) == 0
    assert len(clean_mapping(Series(_ints(1, 2), np.array([math.nan, math.inf])))) == 0
    cleaned = clean_mapping(Series(_ints(5, 3, 5, 1), np.array([1.0, 2.0, 3.0, 4.0])))
    assert cleaned.steps.tolist() == [1, 3, 5] and cleaned.values.tolist() == [4.0, 2.0, 3.0]


def test_huge_values_do_not_break_the_mapping() -> None:
    mapping = StepMap(XAxis.EPOCH, "epoch", _ints(0, 10), np.array([0.0, 1e308]), rate=1e307)
    x = mapping.apply(_ints(5, 10, 20))
    assert x[0] == pytest.approx(5e307) and x[1] == 1e308 and x[2] == math.inf
    xs, _ = on_axis(Series(_ints(5, 10, 20), np.ones(3)), mapping)
    assert len(xs) == 2  # the point at inf is left out


def test_the_x_key_cycles_over_available_axes() -> None:
    every = list(XAxis)
    assert next_axis(XAxis.STEP, every) is XAxis.EPOCH
    assert next_axis(XAxis.TOKENS, every) is XAxis.STEP
    assert next_axis(XAxis.STEP, [XAxis.STEP, XAxis.TOKENS]) is XAxis.TOKENS
    assert next_axis(XAxis.EPOCH, [XAxis.STEP]) is XAxis.STEP  # no longer available
    assert next_axis(XAxis.STEP, []) is XAxis.STEP


needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


@needs_real
def test_real_files_epoch_and_tokens() -> None:
    multi = load_state(REAL_FIXTURES / "09_new_multi_eval_datasets_prefixed.json")
    epoch = _mapped(multi, XAxis.EPOCH)
    loss = multi.loss
    x = epoch.apply(loss.steps)
    assert np.isfinite(x).all() and np.all(np.diff(x) >= 0)
    # every loss entry logged its epoch: the mapping gives exactly what the file says at those steps
    logged = clean_mapping(multi.get("epoch"))
    expected = np.interp(loss.steps, logged.steps, logged.values)
    assert np.allclose(x, expected)
    grpo = load_state(REAL_FIXTURES / "16_trl_grpo_new_tokens_seen.json")
    tokens = _mapped(grpo, XAxis.TOKENS)
    assert tokens.key == "num_tokens"
    assert available_axes(grpo) == [XAxis.STEP, XAxis.EPOCH, XAxis.TOKENS]
