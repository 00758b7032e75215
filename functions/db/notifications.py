"""Push claims' retention, presence and device tokens: what the message trigger reads to
decide who gets a push (db/message_delivery.py), and dead tokens forgotten."""

from __future__ import annotations

from datetime import timedelta

import psycopg


def remove_device_tokens(conn: psycopg.Connection, tokens: list[str]) -> int:
    """Forget tokens FCM called dead; how many were known."""
    return conn.execute("DELETE FROM device_tokens WHERE token = ANY(%s)", (tokens,)).rowcount


# A push claim must outlive every redelivery of its message's event. Cloud Functions (2nd
# gen) retries an event for up to 24 hours, 1st gen and the v2 API's RetryPolicy say up to
# 7 days (cloud.google.com/functions/docs/bestpractices/retries): 8 days covers both.
PROCESSED_EVENTS_KEPT = timedelta(days=8)
# Rows deleted per run at most; the every-minute schedule deletes up to 20,000 a minute,
# more than the trigger can claim (about 400 messages/s, 24,000 a minute, only at peak).
PURGE_BATCH = 20_000


def purge_processed_events(
    conn: psycopg.Connection, kept: timedelta = PROCESSED_EVENTS_KEPT, batch: int = PURGE_BATCH
) -> int:
    """Deletes up to ``batch`` claims older than ``kept``, oldest first; returns how many."""
    return conn.execute(
        """DELETE FROM processed_events WHERE event_id IN (
               SELECT event_id FROM processed_events WHERE processed_at < now() - %s
               ORDER BY processed_at LIMIT %s)""",
        (kept, batch),
    ).rowcount


def set_presence(conn: psycopg.Connection, user_id: str, state: str, changed_at) -> None:
    """Record a presence state unless a newer one is already recorded."""
    conn.execute(
        """INSERT INTO presence AS p (user_id, state, changed_at)
           SELECT id, %(state)s, %(at)s FROM users WHERE id = %(user)s
           ON CONFLICT (user_id) DO UPDATE
             SET state = excluded.state, changed_at = excluded.changed_at
             WHERE p.changed_at < excluded.changed_at""",
        {"user": user_id, "state": state, "at": changed_at},
    )


def presence_of(conn: psycopg.Connection, user_id: str) -> dict | None:
    """The last presence state recorded for the user: state, changed_at (or None)."""
    return conn.execute(
        "SELECT state, changed_at FROM presence WHERE user_id = %s", (user_id,)
    ).fetchone()


def add_device_token(conn: psycopg.Connection, user_id: str, token: str) -> None:
    conn.execute(
        """INSERT INTO device_tokens (token, user_id) VALUES (%s, %s)
           ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id""",
        (token, user_id),
    )


def remove_device_token(conn: psycopg.Connection, user_id: str, token: str) -> bool:
    """Deletes ``token`` if it is ``user_id``'s; whether it was."""
    deleted = conn.execute(
        "DELETE FROM device_tokens WHERE token = %s AND user_id = %s", (token, user_id)
    )
    return deleted.rowcount > 0
