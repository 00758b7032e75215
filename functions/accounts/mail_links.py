"""Links that mails carry (a single-use token, stored hashed) and the throttle on asking
for them."""

from __future__ import annotations

from urllib.parse import quote

import psycopg

from accounts import tokens
from db import mail_tokens, rate_limits
from errors import ApiError
from mail import compose


def issue(
    conn: psycopg.Connection, *, purpose: str, user_id: str, email: str, ttl_seconds: int, path: str
) -> str:
    """A fresh token for ``purpose``, as a link to ``path`` in the web client."""
    token = tokens.new_refresh_token()  # 256 random bits
    mail_tokens.add(
        conn,
        token_hash=tokens.hash_refresh_token(token),
        purpose=purpose,
        user_id=user_id,
        email=email,
        ttl_seconds=ttl_seconds,
    )
    return f"{compose.app_url()}{path}?token={quote(token)}"


def spend(conn: psycopg.Connection, token: str, *purposes: str) -> dict | None:
    """The token's row (purpose, user_id, email) if it was live for one of ``purposes``."""
    return mail_tokens.spend(conn, tokens.hash_refresh_token(token), list(purposes))


def spend_all(conn: psycopg.Connection, user_id: str, purpose: str) -> None:
    mail_tokens.spend_all(conn, user_id, purpose)


def throttle(conn: psycopg.Connection, limits: dict[str, int], window_seconds: int) -> None:
    """Count one request against each key; 429 past a key's limit in the window. The
    refusal rolls the caller's transaction back, counts included: refused requests are not
    counted, and nothing is written for them."""
    wait = max(
        (rate_limits.take(conn, key, limit, window_seconds) for key, limit in limits.items()),
        default=0,
    )
    if wait:
        raise ApiError(
            "RESOURCE_EXHAUSTED",
            f"too many requests; try again in {wait} seconds",
            headers={"Retry-After": str(wait)},
        )
