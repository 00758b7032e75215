"""Pinned messages: ``rooms/{roomId}/pins/{messageId}``, written by the functions only.

Who may pin follows ``rooms.permissions`` (groups: owners and admins; direct rooms: both
people; nobody in an archived room or a blocked direct room). The room's row is locked in
PostgreSQL while the pins are counted and written, so two pins at once cannot pass the
limit together. Pins live in Firestore only, next to the messages they point at (which
PostgreSQL does not hold either); a message's soft delete removes its pin
(``on_message_changed``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from google.api_core import exceptions
from google.cloud import firestore as gcf

import clients
from chat import system_lines
from db import pool
from errors import ApiError
from rooms.permissions import allowed, standing

MAX_PINS = 50
SNIPPET_CHARS = 200


def _snippet(message: dict[str, Any]) -> str:
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    if not text and message.get("attachments"):
        return "📎 Attachment"
    return " ".join(text.split())[:SNIPPET_CHARS]


def _check(conn, caller: str, room_id: str) -> None:
    here = standing(conn, room_id, caller, lock=True)
    if here.room is None or here.membership is None:
        raise ApiError("NOT_FOUND", "room not found")
    if not allowed("pin", here):
        if here.room["archived_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "this room is archived")
        raise ApiError("PERMISSION_DENIED", "only owners and admins pin messages in a group")


def pin(caller: str, room_id: str, message_id: str) -> dict[str, Any]:
    db = clients.firestore()
    pins = db.collection(f"rooms/{room_id}/pins")
    with pool.transaction() as conn:
        _check(conn, caller, room_id)
        snapshot = db.document(f"rooms/{room_id}/messages/{message_id}").get()
        message = snapshot.to_dict() if snapshot.exists else None
        if message is None or message.get("kind") == "system" or message.get("deleted"):
            raise ApiError("NOT_FOUND", "message not found")
        if pins.document(message_id).get().exists:
            return {"pinned": True, "created": False}
        count = pins.count().get()[0][0].value
        if count >= MAX_PINS:
            raise ApiError(
                "FAILED_PRECONDITION",
                f"this room already has {MAX_PINS} pinned messages: unpin one first",
            )
        pins.document(message_id).set(
            {
                "messageId": message_id,
                "senderId": message.get("senderId"),
                "text": _snippet(message),
                "messageCreatedAt": message.get("createdAt"),
                "pinnedBy": caller,
                "pinnedAt": gcf.SERVER_TIMESTAMP,
            }
        )
    system_lines.post(room_id, "pinned", caller, value=message_id)
    return {"pinned": True, "created": True}


def unpin(caller: str, room_id: str, message_id: str) -> dict[str, Any]:
    db = clients.firestore()
    with pool.transaction() as conn:
        _check(conn, caller, room_id)
        db.document(f"rooms/{room_id}/pins/{message_id}").delete()
    return {"pinned": False}


def on_message_changed(room_id: str, message_id: str, before: dict, after: dict) -> None:
    """Keep a pin in step with its message: gone on a soft delete, new text on an edit."""
    deleted = after.get("deleted") and not before.get("deleted")
    edited = after.get("text") != before.get("text")
    if not (deleted or edited):
        return
    ref = clients.firestore().document(f"rooms/{room_id}/pins/{message_id}")
    if deleted:
        ref.delete()
        return
    with contextlib.suppress(exceptions.NotFound):  # no pin: the usual case
        ref.update({"text": _snippet(after)})
