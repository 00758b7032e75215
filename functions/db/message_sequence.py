"""The per-room message sequence: each delivered message takes the next number of its room
(``rooms.message_seq``); a member's unread count is that number minus how far they read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg


def newest(conn: psycopg.Connection, room_id: str) -> dict[str, Any] | None:
    """The room's newest delivered message by time (id, sender, sender's name, preview,
    created_at), or None before the first."""
    return conn.execute(
        """SELECT s.message_id AS id, s.sender_id::text AS sender_id,
                  coalesce(u.display_name, '') AS sender_name, s.preview, s.created_at
           FROM message_sequence s LEFT JOIN users u ON u.id = s.sender_id
           WHERE s.room_id = %s ORDER BY s.created_at DESC, s.seq DESC LIMIT 1""",
        (room_id,),
    ).fetchone()


def room_list_state(conn: psycopg.Connection, room_id: str, after: int) -> dict[str, Any]:
    """What the summary and the room-list rows are written from, in one statement: the
    room's sequence (``seq``), its newest message (``newest``, as ``newest`` gives it, or
    None), its members (``member_ids``) and, for each sender of messages numbered after
    ``after``, the number of their last one (``last_sent``)."""
    row = conn.execute(
        """SELECT r.message_seq AS seq,
                  (SELECT to_jsonb(n) FROM (
                       SELECT s.message_id AS id, s.sender_id::text AS sender_id,
                              coalesce(u.display_name, '') AS sender_name, s.preview,
                              s.created_at
                       FROM message_sequence s LEFT JOIN users u ON u.id = s.sender_id
                       WHERE s.room_id = r.id ORDER BY s.created_at DESC, s.seq DESC
                       LIMIT 1) n) AS newest,
                  array(SELECT user_id::text FROM memberships WHERE room_id = r.id
                        ORDER BY user_id) AS member_ids,
                  (SELECT coalesce(jsonb_object_agg(sender_id, seq), '{}') FROM (
                       SELECT sender_id::text AS sender_id, max(seq) AS seq
                       FROM message_sequence
                       WHERE room_id = r.id AND seq > %(after)s AND seq <= r.message_seq
                       GROUP BY sender_id) l) AS last_sent
           FROM rooms r WHERE r.id = %(room)s""",
        {"room": room_id, "after": after},
    ).fetchone()
    if row is None:
        return {"seq": 0, "newest": None, "member_ids": [], "last_sent": {}}
    newest = row["newest"]
    if newest is not None:  # jsonb gives the time back as text
        newest["created_at"] = datetime.fromisoformat(newest["created_at"])
    return {**row, "newest": newest}
