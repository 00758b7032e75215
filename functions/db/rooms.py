"""Queries on rooms, memberships and invites."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors

Row = dict[str, Any]

_ROOM = (
    "r.id::text AS id, r.kind, r.name, r.topic, r.is_private, r.direct_key,"
    " r.created_by::text AS created_by, r.created_at, r.updated_at, r.archived_at,"
    " r.message_seq"
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


# The room, one person's membership in it and whether one side of a direct room blocked the
# other, as columns of one row (``standing_of`` and the message trigger's statement).
STANDING_COLUMNS = f"""{_ROOM},
    m.user_id::text AS m_user_id, m.role AS m_role, m.notify AS m_notify,
    m.joined_at AS m_joined_at,
    r.kind = 'direct' AND (EXISTS (
        SELECT FROM blocks b
        WHERE (b.blocker_id = split_part(r.direct_key, ':', 1)::uuid
               AND b.blocked_id = split_part(r.direct_key, ':', 2)::uuid)
           OR (b.blocker_id = split_part(r.direct_key, ':', 2)::uuid
               AND b.blocked_id = split_part(r.direct_key, ':', 1)::uuid)
    ) OR EXISTS (
        SELECT FROM users u
        WHERE u.id IN (split_part(r.direct_key, ':', 1)::uuid,
                       split_part(r.direct_key, ':', 2)::uuid)
          AND u.deleted_at IS NOT NULL
    )) AS direct_blocked"""
STANDING_FROM = "rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = %(user)s::uuid"


def standing_of(
    conn: psycopg.Connection, room_id: str, user_id: str | None, *, lock: bool = False
) -> tuple[Row | None, Row | None, bool]:
    """In one statement: the room, the person's membership in it (None when not a member),
    and whether a direct room is closed: one of its two people has blocked the other, or
    deleted their account."""
    suffix = " FOR UPDATE OF r" if lock else ""
    row = conn.execute(
        f"SELECT {STANDING_COLUMNS} FROM {STANDING_FROM} WHERE r.id = %(room)s{suffix}",
        {"room": room_id, "user": user_id},
    ).fetchone()
    return standing_from_row(row)


def standing_from_row(row: Row | None) -> tuple[Row | None, Row | None, bool]:
    """(room, membership or None, direct_blocked) from a row of ``STANDING_COLUMNS``; the
    standing columns are taken out of ``row``."""
    if row is None:
        return None, None, False
    member_user = row.pop("m_user_id")
    membership = {
        "room_id": row["id"],
        "user_id": member_user,
        "role": row.pop("m_role"),
        "notify": row.pop("m_notify"),
        "joined_at": row.pop("m_joined_at"),
    }
    blocked = bool(row.pop("direct_blocked"))
    return row, membership if member_user is not None else None, blocked


def membership(conn: psycopg.Connection, room_id: str, user_id: str) -> Row | None:
    return conn.execute(
        """SELECT room_id::text AS room_id, user_id::text AS user_id, role, notify, joined_at,
                  joined_seq
           FROM memberships WHERE room_id = %s AND user_id = %s""",
        (room_id, user_id),
    ).fetchone()


def memberships(conn: psycopg.Connection, room_id: str) -> list[Row]:
    """Every membership of the room: user id, role, notify, joined_at, joined_seq."""
    return conn.execute(
        """SELECT user_id::text AS user_id, role, notify, joined_at, joined_seq
           FROM memberships WHERE room_id = %s ORDER BY user_id""",
        (room_id,),
    ).fetchall()


def room_ids_of(conn: psycopg.Connection, user_id: str) -> set[str]:
    rows = conn.execute(
        "SELECT room_id::text AS room_id FROM memberships WHERE user_id = %s", (user_id,)
    ).fetchall()
    return {row["room_id"] for row in rows}


def add_member(
    conn: psycopg.Connection, room_id: str, user_id: str, *, role: str, notify: str
) -> bool:
    """Add the member; False if they already were one."""
    row = conn.execute(
        """INSERT INTO memberships (room_id, user_id, role, notify, joined_seq)
           SELECT %s, %s, %s, %s, message_seq FROM rooms WHERE id = %s
           ON CONFLICT DO NOTHING RETURNING 1""",
        (room_id, user_id, role, notify, room_id),
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


def successor(conn: psycopg.Connection, room_id: str, leaving: str) -> str | None:
    """Who takes over a room its only owner leaves: the longest-standing admin, else the
    longest-standing member; None when nobody else is in it."""
    row = conn.execute(
        """SELECT user_id::text AS user_id FROM memberships
           WHERE room_id = %s AND user_id <> %s
           ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1""",
        (room_id, leaving),
    ).fetchone()
    return row["user_id"] if row else None


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


def pending_invites(conn: psycopg.Connection, room_id: str, inviter_id: str | None) -> list[Row]:
    """Pending invites to the room, oldest first: one inviter's, or everyone's (None)."""
    return conn.execute(
        """SELECT i.id::text AS id, i.invitee_id::text AS invitee_id, u.username,
                  u.display_name, u.avatar_url, i.inviter_id::text AS inviter_id, i.created_at
           FROM invites i JOIN users u ON u.id = i.invitee_id
           WHERE i.room_id = %s AND i.status = 'pending'
             AND (%s::uuid IS NULL OR i.inviter_id = %s::uuid)
           ORDER BY i.created_at, i.id""",
        (room_id, inviter_id, inviter_id),
    ).fetchall()


def invites_for(conn: psycopg.Connection, user_id: str) -> list[Row]:
    return conn.execute(
        """SELECT i.id::text AS id, i.room_id::text AS room_id, r.name AS room_name,
                  i.inviter_id::text AS inviter_id, u.display_name AS inviter_name, i.created_at
           FROM invites i JOIN rooms r ON r.id = i.room_id JOIN users u ON u.id = i.inviter_id
           WHERE i.invitee_id = %s AND i.status = 'pending' AND r.archived_at IS NULL
           ORDER BY i.created_at DESC""",
        (user_id,),
    ).fetchall()


def direct_peers_of(conn: psycopg.Connection, user_id: str) -> list[Row]:
    """The direct rooms the person is one of the two of (member or not: a deleted account
    has left them) and the other person, where that one is still a member: the room-list
    rows that show this person's name and picture."""
    return conn.execute(
        """SELECT r.id::text AS room_id, m.user_id::text AS user_id
           FROM rooms r JOIN memberships m ON m.room_id = r.id AND m.user_id <> %(user)s::uuid
           WHERE r.kind = 'direct'
             AND (split_part(r.direct_key, ':', 1) = %(user)s::text
                  OR split_part(r.direct_key, ':', 2) = %(user)s::text)
           ORDER BY r.id""",
        {"user": user_id},
    ).fetchall()
