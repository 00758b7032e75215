"""Room actions. Each checks the caller's rights in PostgreSQL, changes the rows and writes
an outbox row in the same transaction, then brings the Firestore mirror up to date.

Ids arrive validated as UUIDs by handlers/rooms.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

import logs
import mirror
import reconcile
from chat import system_lines
from db import blocks, outbox, pool, rooms, users
from errors import ApiError
from rooms.direct_key import direct_key, direct_members
from rooms.permissions import Standing, allowed, may_remove, standing

log = logs.get(__name__)


@dataclass
class RoomChange:
    """What a transaction changed in one room: the room (``room_id``, which a transaction
    creating or finding the room sets once it knows it) and whose memberships."""

    room_id: str | None
    touched: list[str] = field(default_factory=list)

    def touch(self, *user_ids: str) -> None:
        self.touched.extend(user_ids)


@contextmanager
def _changing_room(
    room_id: str | None = None, *, room_wide: bool = False
) -> Iterator[tuple[psycopg.Connection, RoomChange]]:
    """A transaction whose membership changes (``change.touch(user_id)``) are recorded in
    the outbox with it, and mirrored into Firestore after the commit. Every room action
    records its changes this way.

    A ``room_wide`` change (the room itself) is recorded with no user ids; otherwise a
    transaction that touched nobody records nothing: an outbox row with no user ids would
    tell the message trigger that the whole room changed. Nor does one that never learnt
    its room (``change.room_id`` still None)."""
    change = RoomChange(room_id)
    with pool.transaction() as conn:
        yield conn, change
        changed = change.room_id is not None and (room_wide or bool(change.touched))
        if changed:
            outbox.add(conn, "room", change.room_id, change.touched)
    if changed:
        mirror.apply_quietly("room", change.room_id)


def _standing(conn, room_id: str, caller: str, *, lock: bool = False) -> Standing:
    here = standing(conn, room_id, caller, lock=lock)
    if here.room is None or (here.membership is None and here.room["is_private"]):
        raise ApiError("NOT_FOUND", "room not found")  # private rooms do not admit they exist
    return here


def _require(action: str, here: Standing) -> None:
    if here.membership is None:
        raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
    if not allowed(action, here):
        if here.room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        raise ApiError("PERMISSION_DENIED", f"your role cannot {action.replace('_', ' ')}")


def _find_user(conn, *, user_id: str | None, username: str | None) -> dict[str, Any]:
    user = users.find(conn, user_id=user_id, username=username)
    if user is None:
        raise ApiError("NOT_FOUND", "user not found")
    return user


def create_group(caller: str, *, name: str, topic: str, is_private: bool) -> dict[str, Any]:
    with _changing_room() as (conn, change):
        room = rooms.create(
            conn, kind="group", name=name, topic=topic, is_private=is_private, created_by=caller
        )
        change.room_id = room["id"]
        rooms.add_member(conn, room["id"], caller, role="owner", notify="all")
        change.touch(caller)
    return {"roomId": room["id"], "created": True}


def create_direct(caller: str, *, user_id: str | None, username: str | None) -> dict[str, Any]:
    """The one direct conversation between the caller and another user."""
    with _changing_room() as (conn, change):
        other = _find_user(conn, user_id=user_id, username=username)
        if other["id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: cannot start a conversation with yourself")
        if blocks.either_blocked(conn, caller, other["id"]):
            raise ApiError("PERMISSION_DENIED", "you cannot message this user")
        key = direct_key(caller, other["id"])
        room = rooms.create_direct(conn, created_by=caller, direct_key=key)
        created = room is not None
        if room is None:
            room = rooms.by_direct_key(conn, key)
        change.room_id = room["id"]
        for uid in (caller, other["id"]):
            if rooms.add_member(conn, room["id"], uid, role="member", notify="all"):
                change.touch(uid)
    if not created:
        _ensure_mirror(room["id"], caller)
    return {"roomId": room["id"], "created": created}


def restore(caller: str, room_id: str) -> dict[str, Any]:
    """A room of the caller's that their client cannot load (its Firestore documents are
    missing or stale): repair them from PostgreSQL. Not found for anyone not a member."""
    with pool.transaction() as conn:
        if not allowed("read", standing(conn, room_id, caller)):
            raise ApiError("NOT_FOUND", "room not found")
    written = _ensure_mirror(room_id, caller)
    return {"roomId": room_id, "repaired": len(written)}


def _ensure_mirror(room_id: str, caller: str) -> list[str]:
    """The room is about to be opened: the documents its member needs must be in Firestore,
    even if Firestore lost them (a wiped emulator, a restored backup), or the client could
    not read it. Only what differs from PostgreSQL is written; the paths written."""
    try:
        return reconcile.ensure_room_for(room_id, caller)
    except Exception:
        log.warning("mirror of room %s could not be repaired", room_id, exc_info=True)
        raise ApiError("UNAVAILABLE", "the conversation is not ready yet; try again") from None


def invite(caller: str, room_id: str, *, user_id: str | None, username: str | None) -> dict:
    with pool.transaction() as conn:
        here = _standing(conn, room_id, caller)
        _require("invite", here)
        invitee = _find_user(conn, user_id=user_id, username=username)
        if rooms.membership(conn, room_id, invitee["id"]) is not None:
            raise ApiError("ALREADY_EXISTS", "userId: is already a member")
        if blocks.either_blocked(conn, caller, invitee["id"]):
            raise ApiError("PERMISSION_DENIED", "you cannot invite this user")
        created = rooms.create_invite(conn, room_id, caller, invitee["id"])
        if created is None:
            raise ApiError("ALREADY_EXISTS", "userId: already has a pending invite")
    return {"inviteId": created["id"]}


def respond_to_invite(caller: str, invite_id: str, *, accept: bool) -> dict[str, Any]:
    with _changing_room() as (conn, change):
        found = rooms.pending_invite(conn, invite_id)
        if found is None or found["invitee_id"] != caller:
            raise ApiError("NOT_FOUND", "invite not found")
        room_id = found["room_id"]
        if not accept:
            rooms.respond_to_invite(conn, invite_id, "declined")
            return {"roomId": room_id, "joined": False}
        room = rooms.by_id(conn, room_id)
        if room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        rooms.respond_to_invite(conn, invite_id, "accepted")
        rooms.add_member(conn, room_id, caller, role="member", notify="mentions")
        change.room_id = room_id
        change.touch(caller)
    system_lines.post(room_id, "joined", caller)
    return {"roomId": room_id, "joined": True}


def join(caller: str, room_id: str) -> dict[str, Any]:
    """Join a public group by its id (the join link)."""
    with _changing_room(room_id) as (conn, change):
        here = _standing(conn, room_id, caller)
        if here.membership is not None:
            return {"roomId": room_id, "joined": False}
        if here.room["kind"] != "group" or here.room["is_private"]:
            raise ApiError("PERMISSION_DENIED", "this room needs an invite")
        if here.room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        rooms.add_member(conn, room_id, caller, role="member", notify="mentions")
        change.touch(caller)
    system_lines.post(room_id, "joined", caller)
    return {"roomId": room_id, "joined": True}


def leave(caller: str, room_id: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, change):
        here = _standing(conn, room_id, caller, lock=True)
        if here.membership is None:
            raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
        others = rooms.count_members(conn, room_id) - 1
        if (
            here.membership["role"] == "owner"
            and others
            and rooms.count_members(conn, room_id, "owner") == 1
        ):
            raise ApiError("FAILED_PRECONDITION", "make another member owner before leaving")
        rooms.remove_member(conn, room_id, caller)
        if not others and here.room["kind"] == "group":
            rooms.archive(conn, room_id)
        change.touch(caller)
    if here.room["kind"] == "group" and others:
        system_lines.post(room_id, "left", caller)
    return {"roomId": room_id, "left": True}


def remove_member(caller: str, room_id: str, user_id: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, change):
        here = _standing(conn, room_id, caller, lock=True)
        _require("remove_member", here)
        target = rooms.membership(conn, room_id, user_id)
        if target is None:
            raise ApiError("NOT_FOUND", "userId: is not a member")
        if target["user_id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: use leaveRoom to leave")
        if not may_remove(here.membership["role"], target["role"]):
            raise ApiError("PERMISSION_DENIED", f"you cannot remove an {target['role']}")
        rooms.remove_member(conn, room_id, user_id)
        change.touch(user_id)
        removed = users.by_id(conn, user_id)
    system_lines.post(
        room_id,
        "removed",
        caller,
        subject_id=user_id,
        subject_name=removed["display_name"] if removed else None,
    )
    return {"roomId": room_id, "removed": user_id}


def set_role(caller: str, room_id: str, user_id: str, role: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, change):
        here = _standing(conn, room_id, caller, lock=True)
        _require("set_role", here)
        target = rooms.membership(conn, room_id, user_id)
        if target is None:
            raise ApiError("NOT_FOUND", "userId: is not a member")
        if user_id == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: you cannot change your own role")
        rooms.set_member(conn, room_id, user_id, role=role)
        change.touch(user_id)
        if role == "owner":  # ownership moves; the old owner stays on as an admin
            rooms.set_member(conn, room_id, caller, role="admin")
            change.touch(caller)
    return {"roomId": room_id, "userId": user_id, "role": role}


def update(caller: str, room_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    with _changing_room(room_id, room_wide=True) as (conn, _):
        here = _standing(conn, room_id, caller, lock=True)
        _require("update_room", here)
        rooms.update(conn, room_id, changes)
    for column, event in (("name", "renamed"), ("topic", "topic")):
        if column in changes and changes[column] != here.room[column]:
            system_lines.post(room_id, event, caller, value=changes[column])
    return {"roomId": room_id}


def archive(caller: str, room_id: str) -> dict[str, Any]:
    with _changing_room(room_id, room_wide=True) as (conn, change):
        here = _standing(conn, room_id, caller, lock=True)
        _require("archive_room", here)
        rooms.archive(conn, room_id)
        # Every member's canPost turns false: the mirror rewrites each membership.
        change.touch(*(m["user_id"] for m in rooms.memberships(conn, room_id)))
    return {"roomId": room_id, "archived": True}


def set_notify(caller: str, room_id: str, notify: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, change):
        here = _standing(conn, room_id, caller)
        if here.membership is None:
            raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
        rooms.set_member(conn, room_id, caller, notify=notify)
        change.touch(caller)
    return {"roomId": room_id, "notify": notify}


def set_block(caller: str, *, user_id: str, blocked: bool) -> dict[str, Any]:
    with _changing_room() as (conn, change):
        other = _find_user(conn, user_id=user_id, username=None)
        if other["id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: you cannot block yourself")
        (blocks.block if blocked else blocks.unblock)(conn, caller, other["id"])
        direct = rooms.by_direct_key(conn, direct_key(caller, other["id"]))
        if direct is not None:  # the conversation between them opens or closes for posting
            change.room_id = direct["id"]
            change.touch(caller, other["id"])
    return {"userId": other["id"], "blocked": blocked}


def my_rooms(caller: str) -> dict[str, Any]:
    with pool.transaction() as conn:
        rows = rooms.rooms_of(conn, caller)
        invites = rooms.invites_for(conn, caller)
        blocked = blocks.blocked_by(conn, caller)
    return {
        "rooms": [
            {
                "id": row["id"],
                "kind": row["kind"],
                "name": row["name"],
                "topic": row["topic"],
                "isPrivate": row["is_private"],
                "archived": row["archived_at"] is not None,
                "role": row["role"],
                "notify": row["notify"],
                "memberCount": row["member_count"],
                "directMembers": direct_members(row["direct_key"]) if row["direct_key"] else None,
                "joinedAt": row["joined_at"].isoformat(),
            }
            for row in rows
        ],
        "invites": [
            {
                "id": i["id"],
                "roomId": i["room_id"],
                "roomName": i["room_name"],
                "inviterId": i["inviter_id"],
                "inviterName": i["inviter_name"],
                "createdAt": i["created_at"].isoformat(),
            }
            for i in invites
        ],
        "blocked": blocked,
    }


def list_members(caller: str, room_id: str, *, after: str | None, limit: int) -> dict[str, Any]:
    with pool.transaction() as conn:
        here = _standing(conn, room_id, caller)
        _require("read", here)
        rows = rooms.members(conn, room_id, after=after, limit=limit)
        # Invites not yet answered, with the first page: those who manage members see
        # everyone's, others the ones they sent themselves.
        pending = (
            rooms.pending_invites(conn, room_id, None if allowed("remove_member", here) else caller)
            if after is None
            else []
        )
    return {
        "members": [
            {
                "userId": r["user_id"],
                "role": r["role"],
                "username": r["username"],
                "displayName": r["display_name"],
                "avatarUrl": r["avatar_url"],
                "joinedAt": r["joined_at"].isoformat(),
            }
            for r in rows
        ],
        "next": rows[-1]["user_id"] if len(rows) == limit else None,
        "pendingInvites": [
            {
                "inviteId": i["id"],
                "userId": i["invitee_id"],
                "username": i["username"],
                "displayName": i["display_name"],
                "avatarUrl": i["avatar_url"],
                "invitedBy": i["inviter_id"],
                "invitedAt": i["created_at"].isoformat(),
            }
            for i in pending
        ],
    }


def check_permission(caller: str, room_id: str, action: str) -> dict[str, Any]:
    with pool.transaction() as conn:
        here = standing(conn, room_id, caller)
    return {
        "allowed": allowed(action, here),
        "role": here.membership["role"] if here.membership else None,
    }
