"""Who of a message's push recipients has the message's room open and focused.

The web client writes the room's id to ``focus/{uid}/{connectionId}`` while a conversation
is open in a focused window, and removes it on blur, on leaving the room and (through
``onDisconnect``) when the connection goes. Only the person writes it and nobody but the
functions reads it (presence, which everyone signed in reads, stays apart). Such a person
sees the message arrive: no push for them; their bell entry is written all the same.

Reading focus costs one Realtime Database read per person, so it is read only for the
people who would get a push: members who want one for this message, outside their quiet
hours, with at least one device token (``db.notifications.fanout`` picks them). Members
without a device are never read, however big the room. The reads run side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import clients
import logs

log = logs.get(__name__)

PARALLEL_READS = 8


def has_focus(connections: Any, room_id: str) -> bool:
    """Whether any of a person's connections has ``room_id`` open and focused."""
    if not isinstance(connections, dict):
        return False
    return room_id in connections.values()


def focused(user_id: str, room_id: str) -> bool:
    try:
        return has_focus(clients.database_reference(f"focus/{user_id}").get(), room_id)
    except Exception:  # focus unreadable: better a push too many than a missed one
        log.warning("focus of %s unreadable; pushing", user_id, exc_info=True)
        return False


def unfocused(pushes: dict[str, list[str]], room_id: str) -> dict[str, list[str]]:
    """``pushes`` (person -> device tokens) without the people focused on ``room_id``."""
    if not pushes:
        return {}
    people = list(pushes)
    with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(people))) as pool:
        focus = list(pool.map(lambda uid: focused(uid, room_id), people))
    return {uid: pushes[uid] for uid, seen in zip(people, focus, strict=True) if not seen}
