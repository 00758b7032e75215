"""Queries for missed-message emails: who is due one, and what goes in it.

Rows are added by the message trigger (``db.notifications.fanout``), once per person and
message. The scheduled sender takes a person's due rows under a per-person advisory lock
and deletes them in the transaction that queues the email, so a row is mailed at most once
however often, or however concurrently, the schedule runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg


@dataclass(frozen=True)
class Person:
    email: str | None  # None for a deleted account
    name: str
    wants_email: bool
    email_version: int
    quiet: bool  # in quiet hours now


def due_people(conn: psycopg.Connection, delay: timedelta, limit: int) -> list[str]:
    """People with a row older than ``delay``, no missed-message email within ``delay`` and
    not in quiet hours now, longest waiting first."""
    rows = conn.execute(
        """SELECT mm.user_id::text AS user_id FROM missed_messages mm
           LEFT JOIN notification_settings s ON s.user_id = mm.user_id
           WHERE mm.created_at <= now() - %(delay)s
             AND (s.last_missed_mail_at IS NULL OR s.last_missed_mail_at <= now() - %(delay)s)
             AND NOT in_quiet_hours(s.quiet_start, s.quiet_end, s.time_zone, now())
           GROUP BY mm.user_id ORDER BY min(mm.created_at) LIMIT %(limit)s""",
        {"delay": delay, "limit": limit},
    ).fetchall()
    return [row["user_id"] for row in rows]


def lock_person(conn: psycopg.Connection, user_id: str, delay: timedelta) -> Person | None:
    """Hold the person's missed-mail lock until the transaction ends and re-check that they
    are due; None when another run holds it or mailed them within ``delay``."""
    locked = conn.execute(
        "SELECT pg_try_advisory_xact_lock(hashtextextended('missed-mail:' || %s, 0)) AS ok",
        (user_id,),
    ).fetchone()["ok"]
    if not locked:
        return None
    row = conn.execute(
        """SELECT CASE WHEN u.deleted_at IS NULL THEN u.email END AS email,
                  coalesce(u.display_name, u.username) AS name,
                  coalesce(s.email_missed, true) AS wants_email,
                  coalesce(s.email_version, 0) AS email_version,
                  in_quiet_hours(s.quiet_start, s.quiet_end, s.time_zone, now()) AS quiet,
                  coalesce(s.last_missed_mail_at > now() - %(delay)s, false) AS recently_mailed
           FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id
           WHERE u.id = %(user)s""",
        {"user": user_id, "delay": delay},
    ).fetchone()
    if row is None or row["recently_mailed"]:
        return None
    return Person(row["email"], row["name"], row["wants_email"], row["email_version"], row["quiet"])


def due_rows(conn: psycopg.Connection, user_id: str, delay: timedelta) -> list[dict[str, Any]]:
    """The person's rows older than ``delay``, oldest first, with the room, the person's
    notify level there now (None once they left) and the message's number (None if it has
    none)."""
    return conn.execute(
        """SELECT mm.room_id::text AS room_id, mm.message_id, mm.kind, mm.sender_name,
                  mm.preview, mm.created_at, r.name AS room_name, m.notify, q.seq
           FROM missed_messages mm
           JOIN rooms r ON r.id = mm.room_id
           LEFT JOIN memberships m ON m.room_id = mm.room_id AND m.user_id = mm.user_id
           LEFT JOIN message_sequence q
                  ON q.room_id = mm.room_id AND q.message_id = mm.message_id
           WHERE mm.user_id = %(user)s AND mm.created_at <= now() - %(delay)s
           ORDER BY mm.created_at, mm.message_id""",
        {"user": user_id, "delay": delay},
    ).fetchall()


def remove(conn: psycopg.Connection, user_id: str, rows: list[dict[str, Any]]) -> None:
    conn.execute(
        """DELETE FROM missed_messages
           WHERE user_id = %s AND (room_id::text, message_id) IN (
               SELECT * FROM unnest(%s::text[], %s::text[]))""",
        (user_id, [row["room_id"] for row in rows], [row["message_id"] for row in rows]),
    )


def mark_mailed(conn: psycopg.Connection, user_id: str) -> None:
    conn.execute(
        """INSERT INTO notification_settings AS s (user_id, last_missed_mail_at)
           VALUES (%s, now())
           ON CONFLICT (user_id) DO UPDATE
               SET last_missed_mail_at = excluded.last_missed_mail_at""",
        (user_id,),
    )
