"""The full-text index of messages (``message_search``) and the search over it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

Row = dict[str, Any]

# Marks around matched words in headlines; search/messages.py turns them into <mark>.
START_MARK, STOP_MARK = "\ue000", "\ue001"
_MARKS = f'StartSel="{START_MARK}", StopSel="{STOP_MARK}"'
# A message of up to 40 words is shown whole; of a longer one, the two best passages.
SHORT_WORDS = 40
_WHOLE = f"{_MARKS}, MaxWords={SHORT_WORDS}, MinWords={SHORT_WORDS - 1}"
_PASSAGES = f'{_MARKS}, MaxWords=20, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'


@dataclass
class Entry:
    """What the index holds of one message at one version."""

    room_id: str
    message_id: str
    sender_id: str
    created_at: datetime
    version: datetime
    body: str
    document_text: str
    has_file: bool
    has_image: bool
    has_link: bool
    deleted: bool = False


def values(entry: Entry, admitted: bool) -> dict[str, Any]:
    return {**entry.__dict__, "admitted": admitted}


# The columns of an index row and the values of one entry (``values``), for an INSERT
# here and in the message trigger's statement (db/message_delivery.py).
COLUMNS = """(room_id, message_id, sender_id, created_at, version, admitted, deleted, body,
       document, has_file, has_image, has_link)"""
VALUES = """%(room_id)s::uuid, %(message_id)s, %(sender_id)s::uuid, %(created_at)s,
       %(version)s, %(admitted)s, %(deleted)s, %(body)s,
       to_tsvector('simple', %(document_text)s), %(has_file)s, %(has_image)s, %(has_link)s"""
INSERT = f"INSERT INTO message_search AS s {COLUMNS} VALUES ({VALUES})"


def admit(conn: psycopg.Connection, entry: Entry) -> None:
    """The message trigger let the message through: index it, or admit the newer version
    an edit already stored."""
    conn.execute(
        INSERT + " ON CONFLICT (room_id, message_id) DO UPDATE SET admitted = true",
        values(entry, admitted=True),
    )


def change(conn: psycopg.Connection, entry: Entry) -> None:
    """An edit or a soft delete: replaces an older version; a deletion is final."""
    conn.execute(
        INSERT
        + """ ON CONFLICT (room_id, message_id) DO UPDATE SET
                version = excluded.version, deleted = excluded.deleted, body = excluded.body,
                document = excluded.document, has_file = excluded.has_file,
                has_image = excluded.has_image, has_link = excluded.has_link
              WHERE s.version < excluded.version AND NOT s.deleted""",
        values(entry, admitted=False),
    )


def remove(conn: psycopg.Connection, room_id: str, message_id: str) -> None:
    conn.execute(
        "DELETE FROM message_search WHERE room_id = %s AND message_id = %s", (room_id, message_id)
    )


@dataclass
class Filters:
    room_id: str | None = None
    sender_id: str | None = None
    has: str | None = None  # "file", "image" or "link"
    before: datetime | None = None
    after: datetime | None = None


@dataclass
class Position:
    """Where a page ended, in the order of the results."""

    rank: float
    created_at: datetime
    room_id: str
    message_id: str


_HAS = {"file": "s.has_file", "image": "s.has_image", "link": "s.has_link"}
# Filters that compare a column with the filter's value (named like the Filters field).
_CONDITIONS = {
    "room_id": "s.room_id = %(room_id)s",
    "sender_id": "s.sender_id = %(sender_id)s",
    "before": "s.created_at < %(before)s",
    "after": "s.created_at > %(after)s",
}


def search(
    conn: psycopg.Connection,
    caller: str,
    tsquery: str,
    filters: Filters,
    *,
    after: Position | None,
    limit: int,
) -> list[Row]:
    """Messages matching ``tsquery`` in the rooms ``caller`` is a member of now (direct
    rooms closed by a block excepted), best first, then newest; ties broken by room and
    message id so pages never overlap or skip.

    The caller's rooms are found first (tens of rows), then each room's matches through the
    (room_id, document) GIN index, so the work follows the matches in the caller's rooms,
    not in every room. The tsquery is written into the conditions rather than taken from a
    CTE, so the planner can estimate how common the words are (and walk a room's messages
    by the btree instead when nearly all match)."""
    conditions = [
        "s.document @@ to_tsquery('simple', %(tsquery)s)",
        "s.admitted",
        "NOT s.deleted",
    ]
    params: dict[str, Any] = {"caller": caller, "tsquery": tsquery, "limit": limit}
    for name, condition in _CONDITIONS.items():
        if value := getattr(filters, name):
            conditions.append(condition)
            params[name] = value
    if filters.has:
        conditions.append(_HAS[filters.has])
    room = ""
    if filters.room_id:
        room = "AND m.room_id = %(room_id)s"
    page = ""
    if after is not None:
        page = """WHERE (rank, created_at, room_id, message_id)
                      < (%(rank)s::real, %(at)s, %(room)s::uuid, %(id)s)"""
        params.update(rank=after.rank, at=after.created_at, room=after.room_id, id=after.message_id)
    return conn.execute(
        f"""
        WITH closed AS (
            -- Direct rooms between the caller and someone either of them blocked
            -- (direct_key is the two ids, sorted, joined by a colon).
            SELECT r.id FROM blocks b
            JOIN rooms r ON r.direct_key
                = least(b.blocker_id::text COLLATE "C", b.blocked_id::text) || ':'
                  || greatest(b.blocker_id::text COLLATE "C", b.blocked_id::text)
            WHERE b.blocker_id = %(caller)s OR b.blocked_id = %(caller)s
        ),
        searchable AS MATERIALIZED (
            SELECT m.room_id FROM memberships m
            WHERE m.user_id = %(caller)s {room}
              AND m.room_id NOT IN (SELECT id FROM closed)
        ),
        found AS (
            SELECT s.room_id, s.message_id, s.sender_id, s.created_at, s.body,
                   ts_rank_cd(s.document, to_tsquery('simple', %(tsquery)s)) AS rank
            FROM searchable c JOIN message_search s ON s.room_id = c.room_id
            WHERE {" AND ".join(conditions)}
        ),
        page AS (
            SELECT * FROM found {page}
            ORDER BY rank DESC, created_at DESC, room_id DESC, message_id DESC
            LIMIT %(limit)s
        )
        SELECT page.room_id::text, page.message_id, page.sender_id::text, page.created_at,
               page.rank, page.body, coalesce(u.display_name, '') AS sender_name,
               CASE WHEN array_length(regexp_split_to_array(page.body, '[[:space:]]+'), 1)
                         <= %(short)s
                    THEN ts_headline('simple', page.body, to_tsquery('simple', %(tsquery)s),
                                     %(whole)s)
                    ELSE ts_headline('simple', page.body, to_tsquery('simple', %(tsquery)s),
                                     %(passages)s)
               END AS headline
        FROM page LEFT JOIN users u ON u.id = page.sender_id
        ORDER BY rank DESC, created_at DESC, room_id DESC, message_id DESC
        """,
        {**params, "short": SHORT_WORDS, "whole": _WHOLE, "passages": _PASSAGES},
    ).fetchall()


def existing_rooms(conn: psycopg.Connection, room_ids: set[str]) -> set[str]:
    rows = conn.execute(
        "SELECT id::text AS id FROM rooms WHERE id = ANY(%s::uuid[])", (list(room_ids),)
    ).fetchall()
    return {row["id"] for row in rows}
