"""Applies the outbox to Firestore: room summaries, the membership mirror, public profiles.

Documents are rewritten from the current PostgreSQL rows, never from what the outbox row
says, so applying twice, late or out of order converges on the truth. One subject at a time
holds an advisory lock, so two appliers cannot interleave stale and fresh writes.

Firestore layout written here:
- ``rooms/{roomId}``: the summary (kind, name, topic, privacy, archived, member count;
  the two members of a direct room); the message trigger adds the last message.
- ``rooms/{roomId}/members/{uid}``: role, notify, canPost — what the rules check.
- ``users/{uid}/rooms/{roomId}``: one row of the user's room list: what the row shows (kind,
  name, the last message), the room's message sequence and where it stood when they joined;
  the message trigger moves the last message and sequence forward, the person writes their
  own ``readSeq`` (docs/architecture.md, "The room list"). A direct room's row also carries
  ``peer``, the other person's name and picture, so the list needs no listener per person;
  a profile change rewrites it in every direct room of that person's.
- ``users/{uid}``: the public profile (presence is merged in by the presence trigger).
- ``revocations/{uid}``: ``{revokedAt}``, seconds: ID tokens whose ``auth_time`` is earlier
  are refused by the rules; written to the Realtime Database too, for its rules.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore as gcf

import clients
import firestore_paths
import logs
from db import message_sequence, outbox, pool, revocations, rooms, users
from rooms.direct_key import direct_members
from rooms.permissions import Standing, allowed, is_direct_blocked

log = logs.get(__name__)

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
            if topic == "room":
                commit(_room_writes(conn, subject_id, pending))
            elif topic == "revocation":
                commit_revocation(subject_id, revocations.revoked_at(conn, subject_id))
            else:
                commit(_user_writes(conn, subject_id))
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
    summary = room_summary(room, rooms.count_members(conn, room_id))
    writes: list[Write] = [(firestore_paths.room(room_id), summary)]
    touched = sorted({uid for row in pending for uid in row["user_ids"]})
    if any(not row["user_ids"] for row in pending):
        # The room itself changed (a rename): every member's room-list row shows it.
        touched = sorted(set(touched) | {m["user_id"] for m in rooms.memberships(conn, room_id)})
    direct_blocked = is_direct_blocked(conn, room)
    last = message_sequence.newest(conn, room_id) if touched else None
    for uid in touched:
        member = rooms.membership(conn, room_id, uid)
        entry = (
            room_list_entry(room, member, last, direct_peer(conn, room, uid)) if member else None
        )
        writes += [
            (
                firestore_paths.member(room_id, uid),
                member_doc(room, member, direct_blocked) if member else None,
            ),
            (firestore_paths.room_list_entry(uid, room_id), entry),
        ]
    return writes


def _user_writes(conn, user_id: str) -> list[Write]:
    """The public profile, and the ``peer`` of every room-list row that shows this person
    (the other side of each of their direct rooms): as many writes as they have direct
    rooms, on a profile change only."""
    user = users.by_id(conn, user_id)
    writes: list[Write] = [(firestore_paths.user(user_id), public_profile(user) if user else None)]
    if user is not None:
        peer = peer_fields(user)
        for row in rooms.direct_peers_of(conn, user_id):
            writes.append(
                (firestore_paths.room_list_entry(row["user_id"], row["room_id"]), {"peer": peer})
            )
    return writes


def direct_peer(conn, room: dict[str, Any], user_id: str) -> dict[str, Any] | None:
    """The other person of a direct room, as ``user_id`` sees it; None for groups."""
    if room["kind"] != "direct":
        return None
    others = [uid for uid in direct_members(room["direct_key"]) if uid != user_id]
    return users.by_id(conn, others[0]) if others else None


# The documents the functions own, built from PostgreSQL rows. The reconcile pass builds
# the same documents to compare with what Firestore holds.


def room_summary(room: dict[str, Any], member_count: int) -> dict[str, Any]:
    """The fields of ``rooms/{roomId}`` the mirror owns (the room's newest message is
    written apart, in ``roomActivity/{roomId}``: chat/summaries.py)."""
    summary = {
        "kind": room["kind"],
        "name": room["name"],
        "topic": room["topic"],
        "isPrivate": room["is_private"],
        "archived": room["archived_at"] is not None,
        "createdBy": room["created_by"],
        "createdAt": room["created_at"],
        "memberCount": member_count,
    }
    if room["kind"] == "direct":
        summary["directMembers"] = direct_members(room["direct_key"])
    return summary


def member_doc(
    room: dict[str, Any], member: dict[str, Any], direct_blocked: bool
) -> dict[str, Any]:
    """``canPost`` is what the rules read; it comes from the one definition of who may post."""
    return {
        "role": member["role"],
        "notify": member["notify"],
        "joinedAt": member["joined_at"],
        "canPost": allowed("post", Standing(room, member, direct_blocked)),
    }


def room_list_entry(
    room: dict[str, Any],
    member: dict[str, Any],
    last: dict[str, Any] | None,
    peer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of ``users/{uid}/rooms/{roomId}`` PostgreSQL implies (``last`` is the
    room's newest message, ``message_sequence.newest``; ``peer`` the other person of a
    direct room, ``direct_peer``). The person's own ``readSeq`` is theirs and never part
    of it."""
    entry = {
        "kind": room["kind"],
        "name": room["name"],
        "role": member["role"],
        "notify": member["notify"],
        "joinedAt": member["joined_at"],
        "joinedSeq": member["joined_seq"],
        "seq": room["message_seq"],
    }
    if room["kind"] == "direct":
        entry["directMembers"] = direct_members(room["direct_key"])
        if peer is not None:
            entry["peer"] = peer_fields(peer)
    if last is not None:
        entry.update(last_message_fields(last))
    return entry


def last_message_fields(last: dict[str, Any]) -> dict[str, Any]:
    """``lastMessage`` and ``lastMessageAt`` of a summary or room-list row."""
    return {
        "lastMessage": {
            "id": last["id"],
            "senderId": last["sender_id"],
            "senderName": last["sender_name"],
            "preview": last["preview"],
            "createdAt": last["created_at"],
        },
        "lastMessageAt": last["created_at"],
    }


def peer_fields(user: dict[str, Any]) -> dict[str, Any]:
    """What a direct room's row shows of the other person, and whether their account is
    gone (the room is then closed). Presence is not copied: it changes too often to be
    written into every row."""
    return {
        "uid": user["id"],
        "username": user["username"],
        "displayName": user["display_name"],
        "avatarUrl": user["avatar_url"],
        "disabled": user["disabled"],
    }


def public_profile(user: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``users/{uid}`` the mirror owns (the presence trigger adds
    ``presence``)."""
    return {
        "username": user["username"],
        "displayName": user["display_name"],
        "avatarUrl": user["avatar_url"],
        "bio": user["bio"],
        "disabled": user["disabled"],
    }


def merges(path: str) -> bool:
    """Summaries, profiles and room-list rows are merged into (others write fields of them
    too); the membership documents are the mirror's alone and replaced whole."""
    parts = path.split("/")
    return len(parts) == 2 or (parts[0] == "users" and parts[2] == "rooms")


def _as_written(path: str, data: dict[str, Any]) -> dict[str, Any]:
    """A room-list row's sequence only moves forward, whichever writer comes last: the
    message trigger may have written a newer one since this was read from PostgreSQL."""
    if path.startswith("users/") and "seq" in data:
        return {**data, "seq": gcf.Maximum(data["seq"])}
    return data


def commit_revocation(user_id: str, revoked_at: int | None) -> None:
    """Both copies of a revocation time: Firestore's and the Realtime Database's."""
    if revoked_at is None:
        return
    path = firestore_paths.revocation(user_id)
    commit([(path, {"revokedAt": revoked_at})])
    clients.database_reference(path).set({"revokedAt": revoked_at})


def commit(writes: list[Write]) -> None:
    """Apply the writes, in batches within Firestore's limit (not atomic across batches;
    every write is idempotent, so a retry finishes the job)."""
    db = clients.firestore()
    for start in range(0, len(writes), _BATCH_LIMIT):
        batch = db.batch()
        for path, data in writes[start : start + _BATCH_LIMIT]:
            ref = db.document(path)
            if data is None:
                batch.delete(ref)
            else:
                batch.set(ref, _as_written(path, data), merge=merges(path))
        batch.commit(retry=None, timeout=FIRESTORE_TIMEOUT)
