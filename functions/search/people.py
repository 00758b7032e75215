"""searchPeople: people by name, for starting a conversation or inviting someone."""

from __future__ import annotations

from typing import Any

from db import people_search, pool
from search import limits, text

MIN_QUERY_CHARS = 2


def search(caller: str, query: str, *, limit: int) -> dict[str, Any]:
    limits.count_call("searchPeople", caller)
    normalized = " ".join(query.replace("\x00", "").split()).lower().removeprefix("@")
    if len(normalized) < MIN_QUERY_CHARS:
        return {"people": []}
    with pool.transaction() as conn:
        rows = people_search.search(
            conn,
            caller,
            normalized,
            text.parse(normalized).tsquery,
            text.words(normalized),
            limit,
        )
    return {
        "people": [
            {
                "id": row["id"],
                "username": row["username"],
                "displayName": row["display_name"],
                "avatarUrl": row["avatar_url"],
            }
            for row in rows
        ]
    }
