"""searchMessages: what a person types, over the messages of the rooms they are in now."""

from __future__ import annotations

import base64
import binascii
import html
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from db import message_search, pool
from db.message_search import START_MARK, STOP_MARK, Filters, Position
from errors import ApiError
from search import limits, text

SNIPPET_CHARS = 160


def search(
    caller: str, query: str, filters: Filters, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of hits, best first; ``nextCursor`` continues after it (None at the end)."""
    after = _decode(cursor) if cursor else None
    limits.count_call("searchMessages", caller)
    parsed = text.parse(query)
    if parsed.tsquery is None:  # nothing but punctuation or exclusions: nothing to find
        return {"hits": [], "nextCursor": None}
    with pool.transaction() as conn:
        rows = message_search.search(
            conn, caller, parsed.tsquery, filters, after=after, limit=limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "hits": [
            {
                "roomId": row["room_id"],
                "messageId": row["message_id"],
                "senderId": row["sender_id"],
                "senderName": row["sender_name"],
                "createdAt": row["created_at"].isoformat(),
                "snippet": snippet(row["headline"], row["body"], parsed.unspaced),
            }
            for row in rows
        ],
        "nextCursor": _encode(rows[-1]) if more else None,
    }


def snippet(headline: str, body: str, unspaced: list[str]) -> str:
    """The headline as HTML: text escaped, matched words in ``<mark>``. PostgreSQL's
    headline cannot see words inside Chinese, Japanese or Thai runs; those are marked here,
    around the first place they occur."""
    if unspaced and START_MARK not in headline:
        headline = _mark_unspaced(body, unspaced)
    escaped = html.escape(headline, quote=False)
    return escaped.replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")


def _mark_unspaced(body: str, runs: list[str]) -> str:
    places = [(body.find(run), run) for run in runs if run in body]
    if not places:
        return body[:SNIPPET_CHARS]
    first = min(start for start, _ in places)
    begin = max(0, first - SNIPPET_CHARS // 3)
    window = body[begin : begin + SNIPPET_CHARS]
    for run in sorted({run for _, run in places}, key=len, reverse=True):
        window = window.replace(run, f"{START_MARK}{run}{STOP_MARK}")
    return ("…" if begin else "") + window + ("…" if begin + SNIPPET_CHARS < len(body) else "")


def _encode(row: dict[str, Any]) -> str:
    position = [row["rank"], row["created_at"].isoformat(), row["room_id"], row["message_id"]]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, created_at, room_id, message_id = json.loads(raw)
        return Position(
            rank=float(rank),
            created_at=datetime.fromisoformat(created_at),
            room_id=str(UUID(room_id)),
            message_id=str(message_id),
        )
    except (ValueError, TypeError, AttributeError, binascii.Error):
        raise ApiError("INVALID_ARGUMENT", "cursor: not a cursor from searchMessages") from None
