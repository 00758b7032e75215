"""Issue 20's busy room: one room at 20 messages/s for 30 s, this web client beside the one
before it, from web/scripts/busy-room-bench.mjs (seeds through the functions and Firestore
REST, measures in Chromium through the DevTools protocol): arrival latency p50/p95 with the
room open, the longest main-thread task, and how busy the main thread is with the room open
and with only the room list open. ``BUSY_ROOM_SECONDS`` / ``BUSY_ROOM_ROOMS`` shorten it."""

from __future__ import annotations

from benchmarks.web import run


def main() -> None:
    run("bench:busy")
