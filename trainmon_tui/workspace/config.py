"""The hyperparameters of each run, and those that differ between the runs: a sweep read as a table.

A run's configuration (:func:`run_config`) is what the callback's start record holds (the TrainingArguments,
JSON-safe and without secrets, and the model's name), with what ``trainer_state.json`` itself says laid
over it (``train_batch_size``, ``num_train_epochs``, ``max_steps``, ``logging_steps``, and a hyperparameter
search trial's ``trial_params``). Never ``training_args.bin`` (a pickle). :func:`differing` picks the keys
whose values are not the same in every run that has them, the usual suspects first (learning rate, batch
size, warmup, seed, ...), and leaves out the keys that differ in every sweep without meaning anything
(``output_dir``, ``logging_dir``, ``run_name``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.livelog import LiveLog

Scalar = int | float | str | bool | None
Config = dict[str, Scalar]

STATE_KEYS = ("train_batch_size", "num_train_epochs", "max_steps", "logging_steps")
# Differ from run to run by construction, or say nothing about training.
NOISE = frozenset(
    {
        "output_dir", "logging_dir", "run_name", "hub_model_id", "resume_from_checkpoint", "local_rank",
        "process_index", "world_size", "n_gpu", "device", "_n_gpu", "report_to", "overwrite_output_dir",
        "deepspeed", "accelerator_config", "ddp_backend", "push_to_hub", "hub_strategy",
    }
)  # fmt: skip
# The order a person scans a sweep in, then the rest alphabetically.
FIRST = (
    "model", "learning_rate", "per_device_train_batch_size", "train_batch_size",
    "gradient_accumulation_steps", "warmup_steps", "warmup_ratio", "weight_decay", "lr_scheduler_type",
    "num_train_epochs", "max_steps", "seed", "optim", "max_grad_norm", "adam_beta1", "adam_beta2",
)  # fmt: skip
# Column headers a table can afford.
SHORT = {
    "learning_rate": "lr",
    "per_device_train_batch_size": "bs/dev",
    "train_batch_size": "batch",
    "gradient_accumulation_steps": "accum",
    "warmup_steps": "warmup",
    "warmup_ratio": "warmup%",
    "weight_decay": "wd",
    "lr_scheduler_type": "sched",
    "num_train_epochs": "epochs",
    "max_steps": "max",
    "max_grad_norm": "clip",
    "logging_steps": "log every",
}
MAX_COLUMNS = 8


def run_config(state: TrainerState | None, live: LiveLog | None) -> Config:
    """One run's hyperparameters: the start record's arguments and model, the state's own fields over them."""
    config: Config = {}
    start = live.start if live is not None else None
    if start is not None:
        config.update(start.args)
        if start.model:
            config["model"] = start.model
    if state is not None:
        for key in STATE_KEYS:
            value = getattr(state, key)
            if value is not None and (key != "max_steps" or value > 0):
                config[key] = value
        if state.trial_params:
            config.update(state.trial_params)
    return config


def _same(values: Sequence[Scalar]) -> bool:
    first = values[0]
    return all(type(v) is type(first) and v == first for v in values[1:])


def differing(configs: Sequence[Mapping[str, Scalar]], most: int = MAX_COLUMNS) -> list[str]:
    """The keys whose values differ between the runs that have them (at least two runs must), at most
    ``most`` of them, the usual hyperparameters first."""
    keys: set[str] = set()
    for config in configs:
        keys.update(config)
    out = []
    for key in keys - NOISE:
        values = [config[key] for config in configs if key in config]
        if len(values) >= 2 and not _same(values):
            out.append(key)
    rank = {key: index for index, key in enumerate(FIRST)}
    out.sort(key=lambda key: (rank.get(key, len(FIRST)), key))
    return out[:most]


def short_name(key: str) -> str:
    """A column header for ``key``: the usual short name, or the key itself."""
    return SHORT.get(key, key)


def format_value(value: Scalar) -> str:
    """A hyperparameter as a table cell: ``5e-05``, ``8``, ``cosine``, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
