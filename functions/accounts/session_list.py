"""Where a person is logged in: their live sessions, and ending them."""

from __future__ import annotations

import functools
from typing import Any

import mirror
from accounts import firebase, tokens
from db import pool, revocations, sessions
from errors import ApiError


def list_for(claims: tokens.AccessClaims) -> list[dict[str, Any]]:
    with pool.transaction() as conn:
        rows = sessions.live_for_user(conn, claims.user_id)
    return [
        {
            "id": row["id"],
            "device": describe_device(row["user_agent"]),
            "userAgent": row["user_agent"],
            "createdAt": row["created_at"].isoformat(),
            "lastUsedAt": row["last_used_at"].isoformat(),
            "current": row["id"] == claims.session_id,
        }
        for row in rows
    ]


def revoke_one(claims: tokens.AccessClaims, session_id: str) -> None:
    """End one of the caller's own sessions (their current one is a logout)."""
    with pool.transaction() as conn:
        owned = {row["id"] for row in sessions.live_for_user(conn, claims.user_id)}
        if session_id not in owned:
            raise ApiError("NOT_FOUND", "sessionId: no such session of yours")
        sessions.revoke(conn, session_id, reason="ended by the user")


def revoke_others(claims: tokens.AccessClaims) -> tuple[int, str]:
    """End every session but the caller's, and every Firebase sign-in (the other devices'
    ID tokens stop working at once). (sessions ended, a Firebase custom token that signs
    this device in again)."""
    with pool.transaction() as conn:
        ended = sessions.revoke_all(
            conn, claims.user_id, reason="ended by the user", keep=claims.session_id
        )
        revocations.revoke(conn, claims.user_id)
    mirror.apply_quietly("revocation", claims.user_id)
    firebase.revoke_refresh_tokens(claims.user_id)
    return ended, firebase.custom_token(claims.user_id)


@functools.lru_cache(maxsize=1024)
def describe_device(user_agent: str) -> str:
    """ "Firefox on Windows", "Chrome Mobile on Android", or "Unknown device"."""
    from ua_parser import parse  # its rule set loads on first use, not at import

    result = parse(user_agent) if user_agent else None
    browser = result.user_agent.family if result and result.user_agent else None
    system = result.os.family if result and result.os else None
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
