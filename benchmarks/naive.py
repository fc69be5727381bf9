"""The naive ways the benchmarks compare against, as the original tool did them.

Every function reads the file with the stdlib ``json`` and keeps the full series as Python lists: no
downsampling, no caching. Run as ``python -m benchmarks.naive MODE FILE [...]`` to time a whole process.

- ``plotext``: the four charts (loss, learning rate, grad norm, loss histogram) drawn with plotext from
  the full series, at 160x48, the text discarded.
- ``matplotlib``: the four charts drawn with pyplot from the full series and saved as a 1200x800 PNG.
- ``poll``: a naive live view, re-reading the whole file every 2 seconds (for the idle-CPU row).
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

BARE_JSON_LOAD = "import json; json.load(open({path!r}))"  # the reference process


def series(log: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """The finite values of ``key`` among the training entries, by step (plotext crashes on inf)."""
    xs: list[float] = []
    ys: list[float] = []
    for entry in log:
        value = entry.get(key)
        if "loss" in entry and isinstance(value, (int, float)) and math.isfinite(value):
            xs.append(entry.get("step", 0))
            ys.append(value)
    return xs, ys


def full_series(log: list[dict[str, Any]]) -> dict[str, tuple[list[float], list[float]]]:
    """The series the four charts draw, as lists (taken out of the timed part of the chart row)."""
    return {key: series(log, key) for key in ("loss", "learning_rate", "grad_norm")}


def plotext_full(
    log: list[dict[str, Any]] | None = None,
    width: int = 160,
    height: int = 48,
    *,
    prepared: dict[str, tuple[list[float], list[float]]] | None = None,
) -> str:
    """The four terminal charts from the full series (what plotext costs without downsampling)."""
    from plotext._figure import _figure_class

    data = prepared if prepared is not None else full_series(log or [])
    figure = _figure_class()
    figure.subplots(2, 2)
    figure.plotsize(width, height)
    figure.subplot(1, 1).plot(*data["loss"])
    figure.subplot(1, 2).plot(*data["learning_rate"])
    figure.subplot(2, 1).plot(*data["grad_norm"])
    figure.subplot(2, 2).hist(data["loss"][1], 30)
    return figure.build()


def matplotlib_full(log: list[dict[str, Any]], out: str) -> None:
    """The original tool's PNG: pyplot, 2x2, every point of every series, 12x8 inches at 100 dpi."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    steps, loss = series(log, "loss")
    axes[0][0].plot(steps, loss, label="loss")
    axes[0][0].set_title("Training loss")
    evals = [(e["step"], e["eval_loss"]) for e in log if "eval_loss" in e]
    if evals:
        axes[0][0].plot([e[0] for e in evals], [e[1] for e in evals], "o-", label="eval loss")
    axes[0][0].legend()
    axes[0][1].plot(*series(log, "learning_rate"))
    axes[0][1].set_title("Learning rate")
    axes[1][0].plot(*series(log, "grad_norm"))
    axes[1][0].set_yscale("log")
    axes[1][0].set_title("Grad norm")
    axes[1][1].hist(loss, bins=40)
    axes[1][1].set_title("Loss distribution")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv: list[str]) -> int:
    mode, path = argv[0], argv[1]
    if mode == "plotext":
        with open(path) as f:
            plotext_full(json.load(f)["log_history"])
    elif mode == "matplotlib":
        with open(path) as f:
            matplotlib_full(json.load(f)["log_history"], argv[2])
    elif mode == "poll":
        end = time.monotonic() + float(argv[2])
        while time.monotonic() < end:
            with open(path) as f:
                json.load(f)
            time.sleep(2.0)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
