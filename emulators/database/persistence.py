"""Realtime Database state on disk: the data directory's journal, and export folders.

``DatabaseJournal`` keeps ``database.sqlite3`` in the data directory: a snapshot of each
namespace's tree, and the writes since (for each written location, the node now there).
The engine hands it each write before applying it. ``attach`` replays the writes onto the
snapshots and compacts them into new snapshots; so does a write that finds more than
``COMPACT_AFTER`` writes since the last snapshot. It also keeps each open connection's
onDisconnect operations: a killed emulator closes no connection, so the next start runs
the operations of the connections it lost (``run_orphaned``), as the server would have.

Export folders hold ``database_export/<namespace>.json``, each namespace's tree in the
export format (priorities kept), as firebase-tools writes them.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from emulators.database import tree
from emulators.database.engine import DatabaseEngine
from emulators.database.ondisconnect import OnDisconnectQueue, QueuedOperation
from emulators.database.paths import Path as DataPath
from emulators.database.rules.ruleset import Auth
from emulators.datadir import SqliteFile, Transaction

FILE_NAME = "database.sqlite3"
EXPORT_FOLDER = "database_export"
COMPACT_AFTER = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (namespace TEXT PRIMARY KEY, tree TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS writes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    path TEXT NOT NULL,
    node TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS on_disconnect (
    connection TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    operations TEXT NOT NULL
);
"""


class DatabaseJournal:
    def __init__(self, folder: Path) -> None:
        self._file = SqliteFile(folder / FILE_NAME, SCHEMA)
        self._db = self._file.db
        self._lock = threading.Lock()
        self._engine: DatabaseEngine | None = None
        self._since_snapshot = 0

    def attach(self, engine: DatabaseEngine) -> int:
        """Loads the saved trees into ``engine`` and records its writes from now on;
        returns how many namespaces hold data."""
        roots: dict[str, tree.Node] = {
            namespace: json.loads(text)
            for namespace, text in self._db.execute("SELECT namespace, tree FROM snapshots")
        }
        for namespace, path, node in self._db.execute(
            "SELECT namespace, path, node FROM writes ORDER BY seq"
        ):
            location: DataPath = tuple(json.loads(path))
            roots[namespace] = tree.set_at(roots.get(namespace), location, json.loads(node))
        with self._lock:
            self._snapshot(roots)
        engine.load(roots)
        self._engine = engine
        engine.journal = self.record
        engine.on_disconnect_journal = self.keep_on_disconnect
        return sum(1 for root in roots.values() if root is not None)

    def keep_on_disconnect(self, connection: str, namespace: str, operations: list) -> None:
        with self._lock:
            if not operations:
                self._db.execute("DELETE FROM on_disconnect WHERE connection = ?", (connection,))
                return
            saved = json.dumps([_operation_json(operation) for operation in operations])
            self._db.execute(
                "INSERT OR REPLACE INTO on_disconnect VALUES (?, ?, ?)",
                (connection, namespace, saved),
            )

    def run_orphaned(self) -> int:
        """Runs the onDisconnect operations of connections an earlier process lost without
        closing them (it was killed); returns how many connections had some. Call once
        every emulator is up: the writes fire triggers like any other."""
        with self._lock:
            rows = self._db.execute(
                "SELECT connection, namespace, operations FROM on_disconnect"
            ).fetchall()
        for connection, namespace, text in rows:
            operations = [_operation_from_json(item) for item in json.loads(text)]
            OnDisconnectQueue(operations=operations).run(self._engine, namespace)
            self.keep_on_disconnect(connection, namespace, [])
        return len(rows)

    def record(self, namespace: str, new_root: tree.Node, written: list[DataPath]) -> None:
        """Writes one operation; called by the engine, with its lock held, before applying."""
        rows = []
        for path in written:
            location = tree.location_of(path)
            node = tree.get(new_root, location)
            rows.append((namespace, json.dumps(list(location)), json.dumps(node)))
        with self._lock:
            self._since_snapshot += len(rows)
            if self._since_snapshot <= COMPACT_AFTER or self._engine is None:
                with Transaction(self._db):
                    self._db.executemany(
                        "INSERT INTO writes (namespace, path, node) VALUES (?, ?, ?)", rows
                    )
                return
            roots = self._engine.roots()
            roots[namespace] = new_root
            self._snapshot(roots)

    def _snapshot(self, roots: dict[str, tree.Node]) -> None:
        with Transaction(self._db):
            self._db.execute("DELETE FROM writes")
            self._db.execute("DELETE FROM snapshots")
            self._db.executemany(
                "INSERT INTO snapshots VALUES (?, ?)",
                [(name, json.dumps(root)) for name, root in roots.items() if root is not None],
            )
        self._since_snapshot = 0

    def close(self) -> None:
        """Compacts the writes into snapshots and closes (the engine stops recording)."""
        engine, self._engine = self._engine, None
        roots = None
        if engine is not None:
            engine.journal = engine.on_disconnect_journal = None
            roots = engine.roots()  # waits for a write being applied
        with self._lock:
            if roots is not None:
                self._snapshot(roots)
            self._file.close()


def _operation_json(operation: QueuedOperation) -> dict:
    return {
        "kind": operation.kind,
        "path": list(operation.path),
        "data": operation.data,
        "auth": {"admin": operation.auth.admin, "variable": operation.auth.variable},
    }


def _operation_from_json(item: dict) -> QueuedOperation:
    return QueuedOperation(item["kind"], tuple(item["path"]), item["data"], Auth(**item["auth"]))


def export_all(engine: DatabaseEngine, folder: Path) -> None:
    target = folder / EXPORT_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for namespace, root in engine.roots().items():
        if root is not None:
            (target / f"{namespace}.json").write_text(json.dumps(root))


def import_all(engine: DatabaseEngine, folder: Path) -> int:
    """Replaces each exported namespace's data; returns how many namespaces."""
    sources = sorted((folder / EXPORT_FOLDER).glob("*.json"))
    for source in sources:
        engine.set(source.stem, (), json.loads(source.read_text()), Auth(admin=True))
    return len(sources)
