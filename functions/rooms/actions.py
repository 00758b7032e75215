"""Room actions. Each checks the caller's rights in PostgreSQL, changes the rows and writes
an outbox row in the same transaction, then brings the Firestore mirror up to date.

Ids arrive validated as UUIDs by handlers/rooms.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

import mirror
from db import blocks, outbox, pool, rooms, users
from errors import ApiError
from rooms.permissions import allowed, may_remove


@contextmanager
def _changing_room(
    room_id: str, *, room_wide: bool = False
) -> Iterator[tuple[psycopg.Connection, list[str]]]:
    """A transaction whose membership changes (the user ids appended to the list) are
    recorded in the outbox with it, and mirrored into Firestore after the commit.

    A ``room_wide`` change (the room itself) is recorded with no user ids; otherwise a
    transaction that touched nobody records nothing: an outbox row with no user ids would
    tell the message trigger that the whole room changed."""
    touched: list[str] = []
    with pool.transaction() as conn:
        yield conn, touched
        changed = room_wide or bool(touched)
        if changed:
            outbox.add(conn, "room", room_id, touched)
    if changed:
        mirror.apply_quietly("room", room_id)


def _room_and_role(conn, room_id: str, caller: str, *, lock: bool = False):
    room = rooms.by_id(conn, room_id, lock=lock)
    membership = rooms.membership(conn, room_id, caller) if room else None
    if room is None or (membership is None and room["is_private"]):
        raise ApiError("NOT_FOUND", "room not found")  # private rooms do not admit they exist
    return room, membership


def _require(action: str, room, membership) -> None:
    if membership is None:
        raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
    if not allowed(action, room, membership):
        if room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        raise ApiError("PERMISSION_DENIED", f"your role cannot {action.replace('_', ' ')}")


def _find_user(conn, *, user_id: str | None, username: str | None) -> dict[str, Any]:
    user = users.find(conn, user_id=user_id, username=username)
    if user is None:
        raise ApiError("NOT_FOUND", "user not found")
    return user


def create_group(caller: str, *, name: str, topic: str, is_private: bool) -> dict[str, Any]:
    with pool.transaction() as conn:
        room = rooms.create(
            conn, kind="group", name=name, topic=topic, is_private=is_private, created_by=caller
        )
        rooms.add_member(conn, room["id"], caller, role="owner", notify="all")
        outbox.add(conn, "room", room["id"], [caller])
    mirror.apply_quietly("room", room["id"])
    return {"roomId": room["id"], "created": True}


def create_direct(caller: str, *, user_id: str | None, username: str | None) -> dict[str, Any]:
    """The one direct conversation between the caller and another user."""
    with pool.transaction() as conn:
        other = _find_user(conn, user_id=user_id, username=username)
        if other["id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: cannot start a conversation with yourself")
        if blocks.either_blocked(conn, caller, other["id"]):
            raise ApiError("PERMISSION_DENIED", "you cannot message this user")
        key = ":".join(sorted((caller, other["id"])))
        room = rooms.create_direct(conn, created_by=caller, direct_key=key)
        created = room is not None
        if room is None:
            room = rooms.by_direct_key(conn, key)
        joined = [
            uid
            for uid in (caller, other["id"])
            if rooms.add_member(conn, room["id"], uid, role="member", notify="all")
        ]
        if joined:
            outbox.add(conn, "room", room["id"], joined)
    mirror.apply_quietly("room", room["id"])
    return {"roomId": room["id"], "created": created}


def invite(caller: str, room_id: str, *, user_id: str | None, username: str | None) -> dict:
    with pool.transaction() as conn:
        room, membership = _room_and_role(conn, room_id, caller)
        _require("invite", room, membership)
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
    with pool.transaction() as conn:
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
        outbox.add(conn, "room", room_id, [caller])
    mirror.apply_quietly("room", room_id)
    return {"roomId": room_id, "joined": True}


def join(caller: str, room_id: str) -> dict[str, Any]:
    """Join a public group by its id (the join link)."""
    with _changing_room(room_id) as (conn, touched):
        room, membership = _room_and_role(conn, room_id, caller)
        if membership is not None:
            return {"roomId": room_id, "joined": False}
        if room["kind"] != "group" or room["is_private"]:
            raise ApiError("PERMISSION_DENIED", "this room needs an invite")
        if room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        rooms.add_member(conn, room_id, caller, role="member", notify="mentions")
        touched.append(caller)
    return {"roomId": room_id, "joined": True}


def leave(caller: str, room_id: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, touched):
        room, membership = _room_and_role(conn, room_id, caller, lock=True)
        if membership is None:
            raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
        others = rooms.count_members(conn, room_id) - 1
        if (
            membership["role"] == "owner"
            and others
            and rooms.count_members(conn, room_id, "owner") == 1
        ):
            raise ApiError("FAILED_PRECONDITION", "make another member owner before leaving")
        rooms.remove_member(conn, room_id, caller)
        if not others and room["kind"] == "group":
            rooms.archive(conn, room_id)
        touched.append(caller)
    return {"roomId": room_id, "left": True}


def remove_member(caller: str, room_id: str, user_id: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, touched):
        room, membership = _room_and_role(conn, room_id, caller, lock=True)
        _require("remove_member", room, membership)
        target = rooms.membership(conn, room_id, user_id)
        if target is None:
            raise ApiError("NOT_FOUND", "userId: is not a member")
        if target["user_id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: use leaveRoom to leave")
        if not may_remove(membership["role"], target["role"]):
            raise ApiError("PERMISSION_DENIED", f"you cannot remove an {target['role']}")
        rooms.remove_member(conn, room_id, user_id)
        touched.append(user_id)
    return {"roomId": room_id, "removed": user_id}


def set_role(caller: str, room_id: str, user_id: str, role: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, touched):
        room, membership = _room_and_role(conn, room_id, caller, lock=True)
        _require("set_role", room, membership)
        target = rooms.membership(conn, room_id, user_id)
        if target is None:
            raise ApiError("NOT_FOUND", "userId: is not a member")
        if user_id == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: you cannot change your own role")
        rooms.set_member(conn, room_id, user_id, role=role)
        touched.append(user_id)
        if role == "owner":  # ownership moves; the old owner stays on as an admin
            rooms.set_member(conn, room_id, caller, role="admin")
            touched.append(caller)
    return {"roomId": room_id, "userId": user_id, "role": role}


def update(caller: str, room_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    with _changing_room(room_id, room_wide=True) as (conn, _):
        room, membership = _room_and_role(conn, room_id, caller, lock=True)
        _require("update_room", room, membership)
        rooms.update(conn, room_id, changes)
    return {"roomId": room_id}


def archive(caller: str, room_id: str) -> dict[str, Any]:
    with _changing_room(room_id, room_wide=True) as (conn, _):
        room, membership = _room_and_role(conn, room_id, caller, lock=True)
        _require("archive_room", room, membership)
        rooms.archive(conn, room_id)
    return {"roomId": room_id, "archived": True}


def set_notify(caller: str, room_id: str, notify: str) -> dict[str, Any]:
    with _changing_room(room_id) as (conn, touched):
        _, membership = _room_and_role(conn, room_id, caller)
        if membership is None:
            raise ApiError("PERMISSION_DENIED", "you are not a member of this room")
        rooms.set_member(conn, room_id, caller, notify=notify)
        touched.append(caller)
    return {"roomId": room_id, "notify": notify}


def set_block(caller: str, *, user_id: str, blocked: bool) -> dict[str, Any]:
    with pool.transaction() as conn:
        other = _find_user(conn, user_id=user_id, username=None)
        if other["id"] == caller:
            raise ApiError("INVALID_ARGUMENT", "userId: you cannot block yourself")
        (blocks.block if blocked else blocks.unblock)(conn, caller, other["id"])
        direct = rooms.by_direct_key(conn, ":".join(sorted((caller, other["id"]))))
        if direct is not None:  # the conversation between them opens or closes for posting
            outbox.add(conn, "room", direct["id"], [caller, other["id"]])
    if direct is not None:
        mirror.apply_quietly("room", direct["id"])
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
                "directMembers": row["direct_key"].split(":") if row["direct_key"] else None,
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
        room, membership = _room_and_role(conn, room_id, caller)
        _require("read", room, membership)
        rows = rooms.members(conn, room_id, after=after, limit=limit)
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
    }


def check_permission(caller: str, room_id: str, action: str) -> dict[str, Any]:
    with pool.transaction() as conn:
        room = rooms.by_id(conn, room_id)
        membership = rooms.membership(conn, room_id, caller) if room else None
    return {
        "allowed": allowed(action, room, membership),
        "role": membership["role"] if membership else None,
    }
