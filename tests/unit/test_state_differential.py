"""The fast reader against the reference: random Trainer-layout files must give the same state (or the same
error) as ``build_state(json.loads(...))``, Python's own parser being the reference."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trainmon_tui.files import blockread
from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import StateError, TrainerState
from trainmon_tui.files.state import StateCache, parse_state

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


# --- hostile keys and strings, values a marker could collide with --------------------------------------
#
# The block reader swaps bare NaN / Infinity for the marker floats 5e-324, 1e-323 and 1.5e-323 before orjson
# sees a block, and counts them back. A token inside a key or a string must never be swapped (the key would
# be renamed), and a genuine marker-valued number must never be taken for a swapped token.

MARKER_FLOATS = [5e-324, 1e-323, 1.5e-323, -5e-324, 2e-323]
HOSTILE_TEXT = [
    "note: NaN",
    "x: Infinity",
    "y: -Infinity",
    ": NaN",
    '": NaN',  # json.dumps writes it with an escaped quote: "\": NaN"
    'a\\": NaN',
    'k": NaN, "loss',
    "\ud800",
    "\ud800: NaN",
    "loss: NaN",
    "eval_x: NaN",
    "NaN",
    "Infinity",
    "\u2063trainmon:NaN",
    "\u2063trainmon:Infinity",
    "\u2063trainmon:log_history",
]
NAMES = [
    "loss",
    "grad_norm",
    "learning_rate",
    "epoch",
    "eval_loss",
    "eval_acc",
    "train_loss",
    "train_runtime",
]


def reference_or_error(data: bytes, path: Path) -> TrainerState | str:
    try:
        return build_state(json.loads(data), path, mtime=1.0, size=len(data))
    except StateError as error:
        return str(error)


def assert_fast_equals_reference(data: bytes, path: Path) -> None:
    ref = reference_or_error(data, path)
    if isinstance(ref, str):
        with pytest.raises(StateError) as info:
            parse_state(data, path, mtime=1.0)
        assert str(info.value) == ref
    else:
        assert_same_state(parse_state(data, path, mtime=1.0), ref)


@pytest.mark.parametrize("marker", MARKER_FLOATS[:3])
@pytest.mark.parametrize("key", ["note: NaN", "x: Infinity", "y: -Infinity", '": NaN'])
@pytest.mark.parametrize("block_bytes", [150, 1 << 18])
def test_a_token_inside_a_key_next_to_a_marker_valued_loss(key, marker, block_bytes, monkeypatch):
    """Issue 8, item 9: a key holding ": NaN" in the same block as a loss equal to the marker."""
    monkeypatch.setattr(blockread, "BLOCK_BYTES", block_bytes)
    log = [{"loss": 0.5, "step": 1}, {key: 1.0, "loss": marker, "step": 2}, {"loss": math.nan, "step": 3}]
    raw = {"global_step": 3, "log_history": log}
    data = (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode()
    path = Path("/runs/x/checkpoint-3/trainer_state.json")
    state = parse_state(data, path, mtime=1.0)
    assert key in state.series and state.get(key).values.tolist() == [1.0]
    assert state.loss.values[1] == marker and math.isnan(state.loss.values[2])
    assert_fast_equals_reference(data, path)


@pytest.mark.parametrize(
    "line",
    [
        '"note\\u0022: NaN": 1.0',  # an escaped quote as a unicode escape: the key is `note": NaN`
        '"note\\": NaN": 1.0',
        '"note": "a\\": NaN"',
        '"note\\ud800: NaN": 1.0',
        '"note": "\\u2063trainmon:NaN"',
    ],
)
def test_hand_written_escapes_in_keys_and_strings(line, monkeypatch):
    monkeypatch.setattr(blockread, "BLOCK_BYTES", 150)
    text = (
        '{\n  "global_step": 2,\n  "log_history": [\n'
        '    {\n      "loss": 5e-324,\n      "step": 1\n    },\n'
        f'    {{\n      "loss": NaN,\n      {line},\n      "step": 2\n    }}\n'
        "  ]\n}\n"
    )
    path = Path("/runs/x/trainer_state.json")
    state = parse_state(text.encode(), path, mtime=1.0)
    assert state.loss.values[0] == 5e-324 and math.isnan(state.loss.values[1])
    assert_fast_equals_reference(text.encode(), path)


@pytest.mark.parametrize("spelling", ["4.9406564584124654e-324", "0.5e-323", "1E-323", "15e-324", "-0.0"])
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_marker_values_however_spelled_next_to_a_bare_token(spelling, token):
    """The markers are compared as parsed bits, so any spelling of 5e-324, 1e-323 or 1.5e-323 counts."""
    text = (
        '{\n  "global_step": 2,\n  "log_history": [\n'
        f'    {{\n      "grad_norm": {token},\n      "loss": {spelling},\n      "step": 1\n    }},\n'
        f'    {{\n      "grad_norm": 1.0,\n      "loss": {token},\n      "step": 2\n    }}\n'
        "  ]\n}\n"
    ).encode()
    path = Path("/runs/x/trainer_state.json")
    assert parse_state(text, path, mtime=1.0).loss.values[0] == float(spelling)
    assert_fast_equals_reference(text, path)


def test_a_string_that_looks_like_the_internal_marker_stays_a_string(helpers, tmp_path):
    """The reader marks bare NaN for orjson; a file's own string equal to that mark is still a string."""
    log = [{"acc": "\u2063trainmon:NaN", "loss": 0.5, "step": 1}, {"loss": math.nan, "step": 2}]
    raw = {"best_model_checkpoint": "\u2063trainmon:Infinity", "global_step": 2, "log_history": log}
    data = (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode()
    for reader in (parse_state, lambda d, p, **k: build_state(json.loads(d), p, **k)):
        state = reader(data, tmp_path / "trainer_state.json", mtime=1.0)
        assert "acc" not in state.series  # a string is not a metric
        assert state.best_model_checkpoint == "\u2063trainmon:Infinity"


# --- the property: any log_history in the Trainer's layout, hostile or not ------------------------------

_text = st.text(alphabet=st.sampled_from(list(': NaIfty-"\\,{}[]e5\u2063')), min_size=1, max_size=12)
# Keys whose JSON text holds a bare token after ": " (what the swap looks for), or an escape.
TOKEN_KEYS = [k for k in HOSTILE_TEXT if ": " in k and "\ud800" not in k]
_keys = st.one_of(st.sampled_from(NAMES), st.sampled_from(TOKEN_KEYS), st.sampled_from(HOSTILE_TEXT), _text)
# Numbers only (what add_fast takes), markers and bare tokens often: a block of these goes the fast way.
_numeric = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from(MARKER_FLOATS),
    st.sampled_from(MARKER_FLOATS[:3]),
    st.sampled_from([0.5, 2]),
    st.floats(width=64),  # NaN, ±inf and subnormals included
    st.integers(min_value=-(2**70), max_value=2**70),
)
_values = st.one_of(
    _numeric,
    st.sampled_from([0.0, -0.0, 1.0, 0, 1, True, False, None]),
    st.sampled_from([2**63 - 1, 2**63, 2**64, -(2**63), -(2**63) - 1, 10**30, 10**400]),
    st.sampled_from(HOSTILE_TEXT),
    _text,
    st.lists(st.sampled_from([1, math.nan, "NaN", None]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b: NaN"]), st.sampled_from([math.nan, 1.0]), max_size=1),
)
_ODD_STEPS = [2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400, 1.5, 2.0, math.nan, math.inf, None, True, "7"]


@st.composite
def _entries(draw: st.DrawFn) -> list[tuple[dict[str, Any], Any, bool]]:
    """Entries of a few key sets of distinct lengths (as real trainers log: the fast path takes blocks of
    those) with numbers from a small pool (values repeat, so a marker-valued number and a token key meet in
    one block), mixed with entries of any keys and values; each with a step, nearly always the next one."""
    shapes = draw(
        st.lists(st.lists(_keys, min_size=1, max_size=4, unique=True), min_size=1, max_size=3, unique_by=len)
    )
    pool = draw(st.lists(_numeric, min_size=1, max_size=5))
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=30))):
        if draw(st.integers(min_value=0, max_value=7)):
            entry = {key: draw(st.sampled_from(pool)) for key in draw(st.sampled_from(shapes))}
        else:
            entry = draw(st.dictionaries(_keys, _values, max_size=5))
        step = "next" if draw(st.integers(min_value=0, max_value=7)) else draw(st.sampled_from(_ODD_STEPS))
        out.append((entry, step, draw(st.integers(min_value=0, max_value=7)) > 0))
    return out


def _trainer_bytes(raw: dict[str, Any]) -> bytes:
    return (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(
    log=_entries(),
    clean=st.integers(min_value=0, max_value=8),
    cut=st.integers(min_value=0, max_value=40),
    global_step=st.sampled_from(["last", None, math.inf, math.nan, 2**64, -(2**63) - 1, "x", 1.5]),
    best=st.sampled_from([None, 0.5, math.nan, 5e-324, *HOSTILE_TEXT]),
    block_bytes=st.sampled_from([150, 400, 1000, 1 << 18]),
)
# The collisions of issue 8, item 9, always tried: a token in a key, a marker-valued number in its block.
@example(
    log=[({"loss": 0.5, "note: NaN": 5e-324}, "next", True)],
    clean=0,
    cut=0,
    global_step="last",
    best=None,
    block_bytes=150,
)
@example(
    log=[({"loss": math.nan}, "next", True), ({"loss": 1.5e-323, "y: -Infinity": 2.0}, "next", True)],
    clean=3,
    cut=4,
    global_step="last",
    best=None,
    block_bytes=1 << 18,
)
def test_property_fast_reader_equals_the_reference(log, clean, cut, global_step, best, block_bytes):
    """Random entries with hostile keys, big integers, NaN/Infinity in every position and marker-valued
    numbers, after a few clean ones, written as the Trainer writes (``json.dumps(state, indent=2,
    sort_keys=True)``, bare NaN/Infinity): the fast reader gives exactly what ``build_state(json.loads(...))``
    gives, or the same error; and so does the incremental path (:class:`StateCache` reading the file after
    one whose log is a prefix of it)."""
    history: list[Any] = []
    step = 0
    for _ in range(clean):  # well-formed entries in the Trainer's shape
        step += 1
        history.append(
            {"epoch": step / 10, "grad_norm": 1 / step, "learning_rate": 1e-4, "loss": 2 / step, "step": step}
        )
    for entry, entry_step, has_step in log:
        entry = dict(entry)
        if has_step:
            step += 1
            entry["step"] = step if entry_step == "next" else entry_step
        history.append(entry)

    def state(log_history: list[Any]) -> dict[str, Any]:
        return {
            "best_metric": best,
            "best_model_checkpoint": best if isinstance(best, str) else None,
            "global_step": step if global_step == "last" else global_step,
            "log_history": log_history,
            "max_steps": 100,
        }

    data = _trainer_bytes(state(history))
    saved = blockread.BLOCK_BYTES
    blockread.BLOCK_BYTES = block_bytes
    try:
        assert_fast_equals_reference(data, Path("/runs/x/checkpoint-9/trainer_state.json"))
        with tempfile.TemporaryDirectory() as folder:
            older = Path(folder) / "checkpoint-1" / "trainer_state.json"
            newer = Path(folder) / "checkpoint-2" / "trainer_state.json"
            for path, content in ((older, _trainer_bytes(state(history[:cut]))), (newer, data)):
                path.parent.mkdir()
                path.write_bytes(content)
            cache = StateCache()
            with contextlib.suppress(StateError):
                cache.load(older)
            ref = reference_or_error(data, newer)
            if isinstance(ref, str):
                with pytest.raises(StateError) as info:
                    cache.load(newer)
                assert str(info.value) == ref
            else:
                assert_same_state(dataclasses.replace(cache.load(newer), mtime=1.0), ref)
    finally:
        blockread.BLOCK_BYTES = saved
