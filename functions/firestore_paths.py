"""Paths of the Firestore documents and collections the functions read and write.

The layout is the one ``firestore.rules`` guards: ``rooms/{roomId}`` with ``members`` and
``messages`` below it, ``users/{uid}`` with the person's room list (``rooms``) and
``notifications`` below it, ``revocations/{uid}``, and ``roomActivity`` and ``quarantine``
(functions only).
"""

from __future__ import annotations


def room(room_id: str) -> str:
    return f"rooms/{room_id}"


def room_activity(room_id: str) -> str:
    """The room's newest message and sequence, as the message trigger last wrote them
    (functions only). Kept apart from ``rooms/{roomId}``, which members listen to while the
    room is open, so that its once-a-second writes reach nobody's listener."""
    return f"roomActivity/{room_id}"


def room_members(room_id: str) -> str:
    return f"rooms/{room_id}/members"


def member(room_id: str, user_id: str) -> str:
    return f"{room_members(room_id)}/{user_id}"


def room_messages(room_id: str) -> str:
    return f"rooms/{room_id}/messages"


def message(room_id: str, message_id: str) -> str:
    return f"{room_messages(room_id)}/{message_id}"


def quarantined_message(room_id: str, message_id: str) -> str:
    """Where the message trigger moves a post the rules should not have let in."""
    return f"quarantine/{room_id}_{message_id}"


def user(user_id: str) -> str:
    return f"users/{user_id}"


def room_list(user_id: str) -> str:
    return f"users/{user_id}/rooms"


def room_list_entry(user_id: str, room_id: str) -> str:
    return f"{room_list(user_id)}/{room_id}"


def notifications(user_id: str) -> str:
    return f"users/{user_id}/notifications"


def notification(user_id: str, room_id: str, message_id: str) -> str:
    return f"{notifications(user_id)}/{room_id}_{message_id}"


def revocation(user_id: str) -> str:
    """The same path holds the revocation time in the Realtime Database."""
    return f"revocations/{user_id}"
