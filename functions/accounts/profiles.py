"""Profiles: what a user shows to themself and to others."""

from __future__ import annotations

from typing import Any

import mirror
from accounts import sessions, tokens
from db import outbox, pool, users
from errors import ApiError


def private_json(user: users.User) -> dict[str, Any]:
    """The profile as its owner sees it."""
    return {
        **public_json(user),
        "email": user["email"],
        "emailVerified": user.get("email_verified_at") is not None,
    }


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
    with pool.autocommit() as conn:  # one statement: one round trip
        user = users.by_id(conn, user_id)
    if user is None or user["disabled"]:
        raise ApiError("NOT_FOUND", "user not found")
    return user


def get_caller(bearer: str) -> users.User:
    """The caller's own profile, authenticated as ``sessions.authenticate`` does. With a
    FlowChat access token, the session check and the read are one statement."""
    if not tokens.is_flowchat_token(bearer):
        return get_own(sessions.authenticate(bearer))
    claims = sessions.access_claims(bearer)
    with pool.autocommit() as conn:  # one statement: one round trip
        user = users.by_live_session(conn, claims.user_id, claims.session_id)
    if user is None:
        raise sessions.session_ended()
    return user


def find(*, uid: str | None, username: str | None) -> users.User:
    with pool.transaction() as conn:
        user = users.find(conn, user_id=uid, username=username)
    if user is None:
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
