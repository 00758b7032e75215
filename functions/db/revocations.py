"""Queries on token_revocations: when a person's Firebase ID tokens stopped being good."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg

from db import outbox


@dataclass(frozen=True)
class Standing:
    """What decides whether a Firebase ID token of this person is still good."""

    disabled: bool
    revoked_at: int | None  # seconds since the epoch, or None when never revoked


def revoke(conn: psycopg.Connection, user_id: str) -> None:
    """Tokens signed in before now (whole seconds) stop working; the mirror carries the
    time to the rules. The time only moves forward."""
    conn.execute(
        """INSERT INTO token_revocations (user_id, revoked_at)
           VALUES (%s, date_trunc('second', now()))
           ON CONFLICT (user_id) DO UPDATE
           SET revoked_at = greatest(token_revocations.revoked_at, excluded.revoked_at)""",
        (user_id,),
    )
    outbox.add(conn, "revocation", user_id)


def standing(conn: psycopg.Connection, user_id: str) -> Standing | None:
    """None when there is no such user (or ``user_id`` is not one of ours)."""
    try:
        uuid.UUID(user_id)
    except ValueError:
        return None
    row = conn.execute(
        """SELECT u.disabled, extract(epoch FROM r.revoked_at)::bigint AS revoked_at
           FROM users u LEFT JOIN token_revocations r ON r.user_id = u.id
           WHERE u.id = %s""",
        (user_id,),
    ).fetchone()
    return None if row is None else Standing(row["disabled"], row["revoked_at"])


def revoked_at(conn: psycopg.Connection, user_id: str) -> int | None:
    row = conn.execute(
        "SELECT extract(epoch FROM revoked_at)::bigint AS at FROM token_revocations"
        " WHERE user_id = %s",
        (user_id,),
    ).fetchone()
    return None if row is None else row["at"]
