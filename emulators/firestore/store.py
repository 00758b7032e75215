"""The documents of one database, indexed by collection, with a short version history.

Stored ``Document`` messages are never mutated after they are stored: a write builds a new
message. The history (a log of replaced versions) serves reads at an earlier time, which
read-only transactions and ``read_time`` reads need; versions older than the retention
window, and older than every pinned snapshot, are dropped. Deleted paths are remembered
longer (tombstones), so the changes since a resume token can be found from the documents'
update times even when the history no longer reaches back, as after a restart.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulators.firestore import protos

if TYPE_CHECKING:
    from emulators.firestore.ordered import OrderedIndex

HISTORY_SECONDS = 60
# How long a deleted document's path and time are kept, so that a listener resuming from
# an older token learns of the deletion (older tokens get a full RESET).
TOMBSTONE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Entry:
    """One stored version: the Document message (name, fields, create/update time)."""

    doc: object  # protos.Document
    path: str  # relative to the documents root, e.g. rooms/r1
    create_us: int
    update_us: int
    # field path -> sort key of its value (None when absent); entries never change
    keys: dict = field(default_factory=dict, compare=False, repr=False)


class SavedEntry(Entry):
    """An entry loaded from the data directory: its Document is parsed from the saved bytes
    when first used, as most documents of a large data directory are not read soon after a
    start (parsing them all made up a third of the start-up time with 100,000)."""

    def __init__(self, saved: bytes, path: str, create_us: int, update_us: int) -> None:
        for name, value in (
            ("_saved", saved),
            ("path", path),
            ("create_us", create_us),
            ("update_us", update_us),
            ("keys", {}),
        ):
            object.__setattr__(self, name, value)

    @property
    def doc(self):  # protos.Document
        doc = self.__dict__.get("_doc")
        if doc is None:
            doc = protos.Document.FromString(self._saved)
            object.__setattr__(self, "_doc", doc)
        return doc


def collection_of(path: str) -> str:
    return path.rsplit("/", 1)[0]


class DocumentStore:
    def __init__(self, database: str) -> None:
        self.database = database
        self.root = f"{database}/documents"
        self.docs: dict[str, Entry] = {}
        # collection path -> {document path -> entry}; only non-empty collections.
        self.collections: dict[str, dict[str, Entry]] = {}
        # collection path -> {index shape -> sorted index} (``ordered``), kept by put()
        self.ordered: dict[str, dict[tuple, OrderedIndex]] = {}
        # collection id -> collection paths with that id (for collection groups)
        self.groups: dict[str, set[str]] = collections.defaultdict(set)
        # (commit_us, path, replaced entry or None), oldest first
        self.history: collections.deque[tuple[int, str, Entry | None]] = collections.deque()
        self.pinned: collections.Counter[int] = collections.Counter()
        # The history holds every change after this time (for resuming listeners).
        self.complete_since = time.time_ns() // 1000
        # path -> time of its latest delete, oldest first; complete after tombstones_since
        self.tombstones: dict[str, int] = {}
        self.tombstones_since = self.complete_since

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
        for index in self.ordered.get(collection, {}).values():
            index.replace(previous, entry)
        if entry is None:
            if previous is None:
                return
            self.tombstones.pop(path, None)
            self.tombstones[path] = commit_us
            del self.docs[path]
            members = self.collections[collection]
            del members[path]
            if not members:
                del self.collections[collection]
                self.ordered.pop(collection, None)
                group = self.groups[collection.rsplit("/", 1)[-1]]
                group.discard(collection)
            return
        self.docs[path] = entry
        members = self.collections.get(collection)
        if members is None:
            members = self.collections[collection] = {}
            self.groups[collection.rsplit("/", 1)[-1]].add(collection)
        members[path] = entry

    def load(self, entries: list[Entry], tombstones: dict[str, int], since_us: int) -> None:
        """Fill an empty store with saved documents and tombstones (complete after
        ``since_us``), without history: nothing older than now can be read at a time."""
        self.ordered.clear()
        docs, collections_ = self.docs, self.collections
        for entry in entries:
            path = entry.path
            docs[path] = entry
            collection = path.rpartition("/")[0]
            members = collections_.get(collection)
            if members is None:
                members = collections_[collection] = {}
                self.groups[collection.rpartition("/")[2]].add(collection)
            members[path] = entry
        self.tombstones = dict(sorted(tombstones.items(), key=lambda item: item[1]))
        self.tombstones_since = since_us
        self.complete_since = time.time_ns() // 1000

    def changed_since(self, since_us: int) -> set[str] | None:
        """Paths changed after ``since_us``, or None if that can no longer be known."""
        if since_us >= self.complete_since:
            changed = set()
            for commit_us, path, _ in reversed(self.history):
                if commit_us <= since_us:
                    break
                changed.add(path)
            return changed
        if since_us < self.tombstones_since:
            return None
        changed = {path for path, entry in self.docs.items() if entry.update_us > since_us}
        changed.update(path for path, deleted in self.tombstones.items() if deleted > since_us)
        return changed

    def prune(self, now_us: int) -> None:
        horizon = now_us - HISTORY_SECONDS * 1_000_000
        if self.pinned:
            horizon = min(horizon, min(self.pinned))
        history = self.history
        while history and history[0][0] <= horizon:
            commit_us, _, _ = history.popleft()
            self.complete_since = max(self.complete_since, commit_us)
        self.prune_tombstones(now_us - TOMBSTONE_SECONDS * 1_000_000)

    def prune_tombstones(self, horizon_us: int) -> None:
        tombstones = self.tombstones
        while tombstones:
            path, deleted = next(iter(tombstones.items()))
            if deleted > horizon_us:
                break
            del tombstones[path]
            self.tombstones_since = max(self.tombstones_since, deleted)

    def scan(
        self,
        parent: str,
        collection_id: str,
        all_descendants: bool,
        read_us: int | None = None,
    ) -> Iterator[Entry]:
        """Documents in ``parent/collection_id`` (or every collection with that id under
        ``parent`` when ``all_descendants``; every collection when the id is empty), as of
        ``read_us`` when given."""
        prefix = f"{parent}/" if parent else ""
        if all_descendants:
            group = self.groups.get(collection_id, ()) if collection_id else self.collections
            paths = [path for path in group if path.startswith(prefix)]
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
                if collection_id in ("", collection.rsplit("/", 1)[-1]) and collection.startswith(
                    prefix
                ):
                    yield entry

    def _overlay(self, read_us: int) -> dict[str, Entry | None]:
        overlay: dict[str, Entry | None] = {}
        for commit_us, path, previous in reversed(self.history):
            if commit_us <= read_us:
                break
            overlay[path] = previous
        return overlay

    def collection_ids(self, parent: str, read_us: int | None = None) -> list[str]:
        """Ids of collections directly under ``parent`` that hold documents at any depth,
        as of ``read_us`` when given."""
        prefix = f"{parent}/" if parent else ""
        depth = parent.count("/") + 2 if parent else 1
        collections: Iterable[str] = self.collections
        if read_us is not None:
            documents = set(self.docs)
            for path, previous in self._overlay(read_us).items():
                if previous is None:
                    documents.discard(path)
                else:
                    documents.add(path)
            collections = {collection_of(path) for path in documents}
        found = set()
        for path in collections:
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
