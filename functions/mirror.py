"""Applies the outbox to Firestore: room summaries, the membership mirror, public profiles.

Documents are rewritten from the current PostgreSQL rows, never from what the outbox row
says, so applying twice, late or out of order converges on the truth. One subject at a time
holds an advisory lock, so two appliers cannot interleave stale and fresh writes.

Firestore layout written here:
- ``rooms/{roomId}``: the summary (kind, name, topic, privacy, archived, member count;
  the two members of a direct room); the message trigger adds the last message.
- ``rooms/{roomId}/members/{uid}``: role, notify, canPost — what the rules check.
- ``users/{uid}/rooms/{roomId}``: the user's own room list.
- ``users/{uid}``: the public profile (presence is merged in by the presence trigger).
"""

from __future__ import annotations

import logging
from typing import Any

import clients
from db import blocks, outbox, pool, rooms, users

log = logging.getLogger(__name__)

FIRESTORE_TIMEOUT = 10.0
_BATCH_LIMIT = 400


def apply(topic: str, subject_id: str) -> int:
    """Apply the pending rows of one subject; the number of rows applied."""
    try:
        with pool.transaction() as conn:
            outbox.lock_subject(conn, topic, subject_id)
            pending = outbox.pending_for(conn, topic, subject_id)
            if not pending:
                return 0
            writes = (
                _room_writes(conn, subject_id, pending)
                if topic == "room"
                else _user_writes(conn, subject_id)
            )
            _commit(writes)
            outbox.mark_applied(conn, [row["id"] for row in pending])
            return len(pending)
    except Exception as exc:
        with pool.transaction() as conn:
            outbox.record_failure(conn, topic, subject_id, f"{type(exc).__name__}: {exc}")
        raise


def apply_quietly(topic: str, subject_id: str) -> None:
    """For the request path: PostgreSQL already has the change, so a Firestore failure is
    logged and left to the scheduled retry rather than failing the request."""
    try:
        apply(topic, subject_id)
    except Exception:
        log.warning("mirror of %s %s left pending", topic, subject_id, exc_info=True)


HISTORY_DAYS = 7  # applied rows kept as the history the message trigger consults


def apply_pending(limit: int = 200) -> tuple[int, int]:
    """Everything pending, oldest first: (subjects applied, subjects still failing)."""
    with pool.transaction() as conn:
        outbox.forget_applied(conn, HISTORY_DAYS)
        subjects = outbox.pending_subjects(conn, limit)
    failed = 0
    for topic, subject_id in subjects:
        try:
            apply(topic, subject_id)
        except Exception:
            failed += 1
            log.warning("mirror of %s %s failed again", topic, subject_id, exc_info=True)
    return len(subjects) - failed, failed


# A write is (document path, data) to set, or (document path, None) to delete.
Write = tuple[str, dict[str, Any] | None]


def _room_writes(conn, room_id: str, pending: list[dict[str, Any]]) -> list[Write]:
    room = rooms.by_id(conn, room_id)
    if room is None:
        return []
    member_ids = rooms.member_ids(conn, room_id)
    summary = {
        "kind": room["kind"],
        "name": room["name"],
        "topic": room["topic"],
        "isPrivate": room["is_private"],
        "archived": room["archived_at"] is not None,
        "createdBy": room["created_by"],
        "createdAt": room["created_at"],
        "memberCount": len(member_ids),
    }
    if room["kind"] == "direct":
        summary["directMembers"] = sorted(room["direct_key"].split(":"))
    writes: list[Write] = [(f"rooms/{room_id}", summary)]

    touched = sorted({uid for row in pending for uid in row["user_ids"]})
    direct_blocked = room["kind"] == "direct" and blocks.either_blocked(
        conn, *room["direct_key"].split(":")
    )
    for uid in touched:
        member = rooms.membership(conn, room_id, uid)
        if member is None:
            writes += [
                (f"rooms/{room_id}/members/{uid}", None),
                (f"users/{uid}/rooms/{room_id}", None),
            ]
            continue
        writes.append(
            (
                f"rooms/{room_id}/members/{uid}",
                {
                    "role": member["role"],
                    "notify": member["notify"],
                    "joinedAt": member["joined_at"],
                    "canPost": not direct_blocked,
                },
            )
        )
        writes.append(
            (
                f"users/{uid}/rooms/{room_id}",
                {
                    "kind": room["kind"],
                    "role": member["role"],
                    "notify": member["notify"],
                    "joinedAt": member["joined_at"],
                },
            )
        )
    return writes


def _user_writes(conn, user_id: str) -> list[Write]:
    user = users.by_id(conn, user_id)
    if user is None:
        return [(f"users/{user_id}", None)]
    return [
        (
            f"users/{user_id}",
            {
                "username": user["username"],
                "displayName": user["display_name"],
                "avatarUrl": user["avatar_url"],
                "bio": user["bio"],
                "disabled": user["disabled"],
            },
        )
    ]


def _commit(writes: list[Write]) -> None:
    db = clients.firestore()
    for start in range(0, len(writes), _BATCH_LIMIT):
        batch = db.batch()
        for path, data in writes[start : start + _BATCH_LIMIT]:
            ref = db.document(path)
            if data is None:
                batch.delete(ref)
            elif path.count("/") == 1:
                batch.set(ref, data, merge=True)  # summaries and profiles carry other fields
            else:
                batch.set(ref, data)
        batch.commit(retry=None, timeout=FIRESTORE_TIMEOUT)
