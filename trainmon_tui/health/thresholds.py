"""The detectors' thresholds: documented defaults, each one changeable (``--threshold NAME=VALUE``).

The defaults are chosen to be told once and never woken for nothing: a single odd value in a long run of
healthy ones is a spike only when it is far off both relatively and absolutely, and conditions that heal on
their own (a grad norm overflowing under fp16 loss scaling) end their episode only after many clean logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Thresholds:
    # non-finite loss / grad norm: the episode ends after this many finite values in a row
    nonfinite_clear_logs: int = 20
    # loss spike: a loss above spike_factor x the median of the last spike_window finite losses, and at
    # least spike_min_rise above it (losses near 0 are noisy in ratio), with min_history losses seen first
    spike_factor: float = 3.0
    spike_window: int = 50
    spike_min_rise: float = 0.1
    min_history: int = 10
    # grad-norm explosion: above grad_factor x its rolling median (over grad_window) and above grad_floor,
    # or above grad_max whatever came before
    grad_factor: float = 10.0
    grad_window: int = 50
    grad_floor: float = 5.0
    grad_max: float = 100.0
    # divergence: the smoothed loss (EMA at weight divergence_smoothing) rose at each of the last
    # divergence_logs training logs while the learning rate is above zero
    divergence_logs: int = 20
    divergence_smoothing: float = 0.9
    # overfitting: the eval loss rose at overfit_evals evaluations in a row, by overfit_min_rise (a
    # fraction of where it began) in all, while the smoothed training loss fell
    overfit_evals: int = 3
    overfit_min_rise: float = 0.02
    # learning rate exactly 0 at this many training logs in a row with steps left
    lr_zero_logs: int = 3
    # loss exactly 0.0 at this many training logs in a row (not for GRPO, which logs 0.0 early by design)
    zero_loss_logs: int = 20
    # stalled: silent for longer than max(the summary's stall threshold, stall_minutes)
    stall_minutes: float = 10.0
    # gpu_memory_full: a device's memory used within gpu_memory_margin (a fraction) of its total at every
    # record of a run spanning gpu_full_seconds of wall time (gpu_full_logs records without wall times)
    gpu_memory_margin: float = 0.02
    gpu_full_seconds: float = 60.0
    gpu_full_logs: int = 10
    # input_bound: every device under input_bound_util % busy at every record of a run spanning
    # input_bound_minutes (input_bound_logs records without wall times) while the step advances
    input_bound_util: float = 10.0
    input_bound_minutes: float = 3.0
    input_bound_logs: int = 20
    # rss_growing: over the newest half of the sys/rss series (rss_min_points at least), most deltas >= 0,
    # a new maximum at its end, rss_growth (a fraction) above where that half began; over below half that
    rss_min_points: int = 20
    rss_growth: float = 0.2

    def with_overrides(self, pairs: list[str]) -> Thresholds:
        """These thresholds with ``NAME=VALUE`` pairs applied; a ValueError naming the key otherwise."""
        changed = self
        known = {f.name: f for f in fields(self)}
        for pair in pairs:
            name, sep, text = pair.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in known:
                raise ValueError(f"unknown threshold {name!r} (known: {', '.join(known)})")
            changed = replace(changed, **{name: parse_value(name, text, known[name].type)})  # type: ignore[arg-type]
        return changed


def parse_value(name: str, text: str, kind: object) -> int | float:
    """``text`` as the threshold ``name`` takes it: a positive int or a positive finite float."""
    whole = kind in (int, "int")
    try:
        value: int | float = int(text) if whole else float(text)
    except ValueError:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"threshold {name}: {text.strip()!r} is not {what}") from None
    if not math.isfinite(value) or value <= 0 or (name in _FRACTIONS and value >= 1):
        raise ValueError(f"threshold {name}: {text.strip()!r} is out of range")
    if name in _WINDOWS and value > MAX_WINDOW:  # kept in memory, and numpy's passes span them
        raise ValueError(f"threshold {name}: {text.strip()!r} is out of range (1 to {MAX_WINDOW})")
    return value


MAX_WINDOW = 10_000
_WINDOWS = ("spike_window", "grad_window")
_FRACTIONS = ("divergence_smoothing", "gpu_memory_margin")


DEFAULT = Thresholds()
