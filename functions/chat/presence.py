"""Mirrors presence from the Realtime Database into Firestore (``users/{uid}.presence``)
and PostgreSQL (for push decisions).

``status/{uid}`` holds one child per connection, ``{state, lastChanged}``; a user is online
if any connection is, else away if any is, else offline. The state changed when the write
that produced it committed (the event's time). Events can arrive late, out of order or
twice: one no newer than the state recorded is skipped.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from google.cloud import firestore as gcf

import clients
import firestore_paths
from db import notifications, pool

STATES = ("online", "away", "offline")


def fold(connections: Any) -> str:
    """One state for all of a user's connections."""
    entries = connections.values() if isinstance(connections, dict) else []
    states = {entry.get("state") for entry in entries if isinstance(entry, dict)}
    return next((state for state in ("online", "away") if state in states), "offline")


def on_status_written(uid: str, after: Any, event_time: datetime) -> bool:
    """Record the folded state; False when the event was stale or not about a user."""
    try:
        uuid.UUID(uid)
    except ValueError:
        return False
    state, changed = fold(after), event_time
    recorded = record_in_firestore(uid, state, changed)
    with pool.transaction() as conn:
        notifications.set_presence(conn, uid, state, changed)
    return recorded


def record_in_firestore(uid: str, state: str, changed: datetime) -> bool:
    """Write ``users/{uid}.presence`` unless a state no older is there; whether it wrote."""
    db = clients.firestore()
    ref = db.document(firestore_paths.user(uid))

    @gcf.transactional
    def record(transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        current = (snapshot.to_dict() or {}).get("presence") if snapshot.exists else None
        if current and current.get("lastChanged") and current["lastChanged"] >= changed:
            return False
        transaction.set(ref, {"presence": {"state": state, "lastChanged": changed}}, merge=True)
        return True

    return record(db.transaction())
