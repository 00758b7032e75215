"""System lines: joins, leaves, removals, renames and topic changes appear in the group's
messages, written by the functions; no client can forge one, and the trigger leaves them be."""

from __future__ import annotations

import time

import pytest
from google.api_core import exceptions
from google.cloud import firestore


def _lines(admin_db, room_id: str) -> list[dict]:
    messages = admin_db.collection(f"rooms/{room_id}/messages")
    docs = messages.where(filter=firestore.FieldFilter("kind", "==", "system")).get()
    lines = sorted((doc.to_dict() for doc in docs), key=lambda line: line["createdAt"])
    return [
        {
            key: line[key]
            for key in ("event", "senderId", "subjectId", "subjectName", "value")
            if key in line
        }
        for line in lines
    ]


def test_membership_and_room_changes_leave_system_lines(person, admin_db):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    room_id = alice.ok("createRoom", {"name": "Trip", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    invite = alice.ok("inviteMember", {"roomId": room_id, "username": carol.username})
    carol.ok("acceptInvite", {"inviteId": invite["inviteId"]})
    alice.ok("updateRoom", {"roomId": room_id, "name": "Weekend trip 🏕️", "topic": "Bring boots"})
    alice.ok("updateRoom", {"roomId": room_id, "name": "Weekend trip 🏕️"})  # no change: no line
    members = alice.ok("listMembers", {"roomId": room_id})["members"]
    carol_name = next(m["displayName"] for m in members if m["userId"] == carol.uid)
    alice.ok("removeMember", {"roomId": room_id, "userId": carol.uid})
    bob.ok("leaveRoom", {"roomId": room_id})

    assert _lines(admin_db, room_id) == [
        {"event": "joined", "senderId": bob.uid},
        {"event": "joined", "senderId": carol.uid},
        {"event": "renamed", "senderId": alice.uid, "value": "Weekend trip 🏕️"},
        {"event": "topic", "senderId": alice.uid, "value": "Bring boots"},
        {
            "event": "removed",
            "senderId": alice.uid,
            "subjectId": carol.uid,
            "subjectName": carol_name,
        },
        {"event": "left", "senderId": bob.uid},
    ]
    # Members read them like any message; the trigger neither quarantines them nor makes
    # them the room's last message.
    assert len(alice.db.collection(f"rooms/{room_id}/messages").get()) == 6
    time.sleep(1.0)
    quarantined = admin_db.collection("quarantine")
    assert not quarantined.where(filter=firestore.FieldFilter("roomId", "==", room_id)).get()
    assert not admin_db.document(f"roomActivity/{room_id}").get().exists


def test_a_client_cannot_forge_or_turn_a_message_into_a_system_line(person):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    messages = alice.db.collection(f"rooms/{room_id}/messages")
    with pytest.raises(exceptions.PermissionDenied):
        messages.add(
            {
                "senderId": alice.uid,
                "text": "x",
                "createdAt": firestore.SERVER_TIMESTAMP,
                "kind": "system",
                "event": "joined",
            }
        )
    _, ref = messages.add(
        {"senderId": alice.uid, "text": "hi", "createdAt": firestore.SERVER_TIMESTAMP}
    )
    with pytest.raises(exceptions.PermissionDenied):
        ref.update({"kind": "system"})
