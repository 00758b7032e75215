"""Firestore state on disk: the data directory's journal, and export/import folders.

``FirestoreJournal`` keeps every database's documents in SQLite (``firestore.sqlite3`` in
the data directory): the engine hands it each commit before applying it, and it writes the
changed documents (serialized ``Document`` messages, create and update times included) and
the paths of deleted ones (tombstones, so a listener resuming after a restart learns of
deletions) in one SQLite transaction. ``attach`` loads it all back, with the last commit
time (the newest of those times: commit times never go backwards across a restart) and
the engine's incarnation (resume tokens from before a restart stay valid).

Export folders use our own format: ``<folder>/firestore/<project>/<database>.json``
holding ``{"documents": [Document as google.protobuf JSON, ...]}`` with their create and
update times, so an import restores documents exactly.
"""

from __future__ import annotations

import collections
import gc
import json
import secrets
import threading
import time
from pathlib import Path

from google.protobuf import json_format

from emulators.datadir import SqliteFile, Transaction
from emulators.firestore import protos
from emulators.firestore.commits import Change
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.paths import parse_database
from emulators.firestore.store import TOMBSTONE_SECONDS, Entry, SavedEntry
from emulators.firestore.writes import micros_of

FILE_NAME = "firestore.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    database TEXT NOT NULL,
    path TEXT NOT NULL,
    create_us INTEGER NOT NULL,
    update_us INTEGER NOT NULL,
    document BLOB NOT NULL,
    PRIMARY KEY (database, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tombstones (
    database TEXT NOT NULL,
    path TEXT NOT NULL,
    deleted_us INTEGER NOT NULL,
    PRIMARY KEY (database, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


class FirestoreJournal:
    def __init__(self, folder: Path) -> None:
        self._file = SqliteFile(folder / FILE_NAME, SCHEMA)
        self._db = self._file.db
        self._lock = threading.Lock()
        self._engine: FirestoreEngine | None = None
        self._incarnation = b""
        created_us = time.time_ns() // 1000
        with Transaction(self._db):
            # A new journal: no resume token from before now can be answered from it.
            self._db.executemany(
                "INSERT OR IGNORE INTO meta VALUES (?, ?)",
                [
                    ("incarnation", secrets.token_bytes(8)),
                    ("last_commit_us", 0),
                    ("tombstones_since", created_us),
                ],
            )

    def attach(self, engine: FirestoreEngine) -> int:
        """Loads the saved documents into ``engine`` and records its commits from now on;
        returns how many documents were loaded."""
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        last_commit_us = int(meta["last_commit_us"])
        entries: dict[str, list[Entry]] = collections.defaultdict(list)
        # Hundreds of thousands of new objects, none in a cycle: the cyclic collector would
        # only scan them again and again (a third of the load time with 100,000 documents).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for database, path, create_us, update_us, saved in self._db.execute(
                "SELECT database, path, create_us, update_us, document FROM documents"
            ):
                entries[database].append(SavedEntry(saved, path, create_us, update_us))
        finally:
            if collecting:
                gc.enable()
        for each in entries.values():
            last_commit_us = max(last_commit_us, max(entry.update_us for entry in each))
        horizon = time.time_ns() // 1000 - TOMBSTONE_SECONDS * 1_000_000
        since = max(int(meta["tombstones_since"]), horizon)
        tombstones: dict[str, dict[str, int]] = collections.defaultdict(dict)
        for database, path, deleted_us in self._db.execute(
            "SELECT database, path, deleted_us FROM tombstones"
        ):
            last_commit_us = max(last_commit_us, deleted_us)
            if deleted_us > since:
                tombstones[database][path] = deleted_us
        with Transaction(self._db):
            self._db.execute("DELETE FROM tombstones WHERE deleted_us <= ?", (since,))
            self._db.executemany(
                "UPDATE meta SET value = ? WHERE key = ?",
                [(since, "tombstones_since"), (last_commit_us, "last_commit_us")],
            )
        with engine.cond:
            engine.incarnation = self._incarnation = bytes(meta["incarnation"])
            engine.last_commit_us = max(engine.last_commit_us, last_commit_us)
            for database in entries.keys() | tombstones.keys():
                engine.store(database).load(
                    entries.get(database, []), tombstones.get(database, {}), since
                )
            self._engine = engine
            engine.journal = self.record
        return sum(len(each) for each in entries.values())

    def record(self, database: str, changes: list[Change], commit_us: int) -> None:
        """Writes one commit; called by the engine, with its lock held, before applying.

        The commit time is not written apart: every changed document carries it as its
        update time, every deleted one in its tombstone (imports, whose documents keep
        older times, write it with the new incarnation)."""
        engine = self._engine
        saved = []
        deleted = []
        for path, _before, after in changes:
            if after is None:
                deleted.append((database, path, commit_us))
            else:
                saved.append(
                    (
                        database,
                        path,
                        after.create_us,
                        after.update_us,
                        after.doc.SerializeToString(),
                    )
                )
        with self._lock:
            if len(saved) == 1 and not deleted and engine.incarnation == self._incarnation:
                # The common case, one statement: its own transaction in autocommit mode.
                self._db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)", saved[0]
                )
                return
            with Transaction(self._db):
                self._write(saved, deleted)
                if engine.incarnation != self._incarnation:  # an import: a new history
                    self._db.executemany(
                        "UPDATE meta SET value = ? WHERE key = ?",
                        [(engine.incarnation, "incarnation"), (commit_us, "last_commit_us")],
                    )
                    self._incarnation = engine.incarnation

    def _write(self, saved: list[tuple], deleted: list[tuple]) -> None:
        if saved:
            self._db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)", saved)
        if deleted:
            self._db.executemany(
                "DELETE FROM documents WHERE database = ? AND path = ?",
                [row[:2] for row in deleted],
            )
            self._db.executemany("INSERT OR REPLACE INTO tombstones VALUES (?, ?, ?)", deleted)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                with self._engine.cond:
                    self._engine.journal = None
            self._file.close()


def export_file(folder: str | Path, database: str) -> Path:
    _, project, _, database_id = parse_database(database).split("/")
    return Path(folder) / "firestore" / project / f"{database_id}.json"


def export_database(engine: FirestoreEngine, database: str, folder: str | Path) -> Path:
    with engine.cond:
        docs = [entry.doc for entry in engine.store(database).docs.values()]
    target = export_file(folder, database)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"documents": [json_format.MessageToDict(doc) for doc in docs]}
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload))
    temporary.replace(target)
    return target


def export_all(engine: FirestoreEngine, folder: str | Path) -> list[Path]:
    with engine.cond:
        databases = engine.databases()
    return [export_database(engine, database, folder) for database in databases]


def import_all(engine: FirestoreEngine, folder: str | Path) -> int:
    """Imports every database exported under ``folder``; returns how many documents."""
    total = 0
    for source in sorted(Path(folder).glob("firestore/*/*.json")):
        project, database_id = source.parent.name, source.stem
        total += import_database(engine, f"projects/{project}/databases/{database_id}", folder)
    return total


def import_database(engine: FirestoreEngine, database: str, folder: str | Path) -> int:
    """Replaces the database's documents with the exported ones; returns how many."""
    source = export_file(folder, database)
    payload = json.loads(source.read_text())
    entries = []
    root = f"{database}/documents/"
    for item in payload.get("documents", []):
        doc = json_format.ParseDict(item, protos.Document())
        if not doc.name.startswith(root):
            raise ValueError(f"{doc.name} is not in {database}")
        path = doc.name[len(root) :]
        entries.append(Entry(doc, path, micros_of(doc.create_time), micros_of(doc.update_time)))
    with engine.cond:
        # The imported documents keep their times, which may be older than a listener's
        # resume token: listeners from before the import must start over.
        engine.incarnation = secrets.token_bytes(8)
        engine.clear(database)
        changes = [(entry.path, None, entry) for entry in entries]
        engine.apply(database, changes, engine.next_commit_time())
    return len(entries)
