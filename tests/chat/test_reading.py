"""Reading a room as the web client does: history newest-first with cursors, unread counts
from the read marker and a count query, receipts, typing."""

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


def unread(person, room_id: str) -> int:
    """Messages after the later of the read marker and the time the person (re)joined."""
    member = person.db.document(f"rooms/{room_id}/members/{person.uid}").get()
    marker = person.db.document(f"rooms/{room_id}/reads/{person.uid}").get()
    since = member.get("joinedAt")
    if marker.exists and marker.get("lastReadAt") > since:
        since = marker.get("lastReadAt")
    query = person.db.collection(f"rooms/{room_id}/messages").where(
        filter=FieldFilter("createdAt", ">", since)
    )
    return query.count().get()[0][0].value


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


def test_unread_counts_follow_the_read_marker_across_devices(person, functions_host):
    from tests.support.firebase import UserFirestore

    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    ids = [_post(alice, room_id, f"m{i}") for i in range(3)]
    assert unread(bob, room_id) == 3
    _mark_read(bob, room_id, ids[1])
    assert unread(bob, room_id) == 1

    # Bob's other device reads the same marker.
    bob.db = UserFirestore(functions_host, bob.id_token)
    assert unread(bob, room_id) == 1
    _mark_read(bob, room_id, ids[2])
    assert unread(bob, room_id) == 0
    _post(alice, room_id, "one more")
    assert unread(bob, room_id) == 1


def test_unread_after_leaving_and_rejoining_counts_from_the_rejoin(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    first = _post(alice, room_id, "before")
    _mark_read(bob, room_id, first)
    bob.ok("leaveRoom", {"roomId": room_id})
    with pytest.raises(exceptions.PermissionDenied):
        unread(bob, room_id)
    _post(alice, room_id, "while bob was away")
    bob.ok("joinRoom", {"roomId": room_id})
    assert unread(bob, room_id) == 0
    _post(alice, room_id, "welcome back")
    assert unread(bob, room_id) == 1


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
