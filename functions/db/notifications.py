"""What the message trigger needs from PostgreSQL: who gets told, and idempotency keys."""

from __future__ import annotations

import psycopg


def members_among(conn: psycopg.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """The given users who are members, with their notify setting."""
    rows = conn.execute(
        """SELECT user_id::text AS user_id, notify FROM memberships
           WHERE room_id = %s AND user_id = ANY(%s::uuid[])""",
        (room_id, user_ids),
    ).fetchall()
    return {row["user_id"]: row["notify"] for row in rows}


def push_recipients(
    conn: psycopg.Connection, room_id: str, sender: str, mentioned: list[str]
) -> dict[str, list[str]]:
    """Members not online who want a push for this message, with their device tokens."""
    rows = conn.execute(
        """SELECT m.user_id::text AS user_id,
                  array(SELECT d.token FROM device_tokens d WHERE d.user_id = m.user_id) AS tokens
           FROM memberships m LEFT JOIN presence p ON p.user_id = m.user_id
           WHERE m.room_id = %(room)s AND m.user_id <> %(sender)s
             AND coalesce(p.state, 'offline') <> 'online'
             AND (m.notify = 'all'
                  OR (m.notify = 'mentions' AND m.user_id = ANY(%(mentioned)s::uuid[])))""",
        {"room": room_id, "sender": sender, "mentioned": mentioned},
    ).fetchall()
    return {row["user_id"]: row["tokens"] for row in rows}


def claim(conn: psycopg.Connection, key: str) -> bool:
    """True the first time ``key`` is claimed, False ever after."""
    row = conn.execute(
        "INSERT INTO processed_events (event_id) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1",
        (key,),
    ).fetchone()
    return row is not None


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


def add_device_token(conn: psycopg.Connection, user_id: str, token: str) -> None:
    conn.execute(
        """INSERT INTO device_tokens (token, user_id) VALUES (%s, %s)
           ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id""",
        (token, user_id),
    )
