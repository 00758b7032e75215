"""Database paths: parsing, validation and joining.

A path is a tuple of keys; the root is ``()``. Keys follow the Realtime Database's
limits: not empty, at most 768 UTF-8 bytes, none of ``. $ # [ ] /`` or ASCII controls.
"""

from __future__ import annotations

Path = tuple[str, ...]

MAX_KEY_BYTES = 768
_FORBIDDEN = set(".$#[]/") | {chr(c) for c in range(32)} | {chr(127)}


class InvalidPath(ValueError):
    pass


def is_valid_key(key: str) -> bool:
    return (
        bool(key)
        and len(key.encode("utf-8")) <= MAX_KEY_BYTES
        and not any(ch in _FORBIDDEN for ch in key)
    )


def parse(text: str, *, allow_priority: bool = False) -> Path:
    """``"/a/b"`` -> ``("a", "b")``. ``allow_priority`` admits a trailing ``.priority``
    (the SDK's setPriority writes there)."""
    keys = tuple(part for part in text.split("/") if part)
    for index, key in enumerate(keys):
        if allow_priority and key == ".priority" and index == len(keys) - 1:
            continue
        if not is_valid_key(key):
            raise InvalidPath(f"Invalid path {text!r}: bad key {key!r}")
    return keys


def to_string(path: Path) -> str:
    return "/" + "/".join(path)


def is_prefix(prefix: Path, path: Path) -> bool:
    return path[: len(prefix)] == prefix


def related(a: Path, b: Path) -> bool:
    """True when one path is an ancestor of (or equal to) the other."""
    return is_prefix(a, b) or is_prefix(b, a)
