"""The data directory (``--data-dir``): where the emulators keep their state between runs.

Each emulator keeps one SQLite database in it (``firestore.sqlite3``, ``database.sqlite3``,
``auth.sqlite3``, ``functions.sqlite3``) and Cloudinary keeps its files under
``cloudinary/``. SQLite runs in WAL mode with ``synchronous=NORMAL``: a transaction is in
the write-ahead log, handed to the kernel, when COMMIT returns, so an acknowledged write
survives the emulator being killed (SIGKILL included); only a power cut can lose the last
commits. A torn last WAL frame is dropped by SQLite's own recovery. The log is copied into
the database file (a checkpoint, which syncs to disk) by a thread of its own once it grows,
never by a commit. docs/emulators/persistence.md says why this was chosen over a
hand-made journal.

A lock file keeps two launchers from sharing one data directory.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from pathlib import Path

LOCK_FILE = ".lock"
CHECKPOINT_EVERY_SECONDS = 1.0
CHECKPOINT_AFTER_BYTES = 4 * 1024 * 1024

log = logging.getLogger(__name__)


class DataDirInUse(RuntimeError):
    """Another emulator process holds the data directory."""


class SqliteFile:
    """One SQLite database of the data directory. ``db`` is a connection in autocommit
    mode (transactions are explicit, see ``Transaction``), usable from any thread: callers
    serialize access with their own lock."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = _connect(path)
        self.db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer below does it
        self.db.executescript(schema)
        self._stopped = threading.Event()
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, name=f"checkpoint-{path.name}", daemon=True
        )
        self._checkpointer.start()

    def close(self) -> None:
        """Stops checkpointing and closes; SQLite folds the log into the file on close."""
        self._stopped.set()
        self._checkpointer.join()
        self.db.close()

    def _checkpoint_loop(self) -> None:
        wal = self.path.with_name(self.path.name + "-wal")
        connection = _connect(self.path)
        try:
            while not self._stopped.wait(CHECKPOINT_EVERY_SECONDS):
                try:
                    if wal.stat().st_size >= CHECKPOINT_AFTER_BYTES:
                        # PASSIVE: copies what no reader needs, without blocking writers.
                        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except (OSError, sqlite3.Error) as exc:
                    log.warning("checkpoint of %s failed: %s", self.path, exc)
        finally:
            connection.close()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class Transaction:
    """``with Transaction(connection):`` runs the block in one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN")
        return self.connection

    def __exit__(self, kind, value, traceback) -> None:
        self.connection.execute("ROLLBACK" if kind is not None else "COMMIT")


def lock(folder: Path) -> int:
    """Take the data directory for this process (released when the process ends, however
    it ends); raises DataDirInUse when another process has it."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise DataDirInUse(f"{folder} is in use by another emulator process") from None
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode())
    return descriptor
