"""Login sessions and their rotating refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class RefreshOutcome:
    """What presenting a refresh token led to."""

    session_id: str | None
    user_id: str | None
    reused: bool = False

    @property
    def ok(self) -> bool:
        return self.session_id is not None and not self.reused


def create(
    conn: psycopg.Connection,
    *,
    user_id: str,
    token_hash: bytes,
    ttl_days: int,
    user_agent: str,
    client_ip: str,
) -> str:
    session_id = conn.execute(
        """INSERT INTO sessions (user_id, user_agent, client_ip, expires_at)
           VALUES (%s, %s, %s, now() + make_interval(days => %s)) RETURNING id::text AS id""",
        (user_id, user_agent[:512], client_ip, ttl_days),
    ).fetchone()["id"]
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id) VALUES (%s, %s)",
        (token_hash, session_id),
    )
    return session_id


def rotate(
    conn: psycopg.Connection, old_hash: bytes, new_hash: bytes, *, retry_seconds: int
) -> RefreshOutcome:
    """Spend ``old_hash`` and issue ``new_hash`` in its session.

    Presenting a token that was already spent means it leaked (or two clients raced with
    one token): the whole session is revoked. One exception: within ``retry_seconds`` of
    spending it, and while the token that rotation issued was never used, the client never
    got the answer; that unused token is cancelled and ``new_hash`` replaces it.
    """
    row = conn.execute(
        """SELECT t.session_id::text AS session_id, t.spent_at, t.replaced_by,
                  t.spent_at > now() - make_interval(secs => %s) AS retry_window_open,
                  next.token_hash IS NOT NULL AND next.spent_at IS NULL AS successor_unused,
                  s.user_id::text AS user_id, s.revoked_at, s.expires_at < now() AS expired,
                  u.disabled
           FROM refresh_tokens t
           JOIN sessions s ON s.id = t.session_id
           JOIN users u ON u.id = s.user_id
           LEFT JOIN refresh_tokens next ON next.token_hash = t.replaced_by
           WHERE t.token_hash = %s
           FOR UPDATE OF t, s""",
        (retry_seconds, old_hash),
    ).fetchone()
    if row is None or row["revoked_at"] is not None or row["expired"] or row["disabled"]:
        return RefreshOutcome(session_id=None, user_id=None)
    if row["spent_at"] is None:
        conn.execute(
            "UPDATE refresh_tokens SET spent_at = now(), replaced_by = %s WHERE token_hash = %s",
            (new_hash, old_hash),
        )
    elif row["retry_window_open"] and row["successor_unused"]:
        # Cancelled, not deleted: whoever presents it later is replaying a stolen copy.
        conn.execute(
            "UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = %s",
            (row["replaced_by"],),
        )
        conn.execute(
            "UPDATE refresh_tokens SET replaced_by = %s WHERE token_hash = %s",
            (new_hash, old_hash),
        )
    else:
        revoke(conn, row["session_id"], reason="refresh token reused")
        return RefreshOutcome(session_id=row["session_id"], user_id=row["user_id"], reused=True)
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id) VALUES (%s, %s)",
        (new_hash, row["session_id"]),
    )
    conn.execute("UPDATE sessions SET last_used_at = now() WHERE id = %s", (row["session_id"],))
    return RefreshOutcome(session_id=row["session_id"], user_id=row["user_id"])


def revoke(conn: psycopg.Connection, session_id: str, *, reason: str) -> None:
    conn.execute(
        """UPDATE sessions SET revoked_at = now(), revoked_reason = %s
           WHERE id = %s AND revoked_at IS NULL""",
        (reason, session_id),
    )


# A session row ``s`` that still lets its person in: neither revoked nor expired.
LIVE = "s.revoked_at IS NULL AND s.expires_at > now()"


def is_active(conn: psycopg.Connection, session_id: str, user_id: str) -> bool:
    """The session exists, belongs to the user, is neither revoked nor expired, and the
    user is not disabled."""
    row = conn.execute(
        f"""SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = %s AND s.user_id = %s AND {LIVE} AND NOT u.disabled""",
        (session_id, user_id),
    ).fetchone()
    return row is not None


def revoke_all(
    conn: psycopg.Connection, user_id: str, *, reason: str, keep: str | None = None
) -> int:
    """End every live session of the user but ``keep``; how many ended."""
    return conn.execute(
        """UPDATE sessions SET revoked_at = now(), revoked_reason = %s
           WHERE user_id = %s AND revoked_at IS NULL AND id IS DISTINCT FROM %s::uuid""",
        (reason, user_id, keep),
    ).rowcount


def live_for_user(conn: psycopg.Connection, user_id: str) -> list[dict]:
    """The user's sessions that can still be used, most recently used first."""
    return conn.execute(
        f"""SELECT id::text AS id, user_agent, client_ip, created_at, last_used_at
            FROM sessions s WHERE user_id = %s AND {LIVE}
            ORDER BY last_used_at DESC""",
        (user_id,),
    ).fetchall()
