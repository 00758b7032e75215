"""Mirrors presence from the Realtime Database into Firestore (``users/{uid}.presence``)
and PostgreSQL (for push decisions).

``status/{uid}`` holds one child per connection, ``{state, lastChanged}``; a user is online
if any connection is, else away if any is, else offline. Events can arrive late or twice:
a state older than the one recorded is skipped.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import clients
from google.cloud import firestore as gcf

from db import notifications, pool

STATES = ("online", "away", "offline")


def fold(connections: Any, event_time: datetime) -> tuple[str, datetime]:
    """One state for all of a user's connections, and when it last changed."""
    entries = (
        [c for c in (connections or {}).values() if isinstance(c, dict)]
        if isinstance(connections, dict)
        else []
    )
    states = {c.get("state") for c in entries}
    state = next((s for s in ("online", "away") if s in states), "offline")
    stamps = [c["lastChanged"] for c in entries if isinstance(c.get("lastChanged"), (int, float))]
    changed = datetime.fromtimestamp(max(stamps) / 1000, UTC) if stamps else event_time
    return state, changed


def on_status_written(uid: str, after: Any, event_time: datetime) -> bool:
    """Record the folded state; False when the event was stale or not about a user."""
    try:
        uuid.UUID(uid)
    except ValueError:
        return False
    state, changed = fold(after, event_time)
    db = clients.firestore()
    ref = db.document(f"users/{uid}")

    @gcf.transactional
    def record(transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        current = (snapshot.to_dict() or {}).get("presence") if snapshot.exists else None
        if current and current.get("lastChanged") and current["lastChanged"] > changed:
            return False
        transaction.set(ref, {"presence": {"state": state, "lastChanged": changed}}, merge=True)
        return True

    recorded = record(db.transaction())
    with pool.transaction() as conn:
        notifications.set_presence(conn, uid, state, changed)
    return recorded
