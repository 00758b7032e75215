"""The work after a message is created: check the sender against PostgreSQL, index it for
search, notify mentioned people and the other side of a direct conversation, push to members
who want it and do not have the room open, give the message its number in the room's
sequence, and bring the room summary and every member's room-list row up to it.

Delivery is at least once, so every step is idempotent: documents are keyed by the message,
a message keeps the number it took, the summary and rows only move forward, and pushes are
claimed once per message in PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from google.cloud import firestore as gcf

import clients
import firestore_paths
import logs
import mirror
from chat import plain_text, push_policy, summaries
from chat.notifier import Push, notifier
from db import message_delivery, outbox, pool, users
from media import attachments
from rooms.permissions import Standing, allowed
from search import index as search_index

log = logs.get(__name__)

PREVIEW_CHARS = 140
# A concurrent delivery of the same message can take its number first; the statement then
# runs again and finds it.
DELIVERY_ATTEMPTS = 3


def on_message_created(room_id: str, message_id: str, message: dict[str, Any]) -> str:
    """Handle a new message; returns what was done ("quarantined", "delivered" or "system")."""
    if message.get("kind") == "system":
        return "system"  # written by the functions themselves (chat/system_lines.py)
    sender = message.get("senderId")
    if not (_is_uuid(room_id) and _is_uuid(sender)):
        quarantine(room_id, message_id, message, "sender may not post in this room")
        return "quarantined"
    attached = bool(message.get("attachments"))
    with pool.autocommit() as conn:
        # A message with attachments is written only once they are checked, below.
        done = deliver(conn, room_id, message_id, sender, message, write=not attached)
        may_post = allowed("post", Standing(done.room, done.membership, done.direct_blocked))
        if may_post != done.may_post:
            raise RuntimeError("db/message_delivery.py and rooms.permissions disagree on posting")
        if not may_post and done.room is not None:
            if _sent_before_a_change(conn, room_id, sender, message):
                may_post = True  # sent before a removal, block or archive that came after it
                if not attached:
                    done = deliver(conn, room_id, message_id, sender, message, force=True)
            else:
                outbox.add(conn, "room", room_id, [sender])  # the mirror let them in: correct it
    if not may_post:
        quarantine(room_id, message_id, message, "sender may not post in this room")
        if done.room is not None:
            mirror.apply_quietly("room", room_id)
        return "quarantined"
    if attached:
        problem = attachments.check_message(room_id, message_id, sender, message)
        if problem:
            quarantine(room_id, message_id, message, problem)
            return "quarantined"
        with pool.autocommit() as conn:
            done = deliver(conn, room_id, message_id, sender, message, force=True)

    notify(done, sender, message_id, message)
    summaries.offer(room_id, done.seq)
    return "delivered"


def deliver(
    conn,
    room_id: str,
    message_id: str,
    sender: str,
    message: dict[str, Any],
    *,
    write: bool = True,
    force: bool = False,
) -> message_delivery.Delivery:
    """The statement (db/message_delivery.py), run again after a concurrent delivery of the
    same message took its number first."""
    sent = message.get("createdAt")
    # Mentions are written by clients: only user ids reach PostgreSQL.
    mentioned = [uid for uid in message.get("mentions") or [] if users.is_user_id(uid)][:50]
    entry = search_index.entry(room_id, message_id, message)
    if entry is None:
        log.warning("not indexed: rooms/%s/messages/%s is malformed", room_id, message_id)
    for attempt in range(DELIVERY_ATTEMPTS):
        try:
            return message_delivery.deliver(
                conn,
                room_id=room_id,
                message_id=message_id,
                sender_id=sender,
                created_at=sent if isinstance(sent, datetime) else datetime.now(UTC),
                preview=_preview(message),
                mentioned=mentioned,
                claim_key=f"push:{room_id}/{message_id}",
                index_entry=entry,
                write=write,
                force=force,
            )
        except message_delivery.NumberTaken:
            if attempt + 1 == DELIVERY_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _sent_before_a_change(conn, room_id: str, sender: str, message: dict[str, Any]) -> bool:
    changed = outbox.last_room_change(conn, room_id, sender)
    sent = message.get("createdAt")
    return changed is not None and sent is not None and changed > sent


def _is_uuid(value: Any) -> bool:
    try:
        UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def quarantine(room_id: str, message_id: str, message: dict[str, Any], reason: str) -> None:
    db = clients.firestore()
    batch = db.batch()
    batch.set(
        db.document(firestore_paths.quarantined_message(room_id, message_id)),
        {
            "roomId": room_id,
            "messageId": message_id,
            "message": message,
            "reason": reason,
            "quarantinedAt": gcf.SERVER_TIMESTAMP,
        },
    )
    batch.delete(db.document(firestore_paths.message(room_id, message_id)))
    batch.commit()
    search_index.remove(room_id, message_id)  # an edit may have reached the index first
    log.warning("quarantined rooms/%s/messages/%s: %s", room_id, message_id, reason)


def notify(
    done: message_delivery.Delivery, sender: str, message_id: str, message: dict[str, Any]
) -> None:
    """Notification documents for the people told (the statement found which of them are
    members, how they want to be told and who is in quiet hours) and the pushes it claimed,
    less the people who have the room open and focused (``chat/push_policy.py``)."""
    room = done.room
    room_id = room["id"]
    kind = "direct" if room["kind"] == "direct" else "mention"
    told = [uid for uid, setting in done.notify.items() if setting != "none"]
    sender_name = done.sender_name or "Someone"
    preview = _preview(message)
    if told:
        db = clients.firestore()
        batch = db.batch()
        for uid in sorted(told):
            batch.set(
                db.document(firestore_paths.notification(uid, room_id, message_id)),
                {
                    "type": kind,
                    "roomId": room_id,
                    "roomName": room["name"],
                    "messageId": message_id,
                    "senderId": sender,
                    "senderName": sender_name,
                    "preview": preview,
                    "createdAt": message.get("createdAt") or datetime.now(UTC),
                    "read": False,
                    # In the person's quiet hours: listed in the bell, never shown on the
                    # desktop.
                    "quiet": uid in done.quiet,
                },
            )
        batch.commit()
    recipients = push_policy.unfocused(done.pushes, room_id)
    if recipients:
        title = sender_name if room["kind"] == "direct" else f"{sender_name} in {room['name']}"
        notifier().send(
            [
                Push(
                    user_id=uid,
                    title=title,
                    body=preview,
                    tokens=tokens,
                    data={
                        "roomId": room_id,
                        "messageId": message_id,
                        "title": title,
                        "body": preview,
                        "link": f"/r/{room_id}/m/{message_id}",
                    },
                )
                for uid, tokens in recipients.items()
            ]
        )


def _preview(message: dict[str, Any]) -> str:
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    words = plain_text.from_markdown(text)
    if not words and message.get("attachments"):
        return "📎 Attachment"
    return words[:PREVIEW_CHARS]
