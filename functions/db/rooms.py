"""Queries on rooms, memberships and invites."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors

Row = dict[str, Any]

_ROOM = (
    "r.id::text AS id, r.kind, r.name, r.topic, r.is_private, r.direct_key,"
    " r.created_by::text AS created_by, r.created_at, r.updated_at, r.archived_at"
)


def create(
    conn: psycopg.Connection,
    *,
    kind: str,
    name: str,
    topic: str,
    is_private: bool,
    created_by: str,
    direct_key: str | None = None,
) -> Row:
    return conn.execute(
        f"""INSERT INTO rooms AS r (kind, name, topic, is_private, created_by, direct_key)
            VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_ROOM}""",
        (kind, name, topic, is_private, created_by, direct_key),
    ).fetchone()


def create_direct(conn: psycopg.Connection, *, created_by: str, direct_key: str) -> Row | None:
    """The new direct room, or None if the pair already has one."""
    try:
        with conn.transaction():
            return create(
                conn,
                kind="direct",
                name="",
                topic="",
                is_private=True,
                created_by=created_by,
                direct_key=direct_key,
            )
    except errors.UniqueViolation:
        return None


def by_id(conn: psycopg.Connection, room_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(
        f"SELECT {_ROOM} FROM rooms r WHERE r.id = %s{suffix}", (room_id,)
    ).fetchone()


def by_direct_key(conn: psycopg.Connection, direct_key: str) -> Row | None:
    return conn.execute(
        f"SELECT {_ROOM} FROM rooms r WHERE r.direct_key = %s FOR UPDATE", (direct_key,)
    ).fetchone()


def update(conn: psycopg.Connection, room_id: str, changes: dict[str, Any]) -> Row:
    allowed = {"name", "topic", "is_private"}
    if not set(changes) <= allowed:
        raise ValueError(f"cannot update {sorted(set(changes) - allowed)}")
    assignments = "".join(f"{column} = %({column})s, " for column in changes)
    return conn.execute(
        f"""UPDATE rooms AS r SET {assignments}updated_at = now()
            WHERE id = %(id)s RETURNING {_ROOM}""",
        {**changes, "id": room_id},
    ).fetchone()


def archive(conn: psycopg.Connection, room_id: str) -> None:
    conn.execute(
        """UPDATE rooms SET archived_at = now(), updated_at = now()
           WHERE id = %s AND archived_at IS NULL""",
        (room_id,),
    )


def membership(conn: psycopg.Connection, room_id: str, user_id: str) -> Row | None:
    return conn.execute(
        """SELECT room_id::text AS room_id, user_id::text AS user_id, role, notify, joined_at
           FROM memberships WHERE room_id = %s AND user_id = %s""",
        (room_id, user_id),
    ).fetchone()


def add_member(
    conn: psycopg.Connection, room_id: str, user_id: str, *, role: str, notify: str
) -> bool:
    """Add the member; False if they already were one."""
    row = conn.execute(
        """INSERT INTO memberships (room_id, user_id, role, notify) VALUES (%s, %s, %s, %s)
           ON CONFLICT DO NOTHING RETURNING 1""",
        (room_id, user_id, role, notify),
    ).fetchone()
    return row is not None


def remove_member(conn: psycopg.Connection, room_id: str, user_id: str) -> bool:
    row = conn.execute(
        "DELETE FROM memberships WHERE room_id = %s AND user_id = %s RETURNING 1",
        (room_id, user_id),
    ).fetchone()
    return row is not None


def set_member(conn: psycopg.Connection, room_id: str, user_id: str, **columns: str) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in columns)
    conn.execute(
        f"UPDATE memberships SET {assignments} WHERE room_id = %(room)s AND user_id = %(user)s",
        {**columns, "room": room_id, "user": user_id},
    )


def count_members(conn: psycopg.Connection, room_id: str, role: str | None = None) -> int:
    if role is None:
        sql, params = "SELECT count(*) AS n FROM memberships WHERE room_id = %s", (room_id,)
    else:
        sql = "SELECT count(*) AS n FROM memberships WHERE room_id = %s AND role = %s"
        params = (room_id, role)
    return conn.execute(sql, params).fetchone()["n"]


def members(
    conn: psycopg.Connection, room_id: str, *, after: str | None = None, limit: int = 100
) -> list[Row]:
    """Members with their public profile, ordered by user id, from ``after`` on."""
    return conn.execute(
        """SELECT m.user_id::text AS user_id, m.role, m.joined_at,
                  u.username, u.display_name, u.avatar_url
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.room_id = %s AND (%s::uuid IS NULL OR m.user_id > %s::uuid)
           ORDER BY m.user_id LIMIT %s""",
        (room_id, after, after, limit),
    ).fetchall()


def member_ids(conn: psycopg.Connection, room_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT user_id::text AS user_id FROM memberships WHERE room_id = %s", (room_id,)
    ).fetchall()
    return [row["user_id"] for row in rows]


def rooms_of(conn: psycopg.Connection, user_id: str) -> list[Row]:
    return conn.execute(
        f"""SELECT {_ROOM}, m.role, m.notify, m.joined_at,
                   (SELECT count(*) FROM memberships c WHERE c.room_id = r.id) AS member_count
            FROM memberships m JOIN rooms r ON r.id = m.room_id
            WHERE m.user_id = %s
            ORDER BY r.updated_at DESC""",
        (user_id,),
    ).fetchall()


def create_invite(conn: psycopg.Connection, room_id: str, inviter: str, invitee: str) -> Row | None:
    """The new pending invite, or None if one is already pending."""
    return conn.execute(
        """INSERT INTO invites (room_id, inviter_id, invitee_id) VALUES (%s, %s, %s)
           ON CONFLICT (room_id, invitee_id) WHERE status = 'pending' DO NOTHING
           RETURNING id::text AS id, room_id::text AS room_id, status, created_at""",
        (room_id, inviter, invitee),
    ).fetchone()


def pending_invite(conn: psycopg.Connection, invite_id: str) -> Row | None:
    return conn.execute(
        """SELECT id::text AS id, room_id::text AS room_id, inviter_id::text AS inviter_id,
                  invitee_id::text AS invitee_id, status
           FROM invites WHERE id = %s AND status = 'pending' FOR UPDATE""",
        (invite_id,),
    ).fetchone()


def respond_to_invite(conn: psycopg.Connection, invite_id: str, status: str) -> None:
    conn.execute(
        "UPDATE invites SET status = %s, responded_at = now() WHERE id = %s",
        (status, invite_id),
    )


def invites_for(conn: psycopg.Connection, user_id: str) -> list[Row]:
    return conn.execute(
        """SELECT i.id::text AS id, i.room_id::text AS room_id, r.name AS room_name,
                  i.inviter_id::text AS inviter_id, u.display_name AS inviter_name, i.created_at
           FROM invites i JOIN rooms r ON r.id = i.room_id JOIN users u ON u.id = i.inviter_id
           WHERE i.invitee_id = %s AND i.status = 'pending' AND r.archived_at IS NULL
           ORDER BY i.created_at DESC""",
        (user_id,),
    ).fetchall()
