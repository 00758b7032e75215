"""The message trigger's PostgreSQL work in one statement, run on its own (autocommit): one
transaction and one round trip per delivered message.

The statement reads the sender's standing in the room (the same columns every permission
check reads), the sender's name and who to tell (with who of them is in quiet hours), and,
when the sender may post, writes what a delivered message leaves in PostgreSQL: its number
in the room's sequence, its search index entry, the claim on its push and its rows for
missed-message emails (docs/notifications.md). Who may post is decided in SQL here for the
writes and again by the one definition (``rooms.permissions.allowed``) on what the
statement read; the caller refuses to go on if the two ever disagree.

Delivery is at least once: a redelivered message keeps its number and its index entry,
and the push and the email rows are claimed once (``processed_events``), so only the first
delivery learns the push recipients or adds email rows (an email already sent for a
message must not be queued again). The claim is made only when someone would get a push or
an email. The room's row
is locked only while the statement runs (it orders the numbers of one room).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from db import message_search, rooms


@dataclass(frozen=True)
class Delivery:
    room: dict[str, Any] | None
    membership: dict[str, Any] | None
    direct_blocked: bool
    may_post: bool  # what the statement's own posting rule decided
    seq: int | None  # the message's number in the room (None when nothing was written)
    sender_name: str | None  # None when the sender has no account
    notify: dict[str, str]  # who is told (members only) -> their notify setting
    quiet: list[str]  # those told who are in their quiet hours now
    pushes: dict[str, list[str]]  # who gets a push -> device tokens; {} once claimed


class NumberTaken(Exception):
    """A concurrent delivery of the same message numbered it first: run the statement
    again (it then finds the number)."""


# ``rooms.permissions.allowed("post", ...)`` on the standing CTE's columns: a member of a
# room that is not archived, and not a direct room one side of which blocked the other.
_MAY_POST = "s.m_user_id IS NOT NULL AND s.archived_at IS NULL AND NOT s.direct_blocked"

_STATEMENT = """
WITH standing AS (
    SELECT {standing} FROM {standing_from} WHERE r.id = %(room_id)s),
-- Whether to write: the sender may post (or the caller says so, having judged it).
writing AS (
    SELECT FROM standing s WHERE %(write)s AND (%(force)s OR ({may_post}))),
-- Who is told: the other side of a direct room, or the mentioned people; whether they are
-- in their quiet hours and want missed-message emails.
told AS (
    SELECT m.user_id, m.notify,
           in_quiet_hours(ns.quiet_start, ns.quiet_end, ns.time_zone, now()) AS quiet,
           coalesce(ns.email_missed, true) AS email
    FROM standing s, memberships m
    LEFT JOIN notification_settings ns ON ns.user_id = m.user_id
    WHERE m.room_id = %(room_id)s AND m.user_id <> %(sender_id)s::uuid
      AND m.user_id = ANY(CASE WHEN s.kind = 'direct'
                               THEN string_to_array(s.direct_key, ':')::uuid[]
                               ELSE %(mentioned)s::uuid[] END)),
-- Of them, those a missed-message email may tell about this message.
mailable AS (
    SELECT user_id FROM told WHERE notify <> 'none' AND email),
-- The message's number: the one it took on an earlier delivery, or the room's next one.
-- The row lock waits for a concurrent trigger of the room and then reads its number; a
-- concurrent delivery of the same message that got there first makes the INSERT do
-- nothing, and the statement returns no number (the caller runs it again and finds it).
taken AS (
    SELECT seq FROM message_sequence
    WHERE room_id = %(room_id)s AND message_id = %(message_id)s),
next AS (
    SELECT message_seq + 1 AS seq FROM rooms
    WHERE id = %(room_id)s AND EXISTS (SELECT FROM writing) AND NOT EXISTS (SELECT FROM taken)
    FOR UPDATE),
numbered AS (
    INSERT INTO message_sequence (room_id, message_id, seq, sender_id, created_at, preview)
    SELECT %(room_id)s::uuid, %(message_id)s, seq, %(sender_id)s::uuid,
           %(created_at)s, %(preview)s
    FROM next
    ON CONFLICT (room_id, message_id) DO NOTHING RETURNING seq),
bumped AS (
    UPDATE rooms SET message_seq = n.seq FROM numbered n WHERE rooms.id = %(room_id)s),
-- Members with a device who want a push for this message (every message, or only what is
-- addressed to them: a mention or a direct message) and are not in their quiet hours.
-- Whether they have the room open and focused is asked of the Realtime Database afterwards
-- (chat/push_policy.py), for these people only.
wanting AS (
    SELECT m.user_id, array_agg(d.token ORDER BY d.token) AS tokens
    FROM memberships m
    JOIN device_tokens d ON d.user_id = m.user_id
    LEFT JOIN notification_settings ns ON ns.user_id = m.user_id
    WHERE m.room_id = %(room_id)s AND m.user_id <> %(sender_id)s::uuid
      AND (m.notify = 'all'
           OR (m.notify = 'mentions' AND m.user_id IN (SELECT user_id FROM told)))
      AND NOT in_quiet_hours(ns.quiet_start, ns.quiet_end, ns.time_zone, now())
    GROUP BY m.user_id),
claimed AS (
    INSERT INTO processed_events (event_id)
    SELECT %(claim_key)s
    WHERE (EXISTS (SELECT FROM wanting) OR EXISTS (SELECT FROM mailable))
      AND EXISTS (SELECT FROM writing)
    ON CONFLICT DO NOTHING RETURNING 1),
missed AS (
    INSERT INTO missed_messages (user_id, room_id, message_id, kind, sender_name, preview)
    SELECT a.user_id, %(room_id)s::uuid, %(message_id)s,
           CASE WHEN s.kind = 'direct' THEN 'direct' ELSE 'mention' END,
           coalesce((SELECT display_name FROM users WHERE id = %(sender_id)s::uuid), 'Someone'),
           %(preview)s
    FROM mailable a, standing s
    WHERE EXISTS (SELECT FROM claimed)
    ON CONFLICT DO NOTHING){index}
SELECT s.*,
       coalesce((SELECT {may_post} FROM standing s), false) AS may_post,
       EXISTS (SELECT FROM writing) AS writing,
       (SELECT seq FROM taken) AS taken_seq,
       (SELECT seq FROM numbered) AS numbered_seq,
       (SELECT display_name FROM users WHERE id = %(sender_id)s::uuid) AS sender_name,
       (SELECT coalesce(jsonb_object_agg(user_id::text, notify), '{{}}') FROM told) AS notify,
       array(SELECT user_id::text FROM told WHERE quiet) AS quiet,
       (SELECT coalesce(jsonb_object_agg(user_id::text, tokens), '{{}}') FROM wanting
        WHERE EXISTS (SELECT FROM claimed)) AS pushes
FROM (SELECT 1) AS one LEFT JOIN standing s ON true
"""

# The index entry (db/message_search.py), when the message is well formed.
_INDEX = """,
indexed AS (
    INSERT INTO message_search AS s {columns}
    SELECT {values} WHERE EXISTS (SELECT FROM writing)
    ON CONFLICT (room_id, message_id) DO UPDATE SET admitted = true)"""


def _statement(with_index: bool) -> str:
    index = (
        _INDEX.format(columns=message_search.COLUMNS, values=message_search.VALUES)
        if with_index
        else ""
    )
    # The index CTE is never read: PostgreSQL runs data-modifying CTEs all the same.
    return _STATEMENT.format(
        may_post=_MAY_POST,
        standing=rooms.STANDING_COLUMNS,
        standing_from=rooms.STANDING_FROM.replace("%(user)s", "%(sender_id)s"),
        index=index,
    )


_WITH_INDEX, _WITHOUT_INDEX = _statement(True), _statement(False)


def deliver(
    conn: psycopg.Connection,
    *,
    room_id: str,
    message_id: str,
    sender_id: str,
    created_at: datetime,
    preview: str,
    mentioned: list[str],
    claim_key: str,
    index_entry: message_search.Entry | None,
    write: bool = True,
    force: bool = False,
) -> Delivery:
    """Runs the statement (on an autocommit connection: ``pool.autocommit``). It writes
    when ``write`` and the sender may post, or ``force`` (the caller judged the message
    allowed: sent before a change of standing, or attachments checked). Raises
    ``NumberTaken`` when a concurrent delivery of the same message numbered it meanwhile:
    run it again."""
    params: dict[str, Any] = {
        "room_id": room_id,
        "message_id": message_id,
        "sender_id": sender_id,
        "created_at": created_at,
        "preview": preview,
        "mentioned": mentioned,
        "claim_key": claim_key,
        "write": write,
        "force": force,
    }
    if index_entry is not None:
        params |= message_search.values(index_entry, admitted=True)
    row = conn.execute(_WITH_INDEX if index_entry else _WITHOUT_INDEX, params).fetchone()
    taken, numbered = row.pop("taken_seq"), row.pop("numbered_seq")
    writing, may_post = row.pop("writing"), row.pop("may_post")
    if writing and taken is None and numbered is None:
        raise NumberTaken(f"rooms/{room_id}/messages/{message_id} was numbered concurrently")
    sender_name, notify, pushes = row.pop("sender_name"), row.pop("notify"), row.pop("pushes")
    quiet = row.pop("quiet")
    if row.get("id") is None:  # no such room
        return Delivery(None, None, False, False, None, sender_name, {}, [], {})
    room, membership, blocked = rooms.standing_from_row(row)
    seq = (taken or numbered) if writing else None
    return Delivery(room, membership, blocked, may_post, seq, sender_name, notify, quiet, pushes)
