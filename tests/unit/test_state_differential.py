"""The fast reader against the reference: random Trainer-layout files must give the same state (or the same
error) as ``build_state(json.loads(...))``, Python's own parser being the reference."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainmon_tui import blockread
from trainmon_tui.state import StateError, TrainerState, build_state, parse_state

SHAPES = [  # what real trainers log: a few fixed key sets
    ["epoch", "grad_norm", "learning_rate", "loss"],
    ["epoch", "eval_loss", "eval_acc"],
    ["loss", "rewards/chosen", "kl", "lr"],
]
KEYS = ["loss", "grad_norm", "learning_rate", "epoch", "eval_loss", "eval_acc", "rewards/chosen", "lr", "kl"]
AWKWARD: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    None,
    "NaN",
    "x: NaN",
    ": Infinity",
    "50h:50m",
    True,
    False,
    0,
    1,
    0.0,
    1.0,
    -0.0,
    5e-324,
    1e-323,
    1.5e-323,
    2**53,
    [1, 2],
    {"a": 1},
]


CLEAN: list[Any] = [math.nan, math.inf, -math.inf]


def random_value(rng: random.Random, awkward: bool) -> Any:
    roll = rng.random()
    if roll < 0.6:
        return round(rng.uniform(-5, 5), rng.randint(0, 6))
    if roll < 0.7:
        return rng.randint(2, 9)
    return rng.choice(AWKWARD if awkward else CLEAN)


def random_entry(rng: random.Random, step: int, awkward: bool) -> dict[str, Any]:
    if awkward and rng.random() < 0.03:  # a summary entry in the middle: only a strange file has that
        return {"step": step, "train_loss": random_value(rng, awkward), "train_runtime": 12.5}
    keys = rng.sample(KEYS, rng.randint(1, 5)) if awkward else rng.choice(SHAPES)
    entry = {key: random_value(rng, awkward) for key in keys}
    if not awkward:
        entry["step"] = step
    elif rng.random() < 0.97:
        entry["step"] = (
            step if rng.random() < 0.97 else rng.choice([float(step), True, "7", None, step + 0.5])
        )
    return entry


def random_state(rng: random.Random, awkward: bool) -> dict[str, Any]:
    n = rng.choice([0, 1, 2, 5, 40, 300])
    log: list[Any] = []
    step = 0
    for _ in range(n):
        step += rng.randint(0, 3)
        log.append(random_entry(rng, step, awkward))
        if awkward and rng.random() < 0.005:
            log.append(rng.choice([1, "x", None, [1]]))
    if log and rng.random() < 0.5:  # the end-of-training summary entry
        log.append({"step": step, "train_loss": 1.25, "train_runtime": 12.5, "total_flos": 1e15})
    state: dict[str, Any] = {
        "best_metric": rng.choice([None, 0.5, math.nan]),
        "best_model_checkpoint": rng.choice([None, "out/checkpoint-5", "NaN", ": NaN"]),
        "epoch": rng.choice([None, 1.5, 2]),
        "global_step": rng.choice([step, step, None, math.inf]),
        "log_history": log,
        "max_steps": rng.choice([100, None, 0]),
        "num_train_epochs": rng.choice([3, None]),
        "trial_name": rng.choice([None, "t: -Infinity"]),
    }
    if rng.random() < 0.3:
        state["stateful_callbacks"] = {"TrainerControl": {"args": {"should_save": True}, "attributes": {}}}
    return state


def same_number(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


def assert_same_state(ours: TrainerState, ref: TrainerState) -> None:
    for field in dataclasses.fields(TrainerState):
        a, b = getattr(ours, field.name), getattr(ref, field.name)
        if field.name == "series":
            assert a.keys() == b.keys()
            for key in a:
                assert np.array_equal(a[key].steps, b[key].steps), key
                assert np.array_equal(a[key].values, b[key].values, equal_nan=True), key
                assert a[key].values.dtype == np.float64 and a[key].steps.dtype == np.int64
        elif field.name in ("last_train", "final") and a is not None:
            assert a.keys() == b.keys(), field.name
            assert all(same_number(a[k], b[k]) for k in a), field.name
        elif field.name == "latest_eval" and a is not None:
            assert a.step == b.step and a.metrics.keys() == b.metrics.keys()
            assert all(same_number(a.metrics[k], b.metrics[k]) for k in a.metrics)
        else:
            assert same_number(a, b) or a == b, field.name


@pytest.mark.parametrize("awkward", [False, True], ids=["clean", "awkward"])
@pytest.mark.parametrize("block_bytes", [150, 1 << 18])
@pytest.mark.parametrize("seed", range(30))
def test_fast_reader_matches_the_reference(seed, block_bytes, awkward, monkeypatch):
    monkeypatch.setattr(blockread, "BLOCK_BYTES", block_bytes)
    rng = random.Random(seed)
    raw = random_state(rng, awkward)
    data = (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode()
    path = Path("/runs/x/checkpoint-9/trainer_state.json")
    try:
        ref = build_state(json.loads(data), path, mtime=1.0, size=len(data))
    except StateError as error:
        with pytest.raises(StateError) as info:
            parse_state(data, path, mtime=1.0)
        assert str(info.value) == str(error)
        return
    assert_same_state(parse_state(data, path, mtime=1.0), ref)
