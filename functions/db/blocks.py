"""Who blocked whom."""

from __future__ import annotations

import psycopg


def block(conn: psycopg.Connection, blocker: str, blocked: str) -> None:
    conn.execute(
        "INSERT INTO blocks (blocker_id, blocked_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (blocker, blocked),
    )


def unblock(conn: psycopg.Connection, blocker: str, blocked: str) -> None:
    conn.execute("DELETE FROM blocks WHERE blocker_id = %s AND blocked_id = %s", (blocker, blocked))


def either_blocked(conn: psycopg.Connection, a: str, b: str) -> bool:
    row = conn.execute(
        """SELECT 1 FROM blocks WHERE (blocker_id = %(a)s AND blocked_id = %(b)s)
                                   OR (blocker_id = %(b)s AND blocked_id = %(a)s)""",
        {"a": a, "b": b},
    ).fetchone()
    return row is not None


def either_deleted(conn: psycopg.Connection, a: str, b: str) -> bool:
    """Whether one of the two deleted their account (their row stays, anonymised)."""
    row = conn.execute(
        "SELECT 1 FROM users WHERE id IN (%s, %s) AND deleted_at IS NOT NULL", (a, b)
    ).fetchone()
    return row is not None


def blocked_by(conn: psycopg.Connection, blocker: str) -> list[str]:
    rows = conn.execute(
        "SELECT blocked_id::text AS id FROM blocks WHERE blocker_id = %s ORDER BY created_at",
        (blocker,),
    ).fetchall()
    return [row["id"] for row in rows]
