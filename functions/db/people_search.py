"""People found by name: the exact username, username prefixes, word prefixes of display
names, and, when those are too few, display names with words similar to the query's (typos,
pg_trgm trigrams over the distinct name words in ``person_name_words``)."""

from __future__ import annotations

from typing import Any

import psycopg

Row = dict[str, Any]

# Who may be found: active people other than the caller who have not blocked the caller.
_ELIGIBLE = """NOT u.disabled AND u.id <> %(caller)s
    AND NOT EXISTS (SELECT 1 FROM blocks b
                    WHERE b.blocker_id = u.id AND b.blocked_id = %(caller)s)"""


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# Name words tried for each word of the query when looking for typos, most similar first.
SIMILAR_WORDS = 5
# People with those words looked at (then ranked by similarity), at most.
SIMILAR_CANDIDATES = 100


def search(
    conn: psycopg.Connection,
    caller: str,
    query: str,
    words: str | None,
    terms: list[str],
    limit: int,
) -> list[Row]:
    """Up to ``limit`` people for ``query`` (lower-cased), best first. ``words`` is the query
    as a prefix tsquery (search/text.py), or None when it has no words; ``terms`` its words.
    Each kind of match is capped at ``limit`` inside its index scan, so the cost does not
    grow with how many people share a common name. Only when those are too few, typos: for
    each term the most similar words any display name has (``person_name_words``: trigram
    similarity over the distinct words, not over every name; the last term also as a
    prefix), then people whose name has one of them for every term, through the display
    name word index."""
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
        options AS (
            SELECT t.ord,
                   concat_ws(' | ', string_agg('''' || w.word || '''', ' | '),
                             CASE WHEN t.ord = cardinality(%(terms)s::text[])
                                  THEN '''' || t.term || ''':*' END) AS words
            FROM unnest(%(terms)s::text[]) WITH ORDINALITY AS t (term, ord)
            LEFT JOIN LATERAL (
                SELECT n.word FROM person_name_words n
                WHERE n.word %% t.term
                ORDER BY n.word <-> t.term
                LIMIT {SIMILAR_WORDS}
            ) w ON true
            WHERE (SELECT count(*) FROM prefixed) < %(limit)s
            GROUP BY t.ord, t.term
        ),
        typo AS (
            SELECT string_agg('(' || words || ')', ' & ')::tsquery AS query
            FROM options
            HAVING count(*) > 0 AND bool_and(words <> '')
        ),
        alike AS (
            SELECT u.id, 3 AS tier FROM typo, users u
            WHERE to_tsvector('simple', u.display_name) @@ typo.query AND {_ELIGIBLE}
            LIMIT {SIMILAR_CANDIDATES}
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
            "terms": terms,
            "limit": limit,
        },
    ).fetchall()
