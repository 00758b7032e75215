"""Sorted indexes of one collection, so that an ordered, limited query reads about as many
documents as it returns, as production Firestore does, instead of the whole collection.

An index keeps a collection's documents sorted by a key: the values of some equality
fields, then the query's orderings (ending with ``__name__``, so keys are unique).
Documents missing one of those fields are left out, as no query using the index can
return them. A query made of equality filters and one direction of ordering reads the
range of its equality values in order and stops once it has its limit; other filters and
cursors are still checked on each document read. Indexes are built when a query first
needs one on a large enough collection and kept up to date by every write after that.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator

from emulators.firestore.store import Entry

# Below this many documents a scan costs less than building an index.
MIN_DOCUMENTS = 64
# Sorts after every key component (each one is a value's sort key, a tuple starting with a
# type rank), so ``prefix + (AFTER_ALL,)`` bounds the keys that start with ``prefix``.
AFTER_ALL = (math.inf,)

KeyFunction = Callable[[Entry], "tuple | None"]


class OrderedIndex:
    """One collection's documents that have every field of ``key``, sorted by it."""

    def __init__(self, key: KeyFunction, entries: Iterator[Entry]) -> None:
        self._key = key
        rows = sorted(
            ((k, entry) for entry in entries if (k := key(entry)) is not None),
            key=lambda row: row[0],
        )
        self._keys = [k for k, _ in rows]
        self._entries = [entry for _, entry in rows]

    def __len__(self) -> int:
        return len(self._keys)

    def replace(self, previous: Entry | None, current: Entry | None) -> None:
        """A document changed from ``previous`` to ``current`` (None when absent)."""
        if previous is not None and (old := self._key(previous)) is not None:
            at = bisect.bisect_left(self._keys, old)
            if at < len(self._keys) and self._keys[at] == old:
                del self._keys[at]
                del self._entries[at]
        if current is not None and (new := self._key(current)) is not None:
            at = bisect.bisect_left(self._keys, new)
            self._keys.insert(at, new)
            self._entries.insert(at, current)

    def range(self, prefix: tuple, descending: bool) -> Iterator[Entry]:
        """The documents whose key starts with ``prefix``, in key order (or reversed)."""
        low = bisect.bisect_left(self._keys, prefix)
        high = bisect.bisect_left(self._keys, (*prefix, AFTER_ALL), lo=low)
        positions = range(high - 1, low - 1, -1) if descending else range(low, high)
        entries = self._entries
        for position in positions:
            yield entries[position]
