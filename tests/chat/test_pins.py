"""Pins: pinMessage/unpinMessage check the caller's role in PostgreSQL and write
rooms/{roomId}/pins/{messageId}; clients cannot write pins; the limit is 50 per room; a
pin follows its message's edits and goes with its soft delete."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import firestore

from rooms.pins import MAX_PINS
from tests.support.firebase import eventually


def _post(person, room_id: str, text: str) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )
    return ref.id


def _pins(person, room_id: str) -> dict[str, dict]:
    return {d.id: d.to_dict() for d in person.db.collection(f"rooms/{room_id}/pins").get()}


def test_in_a_group_owners_and_admins_pin_and_members_do_not(person):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    carol.ok("joinRoom", {"roomId": room_id})
    alice.ok("setRole", {"roomId": room_id, "userId": bob.uid, "role": "admin"})
    message_id = _post(carol, room_id, "The plan   for Friday")

    refused = carol.call("pinMessage", {"roomId": room_id, "messageId": message_id})
    assert refused.status_code == 403
    assert "owners and admins" in refused.json()["error"]["message"]

    assert bob.ok("pinMessage", {"roomId": room_id, "messageId": message_id})["created"] is True
    again = alice.ok("pinMessage", {"roomId": room_id, "messageId": message_id})
    assert again == {"pinned": True, "created": False}
    pins = _pins(carol, room_id)  # members read the pins
    assert list(pins) == [message_id]
    pin = pins[message_id]
    assert (pin["senderId"], pin["text"], pin["pinnedBy"]) == (
        carol.uid,
        "The plan for Friday",
        bob.uid,
    )
    lines = eventually(
        lambda: [
            d.to_dict()
            for d in alice.db.collection(f"rooms/{room_id}/messages").get()
            if d.to_dict().get("event") == "pinned"
        ]
    )
    assert [(line["senderId"], line["value"]) for line in lines] == [(bob.uid, message_id)]

    assert (
        carol.call("unpinMessage", {"roomId": room_id, "messageId": message_id}).status_code == 403
    )
    alice.ok("unpinMessage", {"roomId": room_id, "messageId": message_id})
    assert _pins(carol, room_id) == {}


def test_both_people_of_a_direct_room_pin_and_outsiders_do_not(person):
    alice, bob, eve = person("alice"), person("bob"), person("eve")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    first = _post(alice, room_id, "first")
    second = _post(bob, room_id, "second")
    bob.ok("pinMessage", {"roomId": room_id, "messageId": first})
    alice.ok("pinMessage", {"roomId": room_id, "messageId": second})
    assert set(_pins(alice, room_id)) == {first, second}
    assert eve.call("pinMessage", {"roomId": room_id, "messageId": first}).status_code == 404
    with pytest.raises(exceptions.PermissionDenied):
        eve.db.collection(f"rooms/{room_id}/pins").get()
    # A block closes the room: no more pins.
    alice.ok("blockUser", {"userId": bob.uid})
    assert bob.call("unpinMessage", {"roomId": room_id, "messageId": first}).status_code == 403


def test_clients_cannot_write_pins(person):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Solo"})["roomId"]
    message_id = _post(alice, room_id, "mine")
    with pytest.raises(exceptions.PermissionDenied):
        alice.db.document(f"rooms/{room_id}/pins/{message_id}").set(
            {"messageId": message_id, "pinnedBy": alice.uid}
        )


def test_bad_references_are_clear_errors(person):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Solo"})["roomId"]
    missing = alice.call("pinMessage", {"roomId": room_id, "messageId": "nope"})
    assert (missing.status_code, missing.json()["error"]["message"]) == (404, "message not found")
    for bad in ({"roomId": room_id, "messageId": "../x"}, {"roomId": room_id}, {"roomId": "x"}):
        assert alice.call("pinMessage", bad).status_code == 400


def test_the_limit_of_pins_per_room(person, admin_db):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Busy"})["roomId"]
    # Pins already at the limit, placed directly (as the functions would have).
    batch = admin_db.batch()
    for i in range(MAX_PINS):
        batch.set(admin_db.document(f"rooms/{room_id}/pins/old{i}"), {"messageId": f"old{i}"})
    batch.commit()
    message_id = _post(alice, room_id, "one more")
    refused = alice.call("pinMessage", {"roomId": room_id, "messageId": message_id})
    assert refused.status_code == 400
    assert "already has 50 pinned messages" in refused.json()["error"]["message"]
    alice.ok("unpinMessage", {"roomId": room_id, "messageId": "old0"})
    assert alice.ok("pinMessage", {"roomId": room_id, "messageId": message_id})["created"]


def test_a_pin_follows_edits_and_goes_with_a_soft_delete(person):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Edits"})["roomId"]
    message_id = _post(alice, room_id, "draft")
    alice.ok("pinMessage", {"roomId": room_id, "messageId": message_id})
    ref = alice.db.document(f"rooms/{room_id}/messages/{message_id}")
    ref.update({"text": "final", "editedAt": firestore.SERVER_TIMESTAMP})
    eventually(lambda: _pins(alice, room_id)[message_id]["text"] == "final")
    ref.update(
        {
            "deleted": True,
            "deletedAt": firestore.SERVER_TIMESTAMP,
            "deletedBy": alice.uid,
            "text": "",
        }
    )
    eventually(lambda: _pins(alice, room_id) == {})
