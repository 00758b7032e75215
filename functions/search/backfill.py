"""Index every message Firestore holds: for a database that existed before search, or to
repair the index after a loss. Safe to run at any time and more than once: each message is
written as the triggers write it (a newer version wins, a deletion is final)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from google.cloud import firestore as gcf

import clients
from db import message_search, pool
from search import index

log = logging.getLogger(__name__)

PAGE = 500


def _messages(page: int) -> Iterator[list[gcf.DocumentSnapshot]]:
    query = clients.firestore().collection_group("messages").order_by("__name__").limit(page)
    last = None
    while True:
        batch = list((query.start_after(last) if last else query).stream())
        if not batch:
            return
        yield batch
        last = batch[-1]


def reindex(page: int = PAGE) -> dict[str, int]:
    """Write every message under ``rooms/{roomId}/messages`` to the index; returns counts."""
    counts = {"indexed": 0, "skipped": 0}
    for batch in _messages(page):
        entries = []
        for snapshot in batch:
            parts = snapshot.reference.path.split("/")
            found = (
                index.entry(parts[1], parts[3], snapshot.to_dict() or {})
                if len(parts) == 4 and parts[0] == "rooms"
                else None
            )
            if found is None:
                counts["skipped"] += 1
            else:
                entries.append(found)
        with pool.transaction() as conn:
            known = message_search.existing_rooms(conn, {e.room_id for e in entries})
            for entry in entries:
                if entry.room_id not in known:  # a room PostgreSQL does not know
                    counts["skipped"] += 1
                    continue
                message_search.change(conn, entry)
                message_search.admit(conn, entry)
                counts["indexed"] += 1
        log.info("reindex: %(indexed)d indexed, %(skipped)d skipped so far", counts)
    return counts
