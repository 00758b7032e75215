"""Who may do what in a room: the one definition that checkPermission, the room actions,
signUpload, the message trigger and the membership mirror (``canPost``, which the rules
read) all use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from db import blocks, rooms
from rooms.direct_key import direct_members

ROLES = ("owner", "admin", "member")

# Actions other services may ask about through checkPermission, with what they need.
ACTIONS = (
    "read",
    "post",
    "invite",
    "remove_member",
    "set_role",
    "update_room",
    "archive_room",
    "delete_any_message",
    "upload",
    "pin",
)


@dataclass(frozen=True)
class Standing:
    """Everything a person's rights in one room depend on."""

    room: dict[str, Any] | None
    membership: dict[str, Any] | None
    # A direct room between two people of whom one has blocked the other, or deleted their
    # account: it stays readable, but nobody may post or upload into it.
    direct_blocked: bool


def standing(
    conn: psycopg.Connection, room_id: str, user_id: str | None, *, lock: bool = False
) -> Standing:
    """The person's standing in the room, read from PostgreSQL in one statement (no one:
    no membership)."""
    return Standing(*rooms.standing_of(conn, room_id, user_id, lock=lock))


def is_direct_blocked(conn: psycopg.Connection, room: dict[str, Any] | None) -> bool:
    if room is None or room["kind"] != "direct":
        return False
    people = direct_members(room["direct_key"])
    return blocks.either_blocked(conn, *people) or blocks.either_deleted(conn, *people)


def allowed(action: str, standing: Standing) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    room, membership = standing.room, standing.membership
    if room is None or membership is None:
        return False
    role = membership["role"]
    archived = room["archived_at"] is not None
    direct = room["kind"] == "direct"
    if action == "read":
        return True
    if archived:
        return False
    if action in ("post", "upload"):
        return not standing.direct_blocked
    if action == "pin":  # both people of a direct room; owners and admins of a group
        return not standing.direct_blocked if direct else role in ("owner", "admin")
    if direct:
        return False  # a conversation between two people has no administration
    if action == "invite":
        return role in ("owner", "admin") or not room["is_private"]
    if action in ("remove_member", "update_room", "delete_any_message"):
        return role in ("owner", "admin")
    return role == "owner"  # set_role, archive_room


def may_remove(actor_role: str, target_role: str) -> bool:
    """Owners remove anyone but themselves; admins remove plain members."""
    if actor_role == "owner":
        return target_role != "owner"
    return actor_role == "admin" and target_role == "member"
