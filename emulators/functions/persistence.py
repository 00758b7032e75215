"""The functions host's state on disk: trigger events not delivered yet.

Eventarc delivers each event at least once, even if the function's instances go away.
``DeliveryJournal`` (``functions.sqlite3`` in the data directory) records every event when
it is queued and forgets it once delivered (or given up on); events still recorded when the
emulator stops, or is killed, are delivered at its next start with their original ids, so
idempotent triggers see them once more at most.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from cloudevents.http import CloudEvent

from emulators.datadir import SqliteFile

FILE_NAME = "functions.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger TEXT NOT NULL,
    event_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    data BLOB,
    json_data TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS pending_event ON pending (trigger, event_id);
"""


@dataclass(frozen=True)
class PendingEvent:
    trigger: str
    event: CloudEvent


class DeliveryJournal:
    def __init__(self, folder: Path) -> None:
        self._file = SqliteFile(folder / FILE_NAME, SCHEMA)
        self._db = self._file.db
        self._lock = threading.Lock()

    def pending(self) -> list[PendingEvent]:
        """Events recorded and not delivered, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT trigger, attributes, data, json_data FROM pending ORDER BY seq"
            ).fetchall()
        found = []
        for trigger, attributes, data, json_data in rows:
            payload = json.loads(json_data) if json_data is not None else data
            found.append(PendingEvent(trigger, CloudEvent(json.loads(attributes), payload)))
        return found

    def queued(self, trigger: str, event: CloudEvent) -> None:
        data = event.get_data()
        binary = data if isinstance(data, bytes) else None
        text = None if binary is not None else json.dumps(data)
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO pending (trigger, event_id, attributes, data, json_data) "
                "VALUES (?, ?, ?, ?, ?)",
                (trigger, event["id"], json.dumps(dict(event.get_attributes())), binary, text),
            )

    def finished(self, trigger: str, event: CloudEvent) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM pending WHERE trigger = ? AND event_id = ?", (trigger, event["id"])
            )

    def close(self) -> None:
        with self._lock:
            self._file.close()
