"""Who may do what in a room, decided from the room and the caller's membership."""

from __future__ import annotations

from typing import Any

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
)


def allowed(action: str, room: dict[str, Any] | None, membership: dict[str, Any] | None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
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
        return True
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
