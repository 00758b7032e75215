"""What a JSON request may carry, checked once for every HTTP function and callable before
any handler sees it: valid UTF-8 JSON, nested at most MAX_DEPTH deep, numbers that JSON
carries exactly, and text that PostgreSQL can store (no NUL, no unpaired surrogate, which
a ``\\ud800`` escape can produce). Anything else is a 400 naming the field."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from errors import ApiError, invalid

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer every JSON client reads exactly
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def load_json(raw: bytes, *, name: str = "body") -> Any:
    """``raw`` parsed as JSON; 400 for anything that is not (including NaN and Infinity,
    which Python's parser would accept, and nesting too deep to parse)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise invalid(name, f"must not nest deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise invalid(name, f"is not valid JSON ({exc})") from None


def check_json(value: Any, *, name: str = "body") -> None:
    """Raise ApiError (400) naming the first field whose value no handler should get."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            _check_text(item, path, name)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_SAFE_INTEGER:
                raise _problem(path, name, "must be a number between -(2^53-1) and 2^53-1")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise _problem(path, name, "must be a finite number")
        elif isinstance(item, dict | list):
            if len(path) >= MAX_DEPTH:
                raise _problem(path, name, f"must not nest deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key, path, name)
                    stack.append((child, (*path, key)))
            else:
                stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
        else:
            raise _problem(path, name, "is not a JSON value")


def _check_text(text: str, path: tuple[str, ...], name: str) -> None:
    if _UNSTORABLE.search(text):
        raise _problem(path, name, "must not contain NUL characters or unpaired surrogates")


def _problem(path: tuple[str, ...], name: str, message: str) -> ApiError:
    # Keys are shown only once they are known to be clean text.
    field = ".".join(path) if not any(_UNSTORABLE.search(part) for part in path) else name
    return invalid(field or name, message)


def _refuse_constant(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")
