"""The core's numbers on a big file equal a plain stdlib ``json`` pass over it (issue 5).

The file is a 100,000-step run written by the simulator exactly as the Trainer writes
(``json.dumps(indent=2, sort_keys=True)``, bare ``NaN`` / ``Infinity`` tokens, eval entries). It is read
three ways: :func:`load_state` (the block-wise fast reading), :class:`StateCache` after a checkpoint half
as long (only the new entries parsed), and :func:`build_state` on the stdlib's own decoding; all three
must give the statistics the stdlib pass gives, and the same series.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import trainmon_tui.files.blockread as blockread
from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import ErrorKind, StateError, TrainerState
from trainmon_tui.files.state import StateCache, load_state, parse_state
from trainmon_tui.simulate import RunConfig, SimulatedRun, synthetic_log_history, write_trainer_state
from trainmon_tui.views.stats import summarize

N_STEPS = 100_000


def _history(n_steps: int) -> list[dict[str, Any]]:
    entries = synthetic_log_history(n_steps, eval_every=500, nan_every=997)
    for entry in entries:
        if "loss" in entry and entry["step"] % 1009 == 0:
            entry["grad_norm"] = math.inf
        if "loss" in entry and entry["step"] % 2003 == 0:
            entry["learning_rate"] = -math.inf
    return entries


def _write(outputs: Path, entries: list[dict[str, Any]], max_steps: int) -> Path:
    step = entries[-1]["step"]
    run = SimulatedRun(outputs, RunConfig(max_steps=max_steps, eval_steps=500))
    run.step = step
    run.log_history = entries
    folder = outputs / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    write_trainer_state(folder / "trainer_state.json", run.state_dict())
    return folder / "trainer_state.json"


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    outputs = tmp_path_factory.mktemp("big")
    entries = _history(N_STEPS)
    half = [e for e in entries if e["step"] <= N_STEPS // 2]
    first = _write(outputs, half, N_STEPS)
    second = _write(outputs, entries, N_STEPS)
    return first, second


def _stdlib_stats(path: Path) -> dict[str, Any]:
    """The statistics, by hand, from the stdlib's json (which reads NaN/Infinity itself)."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    log = raw["log_history"]
    train = [e for e in log if "loss" in e]
    losses = [e["loss"] for e in train]
    finite = [x for x in losses if math.isfinite(x)]
    w = max(1, min(10, len(finite) // 2))
    recent = sum(finite[-w:]) / w
    before = sum(finite[-2 * w : -w]) / w
    evals = [e for e in log if any(k.startswith("eval_") for k in e)]
    last_eval = evals[-1]

    def fin(x: float) -> float | None:
        return x if math.isfinite(x) else None

    return {
        "global_step": raw["global_step"],
        "max_steps": raw["max_steps"],
        "epoch": raw["epoch"],
        "loss": {
            "current": fin(losses[-1]),
            "min": min(finite),
            "max": max(finite),
            "mean": sum(finite) / len(finite),
            "trend": "down" if recent < before else "up" if recent > before else "flat",
            "count": len(finite),
            "nonfinite": len(losses) - len(finite),
        },
        "learning_rate": fin(train[-1]["learning_rate"]),
        "grad_norm": fin(train[-1]["grad_norm"]),
        "eval": {
            "step": last_eval["step"],
            "metrics": {k: fin(v) for k, v in last_eval.items() if k.startswith("eval_")},
        },
        "best_metric": raw["best_metric"],
        "n_entries": len(log),
        "series": {
            key: [(e["step"], e[key]) for e in log if key in e]
            for key in ("loss", "learning_rate", "grad_norm", "epoch", "eval_loss")
        },
    }


def _check(state: TrainerState, expected: dict[str, Any]) -> None:
    got = summarize(state).to_json()
    for key in ("global_step", "max_steps", "epoch", "learning_rate", "grad_norm", "eval", "best_metric"):
        assert got[key] == expected[key], key
    loss, want = got["loss"], expected["loss"]
    for key in ("current", "min", "max", "trend", "count", "nonfinite"):
        assert loss[key] == want[key], key
    assert loss["mean"] == pytest.approx(want["mean"], rel=1e-12)  # numpy sums pairwise
    assert state.n_entries == expected["n_entries"]
    for key, points in expected["series"].items():
        series = state.get(key)
        assert series.steps.tolist() == [p[0] for p in points], key
        np.testing.assert_array_equal(series.values, np.array([p[1] for p in points], dtype=np.float64))


def test_stats_of_the_100k_file_equal_a_stdlib_pass(big_run: tuple[Path, Path]) -> None:
    _, path = big_run
    assert path.stat().st_size > 15_000_000
    text = path.read_bytes()
    assert b": NaN" in text and b": Infinity" in text and b": -Infinity" in text
    expected = _stdlib_stats(path)
    _check(load_state(path), expected)
    with open(path, encoding="utf-8") as f:
        _check(build_state(json.load(f), path, mtime=path.stat().st_mtime, size=len(text)), expected)


def test_a_new_checkpoint_read_from_its_new_entries_gives_the_same(big_run: tuple[Path, Path]) -> None:
    first, second = big_run
    cache = StateCache()
    _check(cache.load(first), _stdlib_stats(first))
    state = cache.load(second)
    _check(state, _stdlib_stats(second))
    assert state.series.keys() == load_state(second).series.keys()


def test_a_half_written_file_does_not_lose_the_previous_one(
    big_run: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4.x Trainers write no incomplete-marker: the dashboard may read the new file half written first."""
    first, second = big_run
    cache = StateCache()
    cache.load(first)
    target = tmp_path / "checkpoint-100000" / "trainer_state.json"
    target.parent.mkdir()
    text = second.read_bytes()
    target.write_bytes(text[: len(text) // 2])
    with pytest.raises(StateError) as caught:
        cache.load(target)
    assert caught.value.kind is ErrorKind.INCOMPLETE
    target.write_bytes(text)

    def no_full_parse(*args: Any) -> Any:
        raise AssertionError("the whole file was parsed again")

    monkeypatch.setattr(blockread, "parse_layout", no_full_parse)
    _check(cache.load(target), _stdlib_stats(second))


# --- the fast reading against the entry-by-entry rules, on odd files -------------------------------

ODD_VALUES: list[Any] = [None, True, False, "x", "NaN", "loss: NaN", "1.5", [1.0, math.nan], {"a": 1}]
ODD_VALUES += [math.nan, math.inf, -math.inf, 0, 1, 0.0, 1.0, -0.0, 5e-324, 1e-323, 1.5e-323, 3.5]


def _odd_history(rng: random.Random, n: int) -> list[Any]:
    log: list[Any] = []
    step = 0
    for _ in range(n):
        step += rng.choice([0, 1, 1, 2])
        r = rng.random()
        if r < 0.8:
            entry: dict[str, Any] = {
                "loss": rng.random(),
                "learning_rate": 1e-5,
                "grad_norm": 1.0,
                "step": step,
            }
        elif r < 0.93:
            entry = {"eval_loss": rng.random(), "eval_runtime": 1.5, "epoch": 0.5, "step": step}
        elif r < 0.99:
            entry = {"custom": rng.random(), "step": step}
        else:
            entry = {"train_loss": 1.0, "train_runtime": 3.0, "step": step}
        if rng.random() < 0.03:
            entry[rng.choice(list(entry))] = rng.choice(ODD_VALUES)
        if rng.random() < 0.01:
            entry.pop("step", None)
        log.append(entry)
        if rng.random() < 0.002:
            log.append(rng.choice([[1], "s", 3, None]))
    return log


def _reference(log: list[Any], path: Path) -> Any:
    """The entry-by-entry rules of ``build_state``, written out plainly (no blocks, no numpy)."""
    columns: dict[str, list[tuple[int, float]]] = {}
    last_train: dict[str, float | None] = {}
    final = None
    eval_step, eval_metrics = None, {}
    step = 0

    def number(v: Any) -> float | None:
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    def fin(v: Any) -> float | None:
        x = number(v)
        return x if x is not None and math.isfinite(x) else None

    for index, entry in enumerate(log):
        if not isinstance(entry, dict):
            return ("error", index)
        if "step" in entry:
            s = number(entry["step"])
            if s is None or not math.isfinite(s):
                return ("error", index)
            step = int(s)
        is_train = "loss" in entry
        if not is_train and {"train_runtime", "train_loss", "train_samples_per_second"} & entry.keys():
            final = {k: number(v) for k, v in entry.items() if number(v) is not None}
            continue
        is_eval = False
        for key, value in entry.items():
            if key == "step":
                continue
            x = number(value)
            if x is None and value is not None and key != "loss":
                continue
            columns.setdefault(key, []).append((step, math.nan if x is None else x))
            if is_train:
                last_train[key] = x  # NaN and inf as logged, None for null or a string loss
            elif key.startswith("eval_"):
                is_eval = True
        if is_eval:
            if step != eval_step:
                eval_step, eval_metrics = step, {}
            eval_metrics.update((k, number(v)) for k, v in entry.items() if k.startswith("eval_"))
    return columns, last_train, final, (eval_step, eval_metrics)


def _as_reference(state: TrainerState) -> Any:
    columns = {
        k: list(zip(s.steps.tolist(), s.values.tolist(), strict=True)) for k, s in state.series.items()
    }
    latest = (state.latest_eval.step, state.latest_eval.metrics) if state.latest_eval else (None, {})
    return columns, state.last_train, state.final, latest


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@pytest.mark.parametrize("seed", range(40))
def test_fast_reading_follows_the_entry_rules(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    log = _odd_history(rng, rng.choice([1, 40, 400, 3000]))
    path = tmp_path / "checkpoint-1" / "trainer_state.json"
    path.parent.mkdir()
    cut = rng.randint(0, len(log))
    files = []
    for part in (log[:cut], log):
        text = json.dumps({"global_step": 7, "log_history": part, "max_steps": 9}, indent=2, sort_keys=True)
        files.append(text.encode() + b"\n")
    expected = _reference(log, path)
    try:
        state = parse_state(files[1], path)
    except Exception:
        assert expected[0] == "error"
        return
    assert _same(_as_reference(state), expected)
    # and through the cache, the second file read after the first
    cache = StateCache()
    path.write_bytes(files[0])
    with contextlib.suppress(Exception):
        cache.load(path)
    path.write_bytes(files[1])
    assert _same(_as_reference(cache.load(path)), expected)
