"""The work after a message is created: check the sender against PostgreSQL, update the
room summary, notify mentioned people and the other side of a direct conversation, and
push to members who are away.

Delivery is at least once, so every step is idempotent: documents are keyed by the message,
the summary only moves forward, and pushes are claimed once per message in PostgreSQL.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore as gcf

import clients
import mirror
from chat.notifier import Push, notifier
from db import blocks, notifications, outbox, pool, rooms, users
from media import attachments
from rooms.permissions import allowed

log = logging.getLogger(__name__)

PREVIEW_CHARS = 140
# The summary is written at most once per this many seconds per room, so a burst of
# messages does not turn it into a hot document; the newest message always lands, and
# only its trigger waits.
SUMMARY_INTERVAL = 1.0


def on_message_created(room_id: str, message_id: str, message: dict[str, Any]) -> str:
    """Handle a new message; returns what was done ("quarantined" or "delivered")."""
    sender = message.get("senderId")
    with pool.transaction() as conn:
        room = rooms.by_id(conn, room_id)
        membership = (
            rooms.membership(conn, room_id, sender) if room and isinstance(sender, str) else None
        )
        may_post = allowed("post", room, membership) and not (
            room["kind"] == "direct" and blocks.either_blocked(conn, *room["direct_key"].split(":"))
        )
        if not may_post and room is not None and isinstance(sender, str):
            changed = outbox.last_room_change(conn, room_id, sender)
            sent = message.get("createdAt")
            if changed is not None and sent is not None and changed > sent:
                # Sent before a removal, block or archive that came after it: it was allowed.
                may_post = True
            else:
                outbox.add(conn, "room", room_id, [sender])  # the mirror let them in: correct it
    if not may_post:
        quarantine(room_id, message_id, message, "sender may not post in this room")
        if room is not None:
            mirror.apply_quietly("room", room_id)
        return "quarantined"
    problem = attachments.check_message(room_id, message_id, sender, message)
    if problem:
        quarantine(room_id, message_id, message, problem)
        return "quarantined"

    # Notifications first: the summary may wait out its rate limit.
    notify(room, sender, message_id, message)
    update_summary(room_id, message_id, message)
    return "delivered"


def quarantine(room_id: str, message_id: str, message: dict[str, Any], reason: str) -> None:
    db = clients.firestore()
    batch = db.batch()
    batch.set(
        db.document(f"quarantine/{room_id}_{message_id}"),
        {
            "roomId": room_id,
            "messageId": message_id,
            "message": message,
            "reason": reason,
            "quarantinedAt": gcf.SERVER_TIMESTAMP,
        },
    )
    batch.delete(db.document(f"rooms/{room_id}/messages/{message_id}"))
    batch.commit()
    log.warning("quarantined rooms/%s/messages/%s: %s", room_id, message_id, reason)


def update_summary(room_id: str, message_id: str, message: dict[str, Any]) -> bool:
    """Move the summary's last message forward to this one unless a newer one is there.
    Returns whether this call wrote the summary."""
    db = clients.firestore()
    summary_ref = db.document(f"rooms/{room_id}")
    created_at = message.get("createdAt")
    last = {
        "id": message_id,
        "senderId": message.get("senderId"),
        "preview": _preview(message),
        "createdAt": created_at,
    }

    @gcf.transactional
    def attempt(transaction) -> float:
        """0 when done (written or superseded), else seconds to wait before trying again."""
        snapshot = summary_ref.get(transaction=transaction)
        current = (snapshot.to_dict() or {}).get("lastMessageAt")
        if current is not None and created_at is not None and current >= created_at:
            return 0.0
        if snapshot.exists and snapshot.update_time is not None:
            elapsed = time.time() - snapshot.update_time.timestamp()
            if elapsed < SUMMARY_INTERVAL:
                return SUMMARY_INTERVAL - elapsed
        transaction.set(summary_ref, {"lastMessage": last, "lastMessageAt": created_at}, merge=True)
        written.append(True)
        return 0.0

    def superseded() -> bool:
        """A newer message exists: its own trigger will bring the summary up to it."""
        newest = (
            db.collection(f"rooms/{room_id}/messages")
            .order_by("createdAt", direction=gcf.Query.DESCENDING)
            .limit(1)
            .get()
        )
        return bool(newest) and created_at is not None and newest[0].get("createdAt") > created_at

    written: list[bool] = []
    while (wait := attempt(db.transaction())) > 0:
        if superseded():  # in a burst only the newest message waits out the interval
            return False
        time.sleep(wait)
    return bool(written)


def notify(room: dict[str, Any], sender: str, message_id: str, message: dict[str, Any]) -> None:
    room_id = room["id"]
    mentioned = [uid for uid in message.get("mentions") or [] if isinstance(uid, str)][:50]
    with pool.transaction() as conn:
        sender_user = users.by_id(conn, sender)
        if room["kind"] == "direct":
            others = [uid for uid in room["direct_key"].split(":") if uid != sender]
            told = {uid: "direct" for uid in others}
        else:
            told = {uid: "mention" for uid in mentioned if uid != sender}
        settings = notifications.members_among(conn, room_id, list(told))
        told = {uid: kind for uid, kind in told.items() if settings.get(uid, "none") != "none"}
        first_time = notifications.claim(conn, f"push:{room_id}/{message_id}")
        recipients = (
            notifications.push_recipients(conn, room_id, sender, mentioned) if first_time else {}
        )

    sender_name = sender_user["display_name"] if sender_user else "Someone"
    preview = _preview(message)
    if told:
        db = clients.firestore()
        batch = db.batch()
        for uid, kind in told.items():
            batch.set(
                db.document(f"users/{uid}/notifications/{room_id}_{message_id}"),
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
                },
            )
        batch.commit()
    if recipients:
        title = sender_name if room["kind"] == "direct" else f"{sender_name} in {room['name']}"
        notifier().send(
            [
                Push(
                    user_id=uid,
                    title=title,
                    body=preview,
                    tokens=tokens,
                    data={"roomId": room_id, "messageId": message_id},
                )
                for uid, tokens in recipients.items()
            ]
        )


def _preview(message: dict[str, Any]) -> str:
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    if not text and message.get("attachments"):
        return "📎 Attachment"
    return " ".join(text.split())[:PREVIEW_CHARS]
