"""What the reconcile pass reads from PostgreSQL: subjects in key order, which ids exist,
row counts to compare with Firestore's, and where the scheduled pass stands."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

# Tables whose ids name Firestore documents: rooms/{id}, users/{id}.
_TABLES = ("rooms", "users")


def ids_after(conn: psycopg.Connection, table: str, after: str, limit: int) -> list[str]:
    """Up to ``limit`` ids of ``table`` greater than ``after`` ('' for the first), in order."""
    if table not in _TABLES:
        raise ValueError(f"unknown table {table}")
    rows = conn.execute(
        f"""SELECT id::text AS id FROM {table}
            WHERE %(after)s = '' OR id > %(after)s::uuid ORDER BY id LIMIT %(limit)s""",
        {"after": after, "limit": limit},
    ).fetchall()
    return [row["id"] for row in rows]


def existing(conn: psycopg.Connection, table: str, ids: list[str]) -> set[str]:
    """Those of ``ids`` that are rows of ``table`` (strings that are not UUIDs are not)."""
    if table not in _TABLES:
        raise ValueError(f"unknown table {table}")
    valid = [value for value in ids if is_uuid(value)]
    rows = conn.execute(
        f"SELECT id::text AS id FROM {table} WHERE id = ANY(%s::uuid[])", (valid,)
    ).fetchall()
    return {row["id"] for row in rows}


def counts(conn: psycopg.Connection) -> dict[str, int]:
    return conn.execute(
        """SELECT (SELECT count(*) FROM rooms) AS rooms,
                  (SELECT count(*) FROM memberships) AS memberships,
                  (SELECT count(*) FROM users) AS users"""
    ).fetchone()


def progress(conn: psycopg.Connection) -> dict[str, Any] | None:
    """The progress row, locked for this transaction; None while another slice holds it."""
    return conn.execute(
        """SELECT phase, after_key, started_at, finished_at, writes FROM reconcile_progress
           FOR UPDATE SKIP LOCKED"""
    ).fetchone()


def save_progress(
    conn: psycopg.Connection, *, phase: str | None, after_key: str, writes: int, started: bool
) -> None:
    """Record where the pass stands; ``phase`` None marks it finished."""
    conn.execute(
        """UPDATE reconcile_progress SET
               phase = %(phase)s, after_key = %(after)s, writes = %(writes)s,
               started_at = CASE WHEN %(started)s THEN now() ELSE started_at END,
               finished_at = CASE WHEN %(phase)s::text IS NULL THEN now() ELSE finished_at END""",
        {"phase": phase, "after": after_key, "writes": writes, "started": started},
    )


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
