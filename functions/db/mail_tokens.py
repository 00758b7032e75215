"""Queries on mail_tokens: single-use, expiring tokens that mails carry as links."""

from __future__ import annotations

from typing import Any

import psycopg


def add(
    conn: psycopg.Connection,
    *,
    token_hash: bytes,
    purpose: str,
    user_id: str,
    email: str,
    ttl_seconds: int,
) -> None:
    conn.execute(
        """INSERT INTO mail_tokens (token_hash, purpose, user_id, email, expires_at)
           VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s))""",
        (token_hash, purpose, user_id, email, ttl_seconds),
    )


def spend(
    conn: psycopg.Connection, token_hash: bytes, purposes: list[str]
) -> dict[str, Any] | None:
    """Mark a live token used and return it (purpose, user_id, email); None when it is
    unknown, spent, expired or for another purpose. Concurrent spends: only one gets it."""
    return conn.execute(
        """UPDATE mail_tokens SET used_at = now()
           WHERE token_hash = %s AND purpose = ANY(%s) AND used_at IS NULL
             AND expires_at > now()
           RETURNING purpose, user_id::text AS user_id, email""",
        (token_hash, purposes),
    ).fetchone()


def spend_all(conn: psycopg.Connection, user_id: str, purpose: str) -> None:
    """Every other live token of this purpose stops working (after a reset, say)."""
    conn.execute(
        """UPDATE mail_tokens SET used_at = now()
           WHERE user_id = %s AND purpose = %s AND used_at IS NULL""",
        (user_id, purpose),
    )
