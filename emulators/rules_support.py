"""What the Firestore and Realtime Database rules engines share beyond their own languages:
regular expressions with RE2's syntax and linear time (as Google's rules use), and
noticing when a rules file on disk has changed so it can be reloaded."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import re2


class InvalidPattern(ValueError):
    """A regular expression RE2 does not accept; the message is RE2's reason."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str, *, ignore_case: bool = False) -> Any:
    """Compiles ``pattern`` with RE2 (no backreferences or lookaround, linear time). Rules
    match the same few patterns on every request, so compiled ones are kept (RE2's are
    immutable and safe to share between threads)."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        raise InvalidPattern(str(error)) from None


_NEVER_SEEN = (-1, -1)


class WatchedFile:
    """A file whose new versions are noticed by modification time and size.

    ``changed()`` is true once for each version, the first call included; a missing
    file counts as a version of its own, so its reappearance is noticed too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = _NEVER_SEEN

    def stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def changed(self) -> bool:
        stamp = self.stamp()
        if stamp == self._seen:
            return False
        self._seen = stamp
        return True
