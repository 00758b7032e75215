"""The documents of one database, indexed by collection, with a short version history.

Stored ``Document`` messages are never mutated after they are stored: a write builds a new
message. The history (a log of replaced versions) serves reads at an earlier time, which
read-only transactions and ``read_time`` reads need; versions older than the retention
window, and older than every pinned snapshot, are dropped.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

HISTORY_SECONDS = 60


@dataclass(frozen=True)
class Entry:
    """One stored version: the Document message (name, fields, create/update time)."""

    doc: object  # protos.Document
    path: str  # relative to the documents root, e.g. rooms/r1
    create_us: int
    update_us: int
    # field path -> sort key of its value (None when absent); entries never change
    keys: dict = field(default_factory=dict, compare=False, repr=False)


def collection_of(path: str) -> str:
    return path.rsplit("/", 1)[0]


class DocumentStore:
    def __init__(self, database: str) -> None:
        self.database = database
        self.root = f"{database}/documents"
        self.docs: dict[str, Entry] = {}
        # collection path -> {document path -> entry}; only non-empty collections.
        self.collections: dict[str, dict[str, Entry]] = {}
        # collection id -> collection paths with that id (for collection groups)
        self.groups: dict[str, set[str]] = collections.defaultdict(set)
        # (commit_us, path, replaced entry or None), oldest first
        self.history: collections.deque[tuple[int, str, Entry | None]] = collections.deque()
        self.pinned: collections.Counter[int] = collections.Counter()
        # The history holds every change after this time (for resuming listeners).
        self.complete_since = time.time_ns() // 1000

    def get(self, path: str, read_us: int | None = None) -> Entry | None:
        entry = self.docs.get(path)
        if read_us is None:
            return entry
        for commit_us, changed_path, previous in reversed(self.history):
            if commit_us <= read_us:
                break
            if changed_path == path:
                entry = previous
        return entry

    def put(self, path: str, entry: Entry | None, commit_us: int) -> None:
        previous = self.docs.get(path)
        self.history.append((commit_us, path, previous))
        collection = collection_of(path)
        if entry is None:
            if previous is None:
                return
            del self.docs[path]
            members = self.collections[collection]
            del members[path]
            if not members:
                del self.collections[collection]
                group = self.groups[collection.rsplit("/", 1)[-1]]
                group.discard(collection)
            return
        self.docs[path] = entry
        members = self.collections.get(collection)
        if members is None:
            members = self.collections[collection] = {}
            self.groups[collection.rsplit("/", 1)[-1]].add(collection)
        members[path] = entry

    def changed_since(self, since_us: int) -> set[str] | None:
        """Paths changed after ``since_us``, or None if the history no longer covers it."""
        if since_us < self.complete_since:
            return None
        changed = set()
        for commit_us, path, _ in reversed(self.history):
            if commit_us <= since_us:
                break
            changed.add(path)
        return changed

    def prune(self, now_us: int) -> None:
        horizon = now_us - HISTORY_SECONDS * 1_000_000
        if self.pinned:
            horizon = min(horizon, min(self.pinned))
        history = self.history
        while history and history[0][0] <= horizon:
            commit_us, _, _ = history.popleft()
            self.complete_since = max(self.complete_since, commit_us)

    def clear(self) -> None:
        self.docs.clear()
        self.collections.clear()
        self.groups.clear()
        self.history.clear()
        self.complete_since = time.time_ns() // 1000

    def scan(
        self,
        parent: str,
        collection_id: str,
        all_descendants: bool,
        read_us: int | None = None,
    ) -> Iterator[Entry]:
        """Documents in ``parent/collection_id`` (or every collection with that id under
        ``parent`` when ``all_descendants``), as of ``read_us`` when given."""
        if all_descendants:
            prefix = f"{parent}/" if parent else ""
            paths = [path for path in self.groups.get(collection_id, ()) if path.startswith(prefix)]
        else:
            paths = [f"{parent}/{collection_id}" if parent else collection_id]
        if read_us is None:
            for path in paths:
                members = self.collections.get(path)
                if members:
                    yield from members.values()
            return
        overlay = self._overlay(read_us)
        wanted = set(paths)
        for path in paths:
            for doc_path, entry in self.collections.get(path, {}).items():
                if doc_path not in overlay:
                    yield entry
        for doc_path, entry in overlay.items():
            if entry is not None and collection_of(doc_path) in wanted:
                yield entry
            elif entry is not None and all_descendants:
                collection = collection_of(doc_path)
                if collection.rsplit("/", 1)[-1] == collection_id and collection.startswith(
                    f"{parent}/" if parent else ""
                ):
                    yield entry

    def _overlay(self, read_us: int) -> dict[str, Entry | None]:
        overlay: dict[str, Entry | None] = {}
        for commit_us, path, previous in reversed(self.history):
            if commit_us <= read_us:
                break
            overlay[path] = previous
        return overlay

    def collection_ids(self, parent: str) -> list[str]:
        """Ids of collections directly under ``parent`` that hold documents at any depth."""
        prefix = f"{parent}/" if parent else ""
        depth = parent.count("/") + 2 if parent else 1
        found = set()
        for path in self.collections:
            if path.startswith(prefix):
                found.add(path.split("/")[depth - 1])
        return sorted(found)

    def missing_parents(self, collection: str) -> set[str]:
        """Paths of absent documents in ``collection`` that have subcollections."""
        prefix = f"{collection}/"
        depth = collection.count("/") + 2
        found = set()
        for path in self.collections:
            if path.startswith(prefix):
                doc_path = "/".join(path.split("/")[:depth])
                if doc_path not in self.docs:
                    found.add(doc_path)
        return found
