"""How each person wants to be told: missed-message emails on or off, and quiet hours.

A person without a row has the defaults (emails on, no quiet hours). ``email_version``
moves with every change of the email setting, so an unsubscribe link, which names the
version it was mailed with, works once.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import psycopg

DEFAULTS: dict[str, Any] = {
    "email_missed": True,
    "email_version": 0,
    "quiet_start": None,
    "quiet_end": None,
    "time_zone": None,
}


def get(conn: psycopg.Connection, user_id: str) -> dict[str, Any]:
    row = conn.execute(
        """SELECT email_missed, email_version, quiet_start, quiet_end, time_zone
           FROM notification_settings WHERE user_id = %s""",
        (user_id,),
    ).fetchone()
    return dict(row) if row else dict(DEFAULTS)


def update(
    conn: psycopg.Connection,
    user_id: str,
    *,
    email_missed: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    time_zone: str | None,
) -> dict[str, Any]:
    """Store the settings; the version moves only when the email setting changes."""
    return conn.execute(
        """INSERT INTO notification_settings AS s
               (user_id, email_missed, quiet_start, quiet_end, time_zone)
           VALUES (%(user)s, %(email)s, %(start)s, %(end)s, %(zone)s)
           ON CONFLICT (user_id) DO UPDATE SET
               email_missed = excluded.email_missed,
               email_version = s.email_version
                   + CASE WHEN s.email_missed <> excluded.email_missed THEN 1 ELSE 0 END,
               quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
               time_zone = excluded.time_zone, updated_at = now()
           RETURNING email_missed, email_version, quiet_start, quiet_end, time_zone""",
        {
            "user": user_id,
            "email": email_missed,
            "start": quiet_start,
            "end": quiet_end,
            "zone": time_zone,
        },
    ).fetchone()


def unsubscribe(conn: psycopg.Connection, user_id: str, version: int) -> bool:
    """Turn missed-message emails off if ``version`` is still current (the link was not
    used and the setting did not change since it was mailed); whether it did."""
    return (
        conn.execute(
            """INSERT INTO notification_settings AS s (user_id, email_missed, email_version)
               SELECT id, false, 1 FROM users WHERE id = %(user)s
               ON CONFLICT (user_id) DO UPDATE SET
                   email_missed = false, email_version = s.email_version + 1,
                   updated_at = now()
               WHERE s.email_version = %(version)s AND s.email_missed""",
            {"user": user_id, "version": version},
        ).rowcount
        == 1
    )


def is_time_zone(conn: psycopg.Connection, name: str) -> bool:
    """Whether PostgreSQL, which evaluates quiet hours, knows the time zone by this name."""
    return (
        conn.execute("SELECT 1 FROM pg_timezone_names WHERE name = %s", (name,)).fetchone()
        is not None
    )
