"""Issue 20's room list: a person in 300 rooms, this web client side by side with the one
before it, from web/scripts/room-list-bench.mjs (seeds through the functions and Firestore
REST, measures in Chromium): listeners at load, count queries, reads per load, time until
all rooms are listed and all unread badges are right, and the longest main-thread task."""

from __future__ import annotations

from benchmarks.web import run


def main() -> None:
    run("bench:rooms")
