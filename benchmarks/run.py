"""Run the benchmark suite: ``python -m benchmarks.run --sizes 1k,10k,100k,1m --out benchmarks/results.md``.

Every row of issue 5's table is measured next to a naive way in the same run, and printed as a Markdown
table of medians with the ratio naive / ours. The synthetic runs are generated once with the core's
simulator and cached (see :mod:`benchmarks.data`). Each row's nominal size is capped at the largest size
asked for, so ``--sizes 1k`` runs every row on the 1,000-entry run (CI's smoke run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchmarks import data
from benchmarks.health import rows_health
from benchmarks.live_probe import save_checkpoint
from benchmarks.metrics_view import rows_metrics_view
from benchmarks.naive import BARE_JSON_LOAD, full_series, plotext_full
from benchmarks.sysprobe_cost import row_sysprobe, row_system_idle
from benchmarks.tmux import TmuxPane, cpu_seconds, peak_rss_mb, tmux_available
from benchmarks.util import (
    Row,
    clean_env,
    console_script,
    interleaved,
    machine_line,
    markdown_table,
    median,
    time_call,
    time_process,
)
from benchmarks.workspace import rows_workspace

CHART_W, CHART_H = 160, 48
NAIVE_PLOT_CAP = 100_000  # the naive chart: plotext on the full 100,000-point series
ROW_SIZES = {  # the sizes issue 5 names for each row
    "charts": 1_000_000,
    "live_small": 10_000,
    "live_big": 200_000,
    "summary": 200_000,
    "startup": 10_000,
    "rss": 200_000,
    "png": 200_000,
    "metrics": 200_000,
    "system_idle": 10_000,
    "health": 200_000,
    "workspace": 10_000,  # per run, 100 runs
}

Log = Callable[[str], None]


def _ms(seconds: list[float]) -> float:
    return median(seconds) * 1000


def _label(n: int) -> str:
    return f"{n:,}"


# --- row 1 ---------------------------------------------------------------------------------------


def row_charts(n: int, repeats: int, log: Log) -> Row:
    from trainmon_tui.files.state import load_state
    from trainmon_tui.views.chartdata import points_for_width, prepare
    from trainmon_tui.views.terminal import render_grid

    state = load_state(data.state_file(n))
    naive_n = min(n, NAIVE_PLOT_CAP)
    with open(data.state_file(naive_n)) as f:
        naive_series = full_series(json.load(f)["log_history"])  # lists made before the clock starts
    max_points = points_for_width(CHART_W // 2)  # as --plot does: each chart is half the width

    def ours() -> None:
        render_grid(prepare(state, max_points), CHART_W, CHART_H)

    def naive() -> None:
        plotext_full(None, CHART_W, CHART_H, prepared=naive_series)

    ours()  # warm-up: plotext's first build imports and caches
    a, b = interleaved(ours, naive, repeats)
    log(f"charts: ours {_ms(a):.1f} ms, naive {_ms(b):.0f} ms")
    ratio = _ms(b) / _ms(a)
    return Row(
        "1",
        f"four terminal charts (chartdata.prepare + render_grid), {_label(n)}-entry history, "
        f"{CHART_W}x{CHART_H}",
        "<= 100 ms and >= 50x faster than naive",
        _ms(a),
        _ms(b),
        f"plotext on the full {_label(naive_n)}-point series",
        "ms",
        _ms(a) <= 100 and ratio >= 50,
    )


# --- rows 2 and 3 --------------------------------------------------------------------------------


def row_live(key: str, n: int, repeats: int, target_ms: float, log: Log, work: Path) -> Row:
    folder = work / f"live-{n}"
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.live_probe", str(folder), str(n), str(repeats)],
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"live probe failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    painted = _ms(result["painted"])
    applied = _ms(result["applied"])
    worker = _ms(result["worker"])
    # The naive reload of a new checkpoint: the whole file through the stdlib json, then the four
    # plotext charts from the full series (the work only: no event wait, no Textual).
    new_file = data.state_file(n)

    def naive_reload() -> None:
        with open(new_file) as f:
            plotext_full(json.load(f)["log_history"], CHART_W, CHART_H)

    naive = [time_call(naive_reload) for _ in range(repeats)]
    log(f"live {n}: painted {painted:.0f} ms, applied {applied:.0f} ms, worker {worker:.1f} ms")
    return Row(
        key,
        f"new checkpoint on disk -> on screen, {_label(n)}-entry run, {result['watch']} "
        f"(real TrainmonApp, run_test 160x48)",
        f"<= {target_ms:.0f} ms",
        painted,
        _ms(naive),
        "a naive reload's work alone (no event wait, no screen): stdlib json.load of the whole file + "
        "plotext on the full series",
        "ms",
        painted <= target_ms,
        f"state file closed -> four charts rendered; snapshot applied at {applied:.0f} ms, of which "
        f"{result['event_wait'][1] * 1000:.0f} ms is the app's wait after a file event "
        f"({result['event_wait'][0]}) and {worker:.1f} ms the reload "
        f"worker (take_snapshot); work against work, the naive reload takes {_ms(naive) / worker:.0f}x "
        "the worker's time",
    )


# --- row 4 ---------------------------------------------------------------------------------------


def row_summary(n: int, repeats: int, log: Log) -> Row:
    path = data.state_file(n)
    env = clean_env()
    ours_argv = [*console_script(), "--checkpoint", str(path), "--summary", "--format", "json"]
    bare_argv = [sys.executable, "-c", BARE_JSON_LOAD.format(path=str(path))]
    time_process(ours_argv, env=env)  # warm the page cache and .pyc files
    time_process(bare_argv, env=env)
    a, b = interleaved(
        lambda: time_process(ours_argv, env=env), lambda: time_process(bare_argv, env=env), repeats
    )
    ratio = _ms(a) / _ms(b)
    log(f"summary: ours {_ms(a):.0f} ms, bare {_ms(b):.0f} ms, {ratio:.2f}x")
    return Row(
        "4",
        f"`trainmon-tui --checkpoint F --summary --format json`, {_label(n)}-entry file "
        f"({path.stat().st_size / 1e6:.0f} MB), whole process",
        "<= 1.2x the bare json.load process",
        _ms(a),
        _ms(b),
        '`python -c "import json; json.load(open(F))"` process',
        "ms",
        ratio <= 1.2,
        f"ours / bare = {ratio:.2f}x",
    )


# --- rows 5, 6, 7: a real dashboard process in tmux ----------------------------------------------


def _needles(n: int) -> list[str]:
    return [f"checkpoint-{n}", f"step {n}"]


def row_startup(n: int, repeats: int, log: Log) -> Row:
    outputs = data.run_folder(n)
    argv = [*console_script(), str(outputs)]
    env = clean_env()
    times = []
    for _ in range(repeats + 1):
        with TmuxPane(CHART_W, CHART_H, env) as pane:
            pane.start(argv)
            times.append(pane.wait_for(_needles(n)))
    times = times[1:]  # the first start warms the page cache and .pyc files
    path = data.state_file(n)
    naive_argv = [sys.executable, "-m", "benchmarks.naive", "plotext", str(path)]
    naive = [time_process(naive_argv, env=env) for _ in range(repeats)]
    log(f"startup: ours {_ms(times):.0f} ms, naive {_ms(naive):.0f} ms")
    return Row(
        "5",
        f"dashboard start to first full paint, {_label(n)}-entry run "
        f"(whole process in tmux {CHART_W}x{CHART_H}, "
        "until the screen shows the checkpoint and its step)",
        "<= 1000 ms",
        _ms(times),
        _ms(naive),
        "process: stdlib json.load + plotext four charts on the full series",
        "ms",
        _ms(times) <= 1000,
    )


def rows_rss_idle(n: int, idle_seconds: float, log: Log, work: Path) -> tuple[Row, Row]:
    path = data.state_file(n)
    # A run of two checkpoints, the second's log extending the first's as the Trainer writes them: the
    # dashboard opens on the first, then the second is saved while it runs.
    first, second = data.checkpoint_pair(n)
    outputs = work / f"rss-run-{n}"
    (outputs / first.parent.name).mkdir(parents=True)
    shutil.copyfile(first, outputs / first.parent.name / first.name)
    next_step = n + data.SAVE_STEPS
    next_text = second.read_text(encoding="utf-8")
    env = clean_env()
    # VmHWM of the child itself: ru_maxrss would carry over this (large) process's peak across exec.
    naive_rss_code = (
        f"import json; json.load(open({str(path)!r})); "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])"
    )
    naive_rss = (
        int(
            subprocess.run(
                [sys.executable, "-c", naive_rss_code], capture_output=True, text=True, check=True
            ).stdout
        )
        / 1024
    )
    with TmuxPane(CHART_W, CHART_H, env) as pane:
        pane.start([*console_script(), str(outputs)])
        first = pane.wait_for(_needles(n), timeout=120)
        pid = pane.pid()
        time.sleep(1.0)
        rss_start = peak_rss_mb(pid)
        # A new checkpoint while it runs: the reload holds the new file and the previous one's bytes.
        save_checkpoint(outputs, next_step, next_text, keep=2)
        del next_text
        pane.wait_for(_needles(next_step), timeout=120)
        time.sleep(1.0)
        rss = peak_rss_mb(pid)
        log(
            f"rss: dashboard {rss:.0f} MB after a new checkpoint ({rss_start:.0f} MB after start; "
            f"first paint "
            f"after {first * 1000:.0f} ms), bare json.load {naive_rss:.0f} MB"
        )
        # Idle CPU: nothing changes; the naive poller runs alongside over the same window.
        time.sleep(2.0)
        poller = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.naive", "poll", str(path), str(idle_seconds)]
        )
        try:
            before, wall = cpu_seconds(pid), time.perf_counter()
            time.sleep(idle_seconds)
            used, wall = cpu_seconds(pid) - before, time.perf_counter() - wall
            naive_cpu = cpu_seconds(poller.pid)
        finally:
            poller.wait(timeout=idle_seconds + 30)
    idle = used / wall * 100
    naive_pct = naive_cpu / wall * 100
    log(f"idle: dashboard {idle:.2f}% of a core over {wall:.0f} s, naive poller {naive_pct:.2f}%")
    rss_row = Row(
        "6",
        f"peak RSS of the dashboard with the {_label(n)}-entry run loaded, then one new checkpoint "
        "(VmHWM of the tmux process)",
        "<= 200 MB",
        rss,
        naive_rss,
        "peak RSS (VmHWM) of a bare json.load process",
        "MB",
        rss <= 200,
        f"{rss_start:.0f} MB after start, {rss:.0f} MB after the new checkpoint was shown",
    )
    idle_row = Row(
        "7",
        f"CPU while idle, dashboard open on the {_label(n)}-entry run, over {idle_seconds:g} s "
        "(utime+stime from /proc/PID/stat)",
        "<= 1% of one core",
        idle,
        naive_pct,
        "a loop re-reading the file with json.load every 2 s",
        "%",
        idle <= 1.0,
    )
    return rss_row, idle_row


# --- row 8 ---------------------------------------------------------------------------------------


def row_png(n: int, repeats: int, log: Log, work: Path) -> Row:
    path = data.state_file(n)
    env = clean_env()
    env["MPLBACKEND"] = "Agg"
    counter = iter(range(10**6))

    def ours() -> float:
        out = work / f"ours-{next(counter)}.png"
        return time_process([*console_script(), "--checkpoint", str(path), "--save-plot", str(out)], env=env)

    def naive() -> float:
        out = work / f"naive-{next(counter)}.png"
        return time_process(
            [sys.executable, "-m", "benchmarks.naive", "matplotlib", str(path), str(out)], env=env
        )

    ours()  # warm-up: matplotlib's font cache, .pyc files
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        a.append(ours())
        b.append(naive())
    log(f"png: ours {_ms(a):.0f} ms, naive {_ms(b):.0f} ms")
    return Row(
        "8",
        f"`trainmon-tui --checkpoint F --save-plot X.png`, {_label(n)}-entry run, whole process",
        "<= 2500 ms",
        _ms(a),
        _ms(b),
        "process: stdlib json.load + pyplot of the full series, savefig",
        "ms",
        _ms(a) <= 2500,
    )


# --- by size -------------------------------------------------------------------------------------


def scaling_table(sizes: list[int], repeats: int, log: Log) -> str:
    """Core costs by run size: parse (``load_state``) against stdlib json, a new checkpoint through the
    dashboard's cache (only the new entries parsed) against a full parse of it, and the charts."""
    from trainmon_tui.files.model import TrainerState
    from trainmon_tui.files.state import StateCache, load_state
    from trainmon_tui.views.chartdata import points_for_width, prepare
    from trainmon_tui.views.terminal import render_grid

    lines = [
        "| entries | file | load_state | stdlib json.load | json / ours | new checkpoint (+500 steps): "
        "StateCache.load + prepare | same, full parse | prepare + render_grid |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        path = data.state_file(n)
        r = repeats if n < 1_000_000 else max(1, min(repeats, 3))

        def stdlib(path: Path = path) -> None:
            with open(path) as f:
                json.load(f)

        a, b = interleaved(lambda path=path: load_state(path), stdlib, r)
        state = load_state(path)

        def charts(state: TrainerState = state) -> None:
            render_grid(prepare(state, points_for_width(CHART_W // 2)), CHART_W, CHART_H)

        c = [time_call(charts) for _ in range(r)]
        del state
        first, second = data.checkpoint_pair(n)
        reload_new, reload_full = [], []
        for _ in range(r):
            cache = StateCache()
            cache.load(first)
            reload_new.append(time_call(lambda cache=cache, second=second: prepare(cache.load(second), 320)))
            reload_full.append(time_call(lambda second=second: prepare(StateCache().load(second), 320)))
        log(
            f"size {n}: load_state {_ms(a):.0f} ms, json.load {_ms(b):.0f} ms, new checkpoint "
            f"{_ms(reload_new):.0f} ms (full parse {_ms(reload_full):.0f} ms)"
        )
        lines.append(
            f"| {_label(n)} | {path.stat().st_size / 1e6:.1f} MB | {_ms(a):.1f} ms | {_ms(b):.1f} ms "
            f"| {_ms(b) / _ms(a):.2f}x | {_ms(reload_new):.1f} ms | {_ms(reload_full):.1f} ms "
            f"| {_ms(c):.1f} ms |"
        )
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", default="1k,10k,100k,1m", help="run sizes in log entries (default: %(default)s)"
    )
    p.add_argument(
        "--repeats", type=int, default=5, help="timed repeats per row; medians are shown (default 5)"
    )
    p.add_argument("--idle-seconds", type=float, default=60.0, help="idle-CPU window (default 60)")
    p.add_argument("--out", type=Path, help="also write the Markdown to this file")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = p.parse_args(argv)
    sizes = sorted({data.parse_size(s) for s in args.sizes.split(",") if s.strip()})
    cap = max(sizes)
    size = {name: min(nominal, cap) for name, nominal in ROW_SIZES.items()}

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    if not tmux_available():
        raise SystemExit("tmux is needed for rows 5 to 7 (apt-get install tmux)")
    log("generating / checking the cached runs ...")
    for n in sorted(set(sizes) | set(size.values())):
        data.state_file(n)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="trainmon-bench-"))
    try:
        rows = [row_charts(size["charts"], args.repeats, log)]
        rows.append(row_live("2", size["live_small"], args.repeats, 300, log, work))
        rows.append(row_live("3", size["live_big"], args.repeats, 1000, log, work))
        rows.append(row_summary(size["summary"], args.repeats, log))
        rows.append(row_startup(size["startup"], args.repeats, log))
        rows.extend(rows_rss_idle(size["rss"], args.idle_seconds, log, work))
        rows.append(row_png(size["png"], args.repeats, log, work))
        rows.extend(rows_metrics_view(size["metrics"], args.repeats, log))
        rows.append(row_sysprobe(args.repeats, log))
        rows.append(row_system_idle(size["system_idle"], args.idle_seconds, log))
        rows.extend(rows_health(size["health"], args.repeats, log))
        rows.extend(rows_workspace(size["workspace"], args.repeats, log, work))
        by_size = scaling_table(sizes, args.repeats, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = "\n".join(
        [
            f"## Benchmark results ({datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Machine: {machine_line()}. Medians of {args.repeats} repeats; naive and ours measured in the "
            f"same run, alternating. Sizes: {', '.join(_label(n) for n in sizes)} entries. "
            f"Took {time.perf_counter() - started:.0f} s.",
            "",
            markdown_table(rows),
            "",
            "Notes:",
            *[f"- row {row.key}: {row.note}" for row in rows if row.note],
            "",
            "### Core costs by run size",
            "",
            by_size,
            "",
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
