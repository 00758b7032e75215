"""The room list as one query: each person's ``users/{uid}/rooms/{roomId}`` rows carry what
a row shows and the room's message sequence; unread = seq - max(readSeq, joinedSeq), exact
with no count query, across devices, leaving and rejoining, backlogs over 1,000 and the
person's own messages."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from google.api_core import exceptions
from google.cloud import firestore

from tests.support.firebase import UserFirestore, eventually


def _post(person, room_id: str, text: str) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )
    return ref.id


def unread(row: dict[str, Any]) -> int:
    """What the web client computes for a row (web/src/features/chat/firestore/unread.ts)."""
    read = max(row.get("readSeq", 0), row.get("joinedSeq", 0))
    return max(0, row.get("seq", 0) - read)


def room_list(person) -> dict[str, dict[str, Any]]:
    """The person's whole room list, with the one query the web client listens to."""
    return {
        snap.id: snap.to_dict() for snap in person.db.collection(f"users/{person.uid}/rooms").get()
    }


def row_when(person, room_id: str, check, timeout: float = 20) -> dict[str, Any]:
    """The row once ``check(row)`` holds (the trigger writes rows at most once a second)."""

    def current():
        row = room_list(person).get(room_id)
        return row if row is not None and check(row) else None

    return eventually(current, timeout=timeout)


def test_a_row_previews_the_words_of_a_formatted_message_not_its_markers(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    _post(alice, room_id, "**Ship it** :tada: see [the notes](https://example.com/notes)")

    row = row_when(bob, room_id, lambda r: r.get("seq") == 1)
    assert row["lastMessage"]["preview"] == "Ship it :tada: see the notes"


def read_up_to_row(person, room_id: str) -> int:
    """Mark everything the row counts as read, as the web client does; the new readSeq."""
    ref = person.db.document(f"users/{person.uid}/rooms/{room_id}")
    seq = ref.get().get("seq")
    ref.update({"readSeq": seq})
    return seq


def test_a_row_carries_what_the_list_shows(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    message_id = _post(alice, room_id, "  hello\n   team ")

    row = row_when(bob, room_id, lambda r: r.get("seq") == 1)
    assert (row["kind"], row["name"], row["role"], row["joinedSeq"]) == (
        "group",
        "Team",
        "member",
        0,
    )
    last = row["lastMessage"]
    assert (last["id"], last["senderId"], last["preview"]) == (message_id, alice.uid, "hello team")
    assert last["senderName"] and row["lastMessageAt"] == last["createdAt"]
    assert unread(row) == 1

    alice.ok("updateRoom", {"roomId": room_id, "name": "Renamed"})
    assert row_when(bob, room_id, lambda r: r["name"] == "Renamed")["seq"] == 1


def test_own_messages_never_count(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    for i in range(3):
        _post(alice, room_id, f"m{i}")
    assert unread(row_when(alice, room_id, lambda r: r.get("seq") == 3)) == 0
    assert unread(row_when(bob, room_id, lambda r: r.get("seq") == 3)) == 3

    # Bob answers: sending reads the room up to his message.
    _post(bob, room_id, "on my way")
    bob_row = row_when(bob, room_id, lambda r: r.get("seq") == 4)
    assert (bob_row["readSeq"], unread(bob_row)) == (4, 0)
    alice_row = row_when(alice, room_id, lambda r: r.get("seq") == 4)
    assert (alice_row["readSeq"], unread(alice_row)) == (3, 1)


def test_reading_on_one_device_shows_on_the_other(person, functions_host):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    for i in range(3):
        _post(alice, room_id, f"m{i}")
    row_when(bob, room_id, lambda r: r.get("seq") == 3)
    laptop = bob.db
    phone = UserFirestore(functions_host, bob.id_token)

    bob.db = laptop
    assert read_up_to_row(bob, room_id) == 3
    bob.db = phone
    assert unread(room_list(bob)[room_id]) == 0
    _post(alice, room_id, "one more")
    assert unread(row_when(bob, room_id, lambda r: r.get("seq") == 4)) == 1

    # A stale device cannot move the position back, nor past what the room holds.
    ref = phone.document(f"users/{bob.uid}/rooms/{room_id}")
    with pytest.raises(exceptions.PermissionDenied):
        ref.update({"readSeq": 2})
    with pytest.raises(exceptions.PermissionDenied):
        ref.update({"readSeq": 5})
    with pytest.raises(exceptions.PermissionDenied):
        ref.update({"seq": 0})
    with pytest.raises(exceptions.PermissionDenied):
        laptop.document(f"users/{alice.uid}/rooms/{room_id}").update({"readSeq": 4})


def test_leaving_and_rejoining_counts_from_the_rejoin(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    _post(alice, room_id, "before")
    row_when(bob, room_id, lambda r: r.get("seq") == 1)
    bob.ok("leaveRoom", {"roomId": room_id})
    assert room_id not in room_list(bob)
    for i in range(2):
        _post(alice, room_id, f"while bob was away {i}")
    row_when(alice, room_id, lambda r: r.get("seq") == 3)

    bob.ok("joinRoom", {"roomId": room_id})
    row = room_list(bob)[room_id]
    assert (row["joinedSeq"], row["seq"], unread(row)) == (3, 3, 0)
    assert row["lastMessage"]["preview"] == "while bob was away 1"
    _post(alice, room_id, "welcome back")
    assert unread(row_when(bob, room_id, lambda r: r.get("seq") == 4)) == 1


def test_a_backlog_over_a_thousand_is_counted_exactly(person, admin_db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    backlog = 1_050
    messages = admin_db.collection(f"rooms/{room_id}/messages")
    for start in range(0, backlog, 350):
        batch = admin_db.batch()
        for i in range(start, min(start + 350, backlog)):
            batch.set(
                messages.document(),
                {"senderId": alice.uid, "text": f"m{i}", "createdAt": firestore.SERVER_TIMESTAMP},
            )
        batch.commit()
    # The triggers number about 50 messages a second here.
    row = row_when(bob, room_id, lambda r: r.get("seq") == backlog, timeout=180)
    assert unread(row) == backlog
    assert unread(room_list(alice)[room_id]) == 0


def test_a_redelivered_message_keeps_its_number(person, admin_db, functions_env):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    message_id = _post(alice, room_id, "only once please")
    row_when(bob, room_id, lambda r: r.get("seq") == 1)
    message = admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().to_dict()

    from chat import messages  # the functions' own code, run again in this process

    assert messages.on_message_created(room_id, message_id, message) == "delivered"
    time.sleep(1.2)  # past the summary interval: a second count would be written by now
    assert room_list(bob)[room_id]["seq"] == 1
    assert admin_db.document(f"roomActivity/{room_id}").get().get("messageSeq") == 1


def test_reconcile_rebuilds_rows_and_keeps_the_read_position(person, admin_db, functions_env):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    for i in range(3):
        _post(alice, room_id, f"m{i}")
    row_when(bob, room_id, lambda r: r.get("seq") == 3)
    bob.db.document(f"users/{bob.uid}/rooms/{room_id}").update({"readSeq": 2})
    before = room_list(bob)[room_id]

    # A bug or a restore loses the trigger's fields of Bob's row and all of Alice's.
    admin_db.document(f"users/{bob.uid}/rooms/{room_id}").update(
        {"seq": firestore.DELETE_FIELD, "lastMessage": firestore.DELETE_FIELD, "name": "x"}
    )
    admin_db.document(f"users/{alice.uid}/rooms/{room_id}").delete()

    import reconcile  # the functions' own code

    written = reconcile.repair_room(room_id)
    assert sorted(written) == sorted(
        [f"users/{bob.uid}/rooms/{room_id}", f"users/{alice.uid}/rooms/{room_id}"]
    )
    assert room_list(bob)[room_id] == before
    assert unread(room_list(bob)[room_id]) == 1
    alice_row = room_list(alice)[room_id]
    assert (alice_row["seq"], alice_row["lastMessage"]["preview"]) == (3, "m2")
    assert reconcile.repair_room(room_id) == []


def _profile_change(someone, **changes: Any) -> None:
    response = httpx.post(
        someone.host.functions_url("updateProfile"),
        json=changes,
        headers={"Authorization": f"Bearer {someone.access_token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def test_a_direct_row_shows_the_other_person_and_follows_their_profile(
    person, admin_db, functions_env
):
    """A direct room's row carries the other person's name and picture (``peer``), so the
    list needs no listener per person; a profile change or a deleted account reaches every
    row that shows them, and only those."""
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    with_alice = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    with_carol = carol.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    group = bob.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    alice.ok("joinRoom", {"roomId": group})

    peer = row_when(alice, with_alice, lambda r: "peer" in r)["peer"]
    assert (peer["uid"], peer["username"], peer["avatarUrl"], peer["disabled"]) == (
        bob.uid,
        bob.username,
        None,
        False,
    )
    assert peer["displayName"]
    assert row_when(bob, with_alice, lambda r: "peer" in r)["peer"]["uid"] == alice.uid
    assert "peer" not in row_when(alice, group, lambda r: r.get("kind") == "group")

    picture = "https://res.cloudinary.com/demo/image/upload/bob.png"
    _profile_change(bob, displayName="Robert Renamed", avatarUrl=picture)
    for someone, room_id in ((alice, with_alice), (carol, with_carol)):
        row = row_when(someone, room_id, lambda r: r["peer"]["displayName"] == "Robert Renamed")
        assert (row["peer"]["avatarUrl"], row["kind"], row["seq"]) == (picture, "direct", 0)
    # Bob's own rows still show the others.
    assert room_list(bob)[with_carol]["peer"]["uid"] == carol.uid

    # Reconcile agrees with what the mirror wrote, and puts back a lost copy.
    import reconcile  # the functions' own code

    assert reconcile.repair_room(with_alice) == []
    admin_db.document(f"users/{alice.uid}/rooms/{with_alice}").update(
        {"peer": firestore.DELETE_FIELD}
    )
    assert reconcile.repair_room(with_alice) == [f"users/{alice.uid}/rooms/{with_alice}"]
    assert room_list(alice)[with_alice]["peer"]["displayName"] == "Robert Renamed"

    deleted = httpx.post(
        bob.host.functions_url("deleteAccount"),
        json={"password": bob.password},
        headers={"Authorization": f"Bearer {bob.access_token}"},
        timeout=60,
    )
    assert deleted.status_code == 200, deleted.text
    for someone, room_id in ((alice, with_alice), (carol, with_carol)):
        row = row_when(someone, room_id, lambda r: r["peer"]["displayName"] == "Deleted user")
        assert (row["peer"]["avatarUrl"], row["peer"]["disabled"]) == (None, True)
