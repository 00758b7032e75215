"""Calls counted per key in a fixed window, for callables that must not be hammered."""

from __future__ import annotations

import psycopg


def take(conn: psycopg.Connection, key: str, limit: int, window_seconds: int) -> int:
    """Count one call; 0 if it is within ``limit`` for the window, else the seconds until
    the window ends."""
    row = conn.execute(
        """INSERT INTO rate_limits AS r (key, calls, window_start)
           VALUES (%(key)s, 1, now())
           ON CONFLICT (key) DO UPDATE SET
             calls = CASE WHEN r.window_start <= now() - make_interval(secs => %(window)s)
                          THEN 1 ELSE r.calls + 1 END,
             window_start = CASE WHEN r.window_start <= now() - make_interval(secs => %(window)s)
                                 THEN now() ELSE r.window_start END
           RETURNING calls,
             ceil(extract(epoch FROM window_start + make_interval(secs => %(window)s) - now()))::int
               AS remaining""",
        {"key": key, "window": window_seconds},
    ).fetchone()
    return 0 if row["calls"] <= limit else max(row["remaining"], 1)
