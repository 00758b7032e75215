"""Reading a room as the web client does: history newest-first with cursors, receipts,
typing. Unread counts come from the room-list rows (tests/chat/test_room_list.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter


def _post(person, room_id: str, text: str) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )
    return ref.id


def _mark_read(person, room_id: str, message_id: str, share: bool = True) -> None:
    message = person.db.document(f"rooms/{room_id}/messages/{message_id}").get()
    person.db.document(f"rooms/{room_id}/reads/{person.uid}").set(
        {
            "lastReadAt": message.get("createdAt"),
            "lastReadMessageId": message_id,
            "shareReceipts": share,
        }
    )


def test_history_pages_newest_first_with_cursors(person):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "History"})["roomId"]
    for i in range(7):
        _post(alice, room_id, f"m{i}")
    messages = alice.db.collection(f"rooms/{room_id}/messages")
    newest_first = messages.order_by("createdAt", direction=firestore.Query.DESCENDING)
    pages, cursor = [], None
    while True:
        query = (
            newest_first.limit(3) if cursor is None else newest_first.start_after(cursor).limit(3)
        )
        page = query.get()
        if not page:
            break
        pages.append([doc.get("text") for doc in page])
        cursor = page[-1]
    assert pages == [["m6", "m5", "m4"], ["m3", "m2", "m1"], ["m0"]]


def test_receipts_are_seen_only_when_shared(person):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    for p in (bob, carol):
        p.ok("joinRoom", {"roomId": room_id})
    message_id = _post(alice, room_id, "did you see this?")
    _mark_read(bob, room_id, message_id, share=True)
    _mark_read(carol, room_id, message_id, share=False)
    seen = (
        alice.db.collection(f"rooms/{room_id}/reads")
        .where(filter=FieldFilter("shareReceipts", "==", True))
        .get()
    )
    assert [doc.id for doc in seen] == [bob.uid]
    with pytest.raises(exceptions.PermissionDenied):
        alice.db.collection(f"rooms/{room_id}/reads").get()  # rules are not filters


def test_typing_is_one_short_lived_document_per_member(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=8)
    alice.db.document(f"rooms/{room_id}/typing/{alice.uid}").set(
        {"typing": True, "expiresAt": expires}
    )
    now = dt.datetime.now(dt.UTC)
    typing = (
        bob.db.collection(f"rooms/{room_id}/typing")
        .where(filter=FieldFilter("expiresAt", ">", now))
        .get()
    )
    assert [(doc.id, doc.get("typing")) for doc in typing] == [(alice.uid, True)]
    with pytest.raises(exceptions.PermissionDenied):
        bob.db.document(f"rooms/{room_id}/typing/{alice.uid}").set(
            {"typing": False, "expiresAt": now}
        )
