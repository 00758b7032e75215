"""The searchMessages and searchPeople queries as they were before the speed work of
issue 16 (main at 7517f26), kept so benchmarks/search.py measures both designs side by side
on the same data. Not used by the functions."""

from __future__ import annotations

from typing import Any

import psycopg

from db.message_search import _PASSAGES, _WHOLE, SHORT_WORDS, Filters, Position

Row = dict[str, Any]


# Who may be found: active people other than the caller who have not blocked the caller.
_ELIGIBLE = """NOT u.disabled AND u.id <> %(caller)s
    AND NOT EXISTS (SELECT 1 FROM blocks b
                    WHERE b.blocker_id = u.id AND b.blocked_id = %(caller)s)"""


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_people(
    conn: psycopg.Connection, caller: str, query: str, words: str | None, limit: int
) -> list[Row]:
    """Up to ``limit`` people for ``query`` (lower-cased), best first. ``words`` is the query
    as a prefix tsquery (search/text.py), or None when it has no words. Each kind of match is
    capped at ``limit`` inside its index scan, so the cost does not grow with how many people
    share a common name; similar names are looked up only when the others are too few."""
    return conn.execute(
        f"""
        WITH prefixed AS (
            (SELECT u.id, 0 AS tier FROM users u
             WHERE lower(u.username) = %(query)s AND {_ELIGIBLE})
            UNION ALL
            (SELECT u.id, 1 FROM users u
             WHERE lower(u.username) LIKE %(prefix)s AND {_ELIGIBLE} LIMIT %(limit)s)
            UNION ALL
            (SELECT u.id, 2 FROM users u
             WHERE %(words)s::text IS NOT NULL
               AND to_tsvector('simple', u.display_name) @@ to_tsquery('simple', %(words)s)
               AND {_ELIGIBLE}
             LIMIT %(limit)s)
        ),
        alike AS (
            SELECT u.id, 3 AS tier FROM users u
            WHERE (SELECT count(*) FROM prefixed) < %(limit)s
              AND %(query)s <%% lower(u.display_name) AND {_ELIGIBLE}
            ORDER BY word_similarity(%(query)s, lower(u.display_name)) DESC
            LIMIT %(limit)s
        ),
        best AS (
            SELECT DISTINCT ON (id) id, tier
            FROM (SELECT * FROM prefixed UNION ALL SELECT * FROM alike) found
            ORDER BY id, tier
        )
        SELECT u.id::text, u.username, u.display_name, u.avatar_url
        FROM best JOIN users u USING (id)
        ORDER BY best.tier, word_similarity(%(query)s, lower(u.display_name)) DESC,
                 lower(u.username)
        LIMIT %(limit)s
        """,
        {
            "caller": caller,
            "query": query,
            "prefix": _like_prefix(query),
            "words": words,
            "limit": limit,
        },
    ).fetchall()


_HAS = {"file": "s.has_file", "image": "s.has_image", "link": "s.has_link"}
# Filters that compare a column with the filter's value (named like the Filters field).
_CONDITIONS = {
    "room_id": "s.room_id = %(room_id)s",
    "sender_id": "s.sender_id = %(sender_id)s",
    "before": "s.created_at < %(before)s",
    "after": "s.created_at > %(after)s",
}


def search_messages(
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
    message id so pages never overlap or skip."""
    conditions = ["s.document @@ q.query", "s.admitted", "NOT s.deleted"]
    params: dict[str, Any] = {"caller": caller, "tsquery": tsquery, "limit": limit}
    for name, condition in _CONDITIONS.items():
        if value := getattr(filters, name):
            conditions.append(condition)
            params[name] = value
    if filters.has:
        conditions.append(_HAS[filters.has])
    page = ""
    if after is not None:
        page = """WHERE (rank, created_at, room_id, message_id)
                      < (%(rank)s::real, %(at)s, %(room)s::uuid, %(id)s)"""
        params.update(rank=after.rank, at=after.created_at, room=after.room_id, id=after.message_id)
    return conn.execute(
        f"""
        WITH q AS (SELECT to_tsquery('simple', %(tsquery)s) AS query),
        found AS (
            SELECT s.room_id, s.message_id, s.sender_id, s.created_at, s.body,
                   ts_rank_cd(s.document, q.query) AS rank
            FROM q, message_search s
            JOIN memberships m ON m.room_id = s.room_id AND m.user_id = %(caller)s
            JOIN rooms r ON r.id = s.room_id
            WHERE {" AND ".join(conditions)}
              AND NOT (r.kind = 'direct' AND EXISTS (
                    SELECT 1 FROM blocks b
                    WHERE (b.blocker_id = %(caller)s
                           AND r.direct_key LIKE '%%' || b.blocked_id::text || '%%')
                       OR (b.blocked_id = %(caller)s
                           AND r.direct_key LIKE '%%' || b.blocker_id::text || '%%')))
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
                    THEN ts_headline('simple', page.body, q.query, %(whole)s)
                    ELSE ts_headline('simple', page.body, q.query, %(passages)s)
               END AS headline
        FROM page CROSS JOIN q LEFT JOIN users u ON u.id = page.sender_id
        ORDER BY rank DESC, created_at DESC, room_id DESC, message_id DESC
        """,
        {**params, "short": SHORT_WORDS, "whole": _WHOLE, "passages": _PASSAGES},
    ).fetchall()
