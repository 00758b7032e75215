"""The key of a direct conversation: its two members' user ids, sorted, joined by ``:``.

``rooms.direct_key`` in PostgreSQL holds it, unique, so a pair of people has one
conversation; the SQL in ``db/rooms.py`` splits it with ``split_part`` for the same reason
this module does.
"""

from __future__ import annotations


def direct_key(user_a: str, user_b: str) -> str:
    return ":".join(sorted((user_a, user_b)))


def direct_members(key: str) -> list[str]:
    """The two user ids of a direct room's key, sorted."""
    return sorted(key.split(":"))
