"""The outbox: Firestore documents to bring up to date, recorded with the change."""

from __future__ import annotations

from typing import Any

import psycopg


def add(conn: psycopg.Connection, topic: str, subject_id: str, user_ids: list[str] = ()) -> None:
    conn.execute(
        "INSERT INTO outbox (topic, subject_id, user_ids) VALUES (%s, %s, %s::uuid[])",
        (topic, subject_id, list(user_ids)),
    )


def lock_subject(conn: psycopg.Connection, topic: str, subject_id: str) -> None:
    """Serialise mirroring of one subject across processes, until the transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{topic}:{subject_id}",))


def pending_for(conn: psycopg.Connection, topic: str, subject_id: str) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, array(SELECT unnest(user_ids)::text) AS user_ids FROM outbox
           WHERE topic = %s AND subject_id = %s AND applied_at IS NULL ORDER BY id""",
        (topic, subject_id),
    ).fetchall()


def pending_subjects(conn: psycopg.Connection, limit: int) -> list[tuple[str, str]]:
    rows = conn.execute(
        """SELECT topic, subject_id::text AS subject_id, min(id) AS first FROM outbox
           WHERE applied_at IS NULL GROUP BY topic, subject_id ORDER BY first LIMIT %s""",
        (limit,),
    ).fetchall()
    return [(row["topic"], row["subject_id"]) for row in rows]


def mark_applied(conn: psycopg.Connection, ids: list[int]) -> None:
    conn.execute("UPDATE outbox SET applied_at = now() WHERE id = ANY(%s)", (ids,))


def record_failure(conn: psycopg.Connection, topic: str, subject_id: str, error: str) -> None:
    conn.execute(
        """UPDATE outbox SET attempts = attempts + 1, last_error = %s
           WHERE topic = %s AND subject_id = %s AND applied_at IS NULL""",
        (error[:1000], topic, subject_id),
    )


def last_room_change(conn: psycopg.Connection, room_id: str, user_id: str):
    """When the room itself, or ``user_id``'s membership in it, last changed (or None)."""
    return conn.execute(
        """SELECT max(created_at) AS at FROM outbox
           WHERE topic = 'room' AND subject_id = %s
             AND (%s::uuid = ANY(user_ids) OR user_ids = '{}')""",
        (room_id, user_id),
    ).fetchone()["at"]


def forget_applied(conn: psycopg.Connection, days: int) -> int:
    """Drop applied rows older than ``days``; the number dropped."""
    return conn.execute(
        """DELETE FROM outbox
           WHERE applied_at IS NOT NULL AND created_at < now() - make_interval(days => %s)""",
        (days,),
    ).rowcount
