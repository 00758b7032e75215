"""Queries on data_exports: a person's data, prepared as a ZIP in the background."""

from __future__ import annotations

from typing import Any

import psycopg

MAX_ATTEMPTS = 5


def add(conn: psycopg.Connection, user_id: str) -> str:
    return conn.execute(
        "INSERT INTO data_exports (user_id) VALUES (%s) RETURNING id::text AS id", (user_id,)
    ).fetchone()["id"]


def lock_pending(conn: psycopg.Connection, export_id: str | None = None) -> dict[str, Any] | None:
    """One export still to prepare (``export_id`` if given), locked; others preparing it
    are skipped."""
    return conn.execute(
        """SELECT id::text AS id, user_id::text AS user_id FROM data_exports
           WHERE ready_at IS NULL AND attempts < %s AND (%s::uuid IS NULL OR id = %s::uuid)
           ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
        (MAX_ATTEMPTS, export_id, export_id),
    ).fetchone()


def mark_ready(conn: psycopg.Connection, export_id: str, archive: bytes, ttl_seconds: int) -> Any:
    """Store the archive; when it expires."""
    return conn.execute(
        """UPDATE data_exports SET archive = %s, ready_at = now(), attempts = attempts + 1,
                  expires_at = now() + make_interval(secs => %s)
           WHERE id = %s RETURNING expires_at""",
        (archive, ttl_seconds, export_id),
    ).fetchone()["expires_at"]


def record_failure(conn: psycopg.Connection, export_id: str, error: str) -> None:
    conn.execute(
        "UPDATE data_exports SET attempts = attempts + 1, last_error = %s WHERE id = %s",
        (error[:1000], export_id),
    )


def ready_archive(conn: psycopg.Connection, export_id: str, user_id: str) -> bytes | None:
    row = conn.execute(
        """SELECT archive FROM data_exports
           WHERE id = %s AND user_id = %s AND ready_at IS NOT NULL AND expires_at > now()""",
        (export_id, user_id),
    ).fetchone()
    return bytes(row["archive"]) if row else None


def forget_expired(conn: psycopg.Connection) -> None:
    conn.execute("DELETE FROM data_exports WHERE expires_at <= now()")
