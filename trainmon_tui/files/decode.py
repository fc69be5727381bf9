"""JSON as the Trainer's files hold it decoded: bare ``NaN`` / ``Infinity`` and integers of any length.

:func:`decode_json` is the reference decoding of a state file (and of a block cut from one), and
:data:`PLACEHOLDER_PREFIX` the mark :mod:`.blockread` puts where it cut the log out of a file.
"""

from __future__ import annotations

from typing import Any

from trainmon_tui.files.numeric import loads_big_ints

try:  # orjson is several times faster on large files; the stdlib is the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

# The placeholder blockread puts where the log was cut out (an invisible separator first: checked to come
# back as the top-level "log_history" value, so a file's own string cannot pass for it).
PLACEHOLDER_PREFIX = "\u2063trainmon:"


def decode_json(data: bytes) -> Any:
    """Decode JSON that may hold bare ``NaN`` / ``Infinity`` tokens and integers of any length.

    orjson first (several times faster); what it refuses (bare tokens, numbers beyond a double, lone
    surrogates, broken JSON) goes to the stdlib parser, which is the reference: it reads bare tokens as
    floats and, through :func:`~.numeric.loads_big_ints`, integers beyond its digit limit as ±10^4300.
    Values come back as the file wrote them: no marker strings a file's own string could be taken for.
    (Large files in the Trainer's layout take :mod:`.blockread`'s way, which swaps bare tokens itself.)
    """
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return loads_big_ints(data)
