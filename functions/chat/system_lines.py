"""System lines in a conversation: joins, leaves, removals, renames, topic changes, pins
(``value`` is then the pinned message's id).

The room actions write them once their PostgreSQL transaction has committed, as messages
with ``kind: "system"``. Clients cannot create such a message (the rules allow only the
fields of an ordinary one), and the message trigger leaves them alone.
"""

from __future__ import annotations

import uuid
from typing import Literal

from google.cloud import firestore as gcf

import clients
import firestore_paths
import logs

log = logs.get(__name__)

Event = Literal["joined", "left", "removed", "renamed", "topic", "pinned"]


def post(
    room_id: str,
    event: Event,
    actor_id: str,
    *,
    subject_id: str | None = None,
    subject_name: str | None = None,
    value: str | None = None,
) -> None:
    """Write one line; best effort, as the change it reports has already happened."""
    line: dict[str, object] = {
        "kind": "system",
        "event": event,
        "senderId": actor_id,
        "text": "",
        "createdAt": gcf.SERVER_TIMESTAMP,
    }
    if subject_id is not None:
        line["subjectId"] = subject_id
        line["subjectName"] = subject_name or ""
    if value is not None:
        line["value"] = value
    try:
        messages = clients.firestore().collection(firestore_paths.room_messages(room_id))
        messages.document(f"system-{uuid.uuid4().hex}").set(line)
    except Exception:
        log.warning("system line %s in room %s not written", event, room_id, exc_info=True)
