"""The run's configuration in the start record: its TrainingArguments made JSON-safe, secrets left out.

The writer's side (:func:`training_args`, :func:`model_name`) runs in the training process: it takes
``args.to_dict()`` and keeps what JSON can hold (numbers, strings, booleans, null; lists of those), leaving
out every key that names a secret (``hub_token``, ``push_to_hub_token``, anything with ``token``,
``secret``, ``password`` or ``api_key`` in it). The reader's side (:func:`read_args`) takes the same
object back from a line of the live log, as untrusted data: scalars only, names and strings cut short.
Standard library only: the training process imports it. Never ``training_args.bin`` (a pickle).
"""

from __future__ import annotations

import math
from typing import Any

SECRET_WORDS = ("token", "secret", "password", "api_key", "apikey", "credential")
MAX_KEYS = 400
MAX_TEXT = 200
MAX_LIST = 20

Scalar = int | float | str | bool | None


def is_secret(key: str) -> bool:
    """A key that may hold a credential: never written, never shown."""
    lowered = key.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _scalar(value: Any) -> tuple[bool, Scalar]:
    """(kept, value): a JSON scalar as itself (non-finite floats as None), an enum by its value."""
    value = getattr(value, "value", value)  # IntervalStrategy, SchedulerType, ...: str enums
    if value is None or isinstance(value, (bool, int, str)):
        return True, value[:MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, float):
        return True, value if math.isfinite(value) else None
    return False, None


def _json_safe(value: Any) -> Any:
    kept, scalar = _scalar(value)
    if kept:
        return scalar
    if isinstance(value, (list, tuple)):
        items = [_scalar(v) for v in list(value)[:MAX_LIST]]
        return [v for ok, v in items if ok]
    return str(value)[:MAX_TEXT]  # a path, a dataclass: its text


def training_args(args: Any) -> dict[str, Any] | None:
    """``args.to_dict()`` JSON-safe and without secrets; None when the arguments have no ``to_dict``."""
    to_dict = getattr(args, "to_dict", None)
    if not callable(to_dict):
        return None
    try:
        raw = to_dict()
    except Exception:  # never stop the training for its description
        return None
    if not isinstance(raw, dict):
        return None
    return {str(k): _json_safe(v) for k, v in list(raw.items())[:MAX_KEYS] if not is_secret(str(k))}


def model_name(model: Any) -> str | None:
    """The model's name as loaded (``config._name_or_path``, else ``name_or_path``), when it has one."""
    config = getattr(model, "config", None)
    for owner, attribute in ((config, "_name_or_path"), (model, "name_or_path"), (config, "name_or_path")):
        name = getattr(owner, attribute, None) if owner is not None else None
        if isinstance(name, str) and name:
            return name[:MAX_TEXT]
    return None


def read_args(value: Any) -> dict[str, Scalar]:
    """The start record's ``args`` as read back: scalars only (a list as its text), secrets dropped."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Scalar] = {}
    for key, item in list(value.items())[:MAX_KEYS]:
        name = str(key)[:MAX_TEXT]
        if is_secret(name):
            continue
        kept, scalar = _scalar(item)
        if kept:
            out[name] = scalar
        elif isinstance(item, list):
            out[name] = ",".join(str(v) for v in item[:MAX_LIST])[:MAX_TEXT]
    return out
