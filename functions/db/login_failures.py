"""Counting failed logins per login string, per account and per client address, in a fixed
window."""

from __future__ import annotations

import psycopg


def seconds_until_allowed(
    conn: psycopg.Connection, limits: dict[str, int], window_seconds: int
) -> int:
    """0 if every key is under its limit, else how long until the longest block ends."""
    rows = conn.execute(
        """SELECT key, failures,
                  ceil(extract(epoch FROM window_start + make_interval(secs => %s) - now()))::int
                    AS remaining
           FROM login_failures
           WHERE key = ANY(%s) AND window_start > now() - make_interval(secs => %s)""",
        (window_seconds, list(limits), window_seconds),
    ).fetchall()
    blocked = [max(row["remaining"], 1) for row in rows if row["failures"] >= limits[row["key"]]]
    return max(blocked, default=0)


def record_failure(conn: psycopg.Connection, keys: list[str], window_seconds: int) -> None:
    for key in keys:
        conn.execute(
            """INSERT INTO login_failures AS f (key, failures, window_start)
               VALUES (%(key)s, 1, now())
               ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN f.window_start <= now() - make_interval(secs => %(window)s)
                                 THEN 1 ELSE f.failures + 1 END,
                 window_start = CASE
                   WHEN f.window_start <= now() - make_interval(secs => %(window)s)
                   THEN now() ELSE f.window_start END""",
            {"key": key, "window": window_seconds},
        )


def clear(conn: psycopg.Connection, keys: list[str]) -> None:
    conn.execute("DELETE FROM login_failures WHERE key = ANY(%s)", (keys,))
