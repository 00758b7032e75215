"""Feeding the message index from the message triggers and the backfill.

Triggers are delivered at least once and in any order, so each write says which version of
the message it carries (db/message_search.py keeps the newest); the create trigger admits a
message once its sender is checked, and a quarantined message is removed.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from uuid import UUID

from db import message_search, pool
from search import text

log = logging.getLogger(__name__)

_LINK = re.compile(r"https?://\S", re.IGNORECASE)


def entry(room_id: str, message_id: str, message: dict[str, Any]) -> message_search.Entry | None:
    """What to index of a message document, or None if it is not a well-formed message."""
    sender, created_at = message.get("senderId"), message.get("createdAt")
    if not (_is_uuid(room_id) and _is_uuid(sender) and isinstance(created_at, datetime)):
        return None
    deleted = message.get("deleted") is True
    body = message.get("text") if isinstance(message.get("text"), str) else ""
    # The headline marks are ours alone; PostgreSQL text cannot hold NUL.
    for forbidden in ("\x00", message_search.START_MARK, message_search.STOP_MARK):
        body = body.replace(forbidden, "")
    kinds = {a.get("kind") for a in message.get("attachments") or [] if isinstance(a, dict)}
    stamps = [message.get("editedAt"), message.get("deletedAt") if deleted else None]
    version = max([created_at] + [s for s in stamps if isinstance(s, datetime)])
    if deleted:
        body, kinds = "", set()
    return message_search.Entry(
        room_id=room_id,
        message_id=message_id,
        sender_id=sender,
        created_at=created_at,
        version=version,
        body=body,
        document_text=text.indexable(body),
        has_file="file" in kinds,
        has_image="image" in kinds,
        has_link=_LINK.search(body) is not None,
        deleted=deleted,
    )


def _is_uuid(value: Any) -> bool:
    try:
        UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def admit(room_id: str, message_id: str, message: dict[str, Any]) -> None:
    """A message the trigger let through."""
    found = entry(room_id, message_id, message)
    if found is None:
        log.warning("not indexed: rooms/%s/messages/%s is malformed", room_id, message_id)
        return
    with pool.transaction() as conn:
        message_search.admit(conn, found)


def changed(room_id: str, message_id: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
    """An edit or soft delete; reactions and the functions' own marks are skipped.
    Returns whether the index was written."""
    new, old = entry(room_id, message_id, after), entry(room_id, message_id, before)
    if new is None or (old is not None and _searchable(old) == _searchable(new)):
        return False
    with pool.transaction() as conn:
        message_search.change(conn, new)
    return True


def _searchable(found: message_search.Entry) -> tuple:
    return (found.body, found.deleted, found.has_file, found.has_image)


def remove(room_id: str, message_id: str) -> None:
    """The message is gone from Firestore (quarantined)."""
    with pool.transaction() as conn:
        message_search.remove(conn, room_id, message_id)
