"""Missed-message emails: mentions and direct messages still unread after a delay
(``MISSED_MAIL_DELAY_SECONDS``, 10 minutes), gathered into one email per person, at most
one per person per delay.

What is unread is what the person's devices say: a message counts as read when its bell
entry (``users/{uid}/notifications/{roomId}_{messageId}``) is marked read, or when the
person's read position in the room (``readSeq`` of ``users/{uid}/rooms/{roomId}``) reached
the message's number. Deleted messages, rooms the person left or muted, and everything
while they turned these emails off are dropped without a mail. In their quiet hours the
rows wait, and go out after.

Each email carries a signed one-click unsubscribe link (RFC 8058): a JWT naming the person
and the version of their email setting, so it works once.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

import clients
import firestore_paths
import logs
import settings
from db import missed_messages, notification_settings, pool, users
from errors import ApiError
from mail import compose, outbox

log = logs.get(__name__)

PEOPLE_PER_RUN = 200
UNSUBSCRIBE_AUDIENCE = "flowchat-unsubscribe"
UNSUBSCRIBE_LINK_DAYS = 90


def send_due(limit: int = PEOPLE_PER_RUN) -> tuple[int, int]:
    """Queue the emails that are due: (emails queued, rows dropped as read or unwanted)."""
    delay = timedelta(seconds=settings.MISSED_MAIL_DELAY_SECONDS.value)
    with pool.transaction() as conn:
        people = missed_messages.due_people(conn, delay, limit)
    mailed = dropped = 0
    queued: list[int | None] = []
    for user_id in people:
        try:
            mail_id, gone = _send_to(user_id, delay)
        except Exception:  # Firestore or the database failed: the rows stay for the next run
            log.warning("missed-message email for %s left for later", user_id, exc_info=True)
            continue
        dropped += gone
        if mail_id is not None:
            mailed += 1
            queued.append(mail_id)
    outbox.kick(queued)
    return mailed, dropped


def _send_to(user_id: str, delay: timedelta) -> tuple[int | None, int]:
    with pool.transaction() as conn:
        person = missed_messages.lock_person(conn, user_id, delay)
        if person is None or person.quiet:
            return None, 0
        rows = missed_messages.due_rows(conn, user_id, delay)
        if not rows:
            return None, 0
        wanted = []
        if person.email and person.wants_email:
            wanted = [row for row in rows if row["notify"] not in (None, "none")]
        unread = _unread(user_id, wanted)
        missed_messages.remove(conn, user_id, rows)
        if not unread:
            return None, len(rows)
        mail_id = outbox.queue(
            conn,
            person.email,
            "missed_messages",
            dedupe_key=f"missed:{user_id}:{unread[0]['room_id']}/{unread[0]['message_id']}",
            headers=_unsubscribe_headers(user_id, person.email_version),
            name=person.name,
            count=len(unread),
            rooms=_by_room(unread),
            settings_link=f"{compose.app_url()}/settings/account",
            unsubscribe_link=unsubscribe_link(user_id, person.email_version),
        )
        missed_messages.mark_mailed(conn, user_id)
        return mail_id, len(rows) - len(unread)


def _unread(user_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose message still exists and is unread: one batched Firestore read of the
    bell entries, the person's room-list rows and the messages."""
    if not rows:
        return []
    db = clients.firestore()
    room_ids = sorted({row["room_id"] for row in rows})
    refs = [
        db.document(f"users/{user_id}/notifications/{row['room_id']}_{row['message_id']}")
        for row in rows
    ]
    refs += [db.document(firestore_paths.room_list_entry(user_id, room)) for room in room_ids]
    refs += [db.document(firestore_paths.message(r["room_id"], r["message_id"])) for r in rows]
    found = {snapshot.reference.path: snapshot for snapshot in db.get_all(refs)}

    def data(path: str) -> dict[str, Any] | None:
        snapshot = found.get(path)
        return snapshot.to_dict() if snapshot is not None and snapshot.exists else None

    unread = []
    for row in rows:
        room, message_id = row["room_id"], row["message_id"]
        note = data(f"users/{user_id}/notifications/{room}_{message_id}") or {}
        listed = data(firestore_paths.room_list_entry(user_id, room))
        message = data(firestore_paths.message(room, message_id))
        read_seq = (listed or {}).get("readSeq")
        if message is None or message.get("deleted") is True or listed is None:
            continue
        if note.get("read") is True:
            continue
        if row["seq"] is not None and isinstance(read_seq, int) and read_seq >= row["seq"]:
            continue
        unread.append(row)
    return unread


def _by_room(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped by room in order of their first message, each with its deep link."""
    rooms: dict[str, dict[str, Any]] = {}
    for row in rows:
        room = rooms.setdefault(
            row["room_id"],
            {
                "title": (
                    f"Direct messages from {row['sender_name']}"
                    if row["kind"] == "direct"
                    else f"Mentions in {row['room_name']}"
                ),
                "messages": [],
            },
        )
        room["messages"].append(
            {
                "sender": row["sender_name"],
                "preview": row["preview"],
                "link": f"{compose.app_url()}/r/{row['room_id']}/m/{row['message_id']}",
            }
        )
    return list(rooms.values())


def unsubscribe_token(user_id: str, version: int) -> str:
    return jwt.encode(
        {
            "aud": UNSUBSCRIBE_AUDIENCE,
            "sub": user_id,
            "ver": version,
            "exp": datetime.now(UTC) + timedelta(days=UNSUBSCRIBE_LINK_DAYS),
        },
        settings.jwt_secret(),
        algorithm="HS256",
    )


def unsubscribe_link(user_id: str, version: int) -> str:
    return f"{functions_url()}/unsubscribe?token={unsubscribe_token(user_id, version)}"


def _unsubscribe_headers(user_id: str, version: int) -> dict[str, str]:
    """RFC 8058: a mail client that offers "unsubscribe" POSTs
    ``List-Unsubscribe=One-Click`` to the link, with no cookie and no page to click through."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(user_id, version)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe(token: str) -> None:
    """Turn the link's person's missed-message emails off. 401 for a link that is not ours
    (forged, tampered, expired); 409 for one already used, or whose setting changed since."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret(),
            algorithms=["HS256"],
            audience=UNSUBSCRIBE_AUDIENCE,
            options={"require": ["exp", "sub", "ver"]},
        )
    except jwt.PyJWTError:
        raise ApiError("UNAUTHENTICATED", "this unsubscribe link is invalid or expired") from None
    user_id, version = claims["sub"], claims["ver"]
    if not users.is_user_id(user_id) or not isinstance(version, int):
        raise ApiError("UNAUTHENTICATED", "this unsubscribe link is invalid or expired")
    with pool.transaction() as conn:
        if not notification_settings.unsubscribe(conn, user_id, version):
            raise ApiError(
                "ALREADY_EXISTS",
                "this link was used already, or the setting changed since it was mailed",
            )


def functions_url() -> str:
    project = clients.project_id()
    emulator = os.environ.get("FUNCTIONS_EMULATOR_HOST")
    if emulator:
        return f"http://{emulator}/{project}/us-central1"
    return f"https://us-central1-{project}.cloudfunctions.net"
