"""Profiles: what a user shows to themself and to others."""

from __future__ import annotations

from typing import Any

import mirror
from errors import ApiError

from db import outbox, pool, users


def private_json(user: users.User) -> dict[str, Any]:
    """The profile as its owner sees it."""
    return {**public_json(user), "email": user["email"]}


def public_json(user: users.User) -> dict[str, Any]:
    return {
        "id": user["id"],
        "username": user["username"],
        "displayName": user["display_name"],
        "avatarUrl": user["avatar_url"],
        "bio": user["bio"],
        "createdAt": user["created_at"].isoformat(),
    }


def get_own(user_id: str) -> users.User:
    with pool.transaction() as conn:
        user = users.by_id(conn, user_id)
    if user is None or user["disabled"]:
        raise ApiError("NOT_FOUND", "user not found")
    return user


def find(*, uid: str | None, username: str | None) -> users.User:
    with pool.transaction() as conn:
        if uid is not None:
            user = users.by_id(conn, uid) if _is_uuid(uid) else None
        else:
            user = users.by_username(conn, username or "")
    if user is None or user["disabled"]:
        raise ApiError("NOT_FOUND", "user not found")
    return user


def update(user_id: str, changes: dict[str, Any]) -> users.User:
    with pool.transaction() as conn:
        user = users.update_profile(conn, user_id, changes)
        if user is None:
            raise ApiError("NOT_FOUND", "user not found")
        outbox.add(conn, "user", user_id)
    mirror.apply_quietly("user", user_id)
    return user


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
