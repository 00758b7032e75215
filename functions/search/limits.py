"""How often one person may search."""

from __future__ import annotations

from db import pool, rate_limits
from errors import ApiError

WINDOW_SECONDS = 60
# Searching as you type asks once per pause in typing; this leaves room for fast typists.
LIMITS = {"searchMessages": 120, "searchPeople": 120}


def count_call(name: str, caller: str) -> None:
    """Count a call of ``name`` by ``caller``; 429 with Retry-After beyond the limit."""
    with pool.transaction() as conn:
        wait = rate_limits.take(conn, f"{name}:{caller}", LIMITS[name], WINDOW_SECONDS)
    if wait:
        raise ApiError(
            "RESOURCE_EXHAUSTED",
            f"too many searches; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
