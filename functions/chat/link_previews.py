"""The preview card of a message's first link, written onto the message by the functions.

Clients cannot write ``preview`` (firestore.rules); the sender may take it away, which
deletes it and sets ``previewHidden`` so that a redelivered event does not bring it back.
A refused or failed fetch leaves the message without a preview.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore as gcf

import clients
import logs
from media import link_preview

log = logs.get(__name__)


def on_message_created(room_id: str, message_id: str, message: dict[str, Any]) -> str:
    """Fetch and write the preview; returns what happened (for the log line)."""
    if message.get("kind") == "system" or message.get("previewHidden"):
        return "skipped"
    text = message.get("text")
    link = link_preview.first_link(text) if isinstance(text, str) else None
    if link is None:
        return "no link"
    try:
        preview = link_preview.fetch(link)
    except link_preview.Refused as refusal:
        log.info("no preview for rooms/%s/messages/%s: %s", room_id, message_id, refusal)
        return "refused"
    if preview is None:
        return "nothing to show"
    return "written" if write(room_id, message_id, link, preview.as_fields()) else "stale"


def on_message_edited(
    room_id: str, message_id: str, before: dict[str, Any], after: dict[str, Any]
) -> str:
    """An edit that changes the first link: the old card goes, the new link gets one."""
    old_text, new_text = before.get("text"), after.get("text")
    if old_text == new_text or after.get("deleted") or not isinstance(new_text, str):
        return "unchanged"
    link = link_preview.first_link(new_text)
    if link == link_preview.first_link(old_text if isinstance(old_text, str) else ""):
        return "unchanged"
    if "preview" in after:
        drop(room_id, message_id, link)
    if link is None or after.get("previewHidden"):
        return "dropped"
    return on_message_created(room_id, message_id, {**after, "text": new_text})


def drop(room_id: str, message_id: str, link: str | None) -> None:
    """Remove a card that no longer belongs to the message's first link."""
    db = clients.firestore()
    ref = db.document(f"rooms/{room_id}/messages/{message_id}")

    @gcf.transactional
    def attempt(transaction) -> None:
        snapshot = ref.get(transaction=transaction)
        current = snapshot.to_dict() if snapshot.exists else None
        if current is None or "preview" not in current:
            return
        if link_preview.first_link(current.get("text") or "") != current["preview"].get("url"):
            transaction.update(ref, {"preview": gcf.DELETE_FIELD})

    attempt(db.transaction())


def write(room_id: str, message_id: str, link: str, fields: dict[str, str]) -> bool:
    """Put the preview on the message unless it went away, was deleted, no longer starts
    with that link (edited meanwhile), or its sender hid the preview."""
    db = clients.firestore()
    ref = db.document(f"rooms/{room_id}/messages/{message_id}")

    @gcf.transactional
    def attempt(transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        current = snapshot.to_dict() if snapshot.exists else None
        if (
            current is None
            or current.get("deleted")
            or current.get("previewHidden")
            or "preview" in current
            or link_preview.first_link(current.get("text") or "") != link
        ):
            return False
        transaction.update(ref, {"preview": fields})
        return True

    return attempt(db.transaction())
