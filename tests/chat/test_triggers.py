"""What happens after a write: the message trigger (summary, notifications, pushes,
quarantine), the presence trigger, and the outbox converging after a failed mirror."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
from google.cloud import firestore

from tests.chat.conftest import create_room_while_firestore_is_down, pending_outbox_rows
from tests.support.firebase import eventually


def _post(person, room_id: str, text: str = "hello", **fields) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP, **fields}
    )
    return ref.id


def _pushes(host, message_id: str) -> list[dict]:
    path = Path(host.env["PUSH_LOG_PATH"])
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [push for push in lines if push["data"].get("messageId") == message_id]


def test_a_direct_message_updates_the_summary_notifies_and_pushes(person, admin_db, functions_host):
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    message_id = _post(alice, room_id, "lunch at noon?")

    def summary():
        data = admin_db.document(f"roomActivity/{room_id}").get().to_dict() or {}
        return data if data.get("lastMessage", {}).get("id") == message_id else None

    last = eventually(summary)["lastMessage"]
    assert (last["senderId"], last["preview"]) == (alice.uid, "lunch at noon?")

    note = eventually(
        lambda: bob.db.document(f"users/{bob.uid}/notifications/{room_id}_{message_id}").get()
    )
    assert note.exists
    assert note.get("type") == "direct" and note.get("senderId") == alice.uid
    assert not alice.db.collection(f"users/{alice.uid}/notifications").get()

    pushes = eventually(lambda: _pushes(functions_host, message_id))
    assert [(p["user_id"], p["body"], p["tokens"]) for p in pushes] == [
        (bob.uid, "lunch at noon?", [f"fcm-token-{bob.uid}"])
    ]


def test_mentions_notify_members_who_listen(person, admin_db):
    alice, bob, carol, dave = person("alice"), person("bob"), person("carol"), person("dave")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    for p in (bob, carol):
        p.ok("joinRoom", {"roomId": room_id})
    carol.ok("muteRoom", {"roomId": room_id, "notify": "none"})
    message_id = _post(
        alice, room_id, "@bob @carol @dave look", mentions=[bob.uid, carol.uid, dave.uid]
    )

    path = f"users/{{}}/notifications/{room_id}_{message_id}"
    eventually(lambda: admin_db.document(path.format(bob.uid)).get().exists)
    assert admin_db.document(path.format(bob.uid)).get().get("type") == "mention"
    time.sleep(0.3)  # the same trigger run wrote all of them: give stragglers no excuse
    assert not admin_db.document(path.format(carol.uid)).get().exists  # muted
    assert not admin_db.document(path.format(dave.uid)).get().exists  # not a member
    assert not admin_db.document(path.format(alice.uid)).get().exists  # the sender


def test_a_message_through_a_stale_mirror_is_quarantined(person, admin_db, db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    # Bob leaves in PostgreSQL, and the mirror never hears of it (as after a lost update).
    db.execute("DELETE FROM memberships WHERE room_id = %s AND user_id = %s", (room_id, bob.uid))
    message_id = _post(bob, room_id, "I should not be here")

    eventually(lambda: admin_db.document(f"quarantine/{room_id}_{message_id}").get().exists)
    assert not admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().exists
    eventually(lambda: not admin_db.document(f"rooms/{room_id}/members/{bob.uid}").get().exists)


def test_a_burst_leaves_the_newest_message_in_the_summary(person, admin_db):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Busy"})["roomId"]
    room_written_at = admin_db.document(f"rooms/{room_id}").get().update_time
    ids = [_post(alice, room_id, f"message {i}") for i in range(8)]
    newest = max(
        (admin_db.document(f"rooms/{room_id}/messages/{i}").get() for i in ids),
        key=lambda snap: snap.get("createdAt"),
    ).id
    eventually(
        lambda: (
            (admin_db.document(f"roomActivity/{room_id}").get().to_dict() or {})
            .get("lastMessage", {})
            .get("id")
            == newest
        ),
        timeout=20,
    )
    # The room document, which members listen to while the room is open, is left alone: a
    # busy room sends them its messages, not a summary every second too.
    assert admin_db.document(f"rooms/{room_id}").get().update_time == room_written_at


def test_trigger_work_is_idempotent(person, admin_db, functions_host, functions_env):
    """Deliver the same message twice (as at-least-once delivery may): one notification
    document, one push."""
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})  # no device, no push
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    message_id = _post(alice, room_id, "only once please")
    eventually(lambda: _pushes(functions_host, message_id))
    message = admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().to_dict()

    from chat import messages  # the functions' own code, run again in this process

    assert messages.on_message_created(room_id, message_id, message) == "delivered"
    notes = admin_db.collection(f"users/{bob.uid}/notifications").get()
    assert [n.id for n in notes] == [f"{room_id}_{message_id}"]
    assert len(_pushes(functions_host, message_id)) == 1


def test_presence_is_mirrored_from_the_realtime_database(person, admin_db, db, functions_host):
    alice = person("alice")
    base = f"{functions_host.url('database')}/status/{alice.uid}"
    params = {"ns": f"{functions_host.project}-default-rtdb"}
    headers = {"Authorization": "Bearer owner"}
    now = int(time.time() * 1000)
    httpx.put(
        f"{base}/c1.json",
        params=params,
        headers=headers,
        json={"state": "online", "lastChanged": now},
    ).raise_for_status()

    def presence():
        data = admin_db.document(f"users/{alice.uid}").get().to_dict() or {}
        return data.get("presence")

    assert eventually(lambda: (presence() or {}).get("state") == "online")
    row = eventually(
        lambda: db.execute("SELECT state FROM presence WHERE user_id = %s", (alice.uid,)).fetchone()
    )
    assert row["state"] == "online"

    # A second connection goes away; one online connection keeps the person online.
    httpx.put(
        f"{base}/c2.json",
        params=params,
        headers=headers,
        json={"state": "away", "lastChanged": now + 1},
    ).raise_for_status()
    httpx.delete(f"{base}/c1.json", params=params, headers=headers).raise_for_status()
    assert eventually(lambda: (presence() or {}).get("state") == "away")
    httpx.delete(f"{base}/c2.json", params=params, headers=headers).raise_for_status()
    assert eventually(lambda: (presence() or {}).get("state") == "offline")


def test_presence_skips_stale_and_repeated_events(person, admin_db, functions_env):
    alice = person("alice")
    from datetime import UTC, datetime, timedelta

    from chat import presence

    now = datetime.now(UTC)
    offline, online = {}, {"c1": {"state": "online", "lastChanged": 1}}
    assert presence.on_status_written(alice.uid, offline, now) is True
    assert presence.on_status_written(alice.uid, offline, now) is False  # delivered twice
    assert presence.on_status_written(alice.uid, online, now - timedelta(seconds=1)) is False
    stored = admin_db.document(f"users/{alice.uid}").get().get("presence")
    assert stored["state"] == "offline"
    assert presence.on_status_written("not-a-user", online, now) is False


def test_fold_prefers_online_then_away():
    from chat.presence import fold

    assert fold({"a": {"state": "away"}, "b": {"state": "online"}}) == "online"
    assert fold({"a": {"state": "away"}, "b": {"state": "offline"}}) == "away"
    assert fold({"a": {"state": "offline"}}) == "offline"
    assert fold(None) == fold({}) == fold("junk") == "offline"


def test_the_mirror_converges_after_firestore_was_unreachable(
    person, admin_db, db, functions_host, tmp_path
):
    """A membership change commits in PostgreSQL while Firestore cannot be reached (a
    second functions host whose Firestore address is dead): the outbox keeps it, and the
    scheduled applyOutbox brings Firestore to the same state, idempotently."""
    alice = person("alice")
    room_id = create_room_while_firestore_is_down(alice, tmp_path, "Offline")
    pending = db.execute(
        "SELECT attempts, last_error FROM outbox WHERE subject_id = %s AND applied_at IS NULL",
        (room_id,),
    ).fetchall()
    assert pending and pending[0]["attempts"] == 1 and pending[0]["last_error"]
    assert not admin_db.document(f"rooms/{room_id}").get().exists

    run = httpx.post(functions_host.functions_url("applyOutbox"), timeout=60)
    assert run.status_code == 200, run.text
    assert admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().get("role") == "owner"
    assert pending_outbox_rows(db, room_id) == 0
    _post(alice, room_id, "back online")

    # Applying the same rows again changes nothing.
    before = admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().to_dict()
    db.execute("UPDATE outbox SET applied_at = NULL WHERE subject_id = %s", (room_id,))
    assert httpx.post(functions_host.functions_url("applyOutbox"), timeout=60).status_code == 200
    assert admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().to_dict() == before


def test_profile_changes_reach_the_public_profile(person, admin_db, api):
    alice = person("alice")
    bio = f"bio {uuid.uuid4().hex[:6]}"
    api.post(
        "/updateProfile",
        json={"bio": f"  {bio}  ", "displayName": "Alice Liddell"},
        headers={"Authorization": f"Bearer {alice.access_token}"},
    ).raise_for_status()
    profile = admin_db.document(f"users/{alice.uid}").get().to_dict()
    assert (profile["bio"], profile["displayName"], profile["username"]) == (
        bio,
        "Alice Liddell",
        alice.username,
    )


def test_a_message_sent_just_before_a_block_is_delivered(person, admin_db, functions_env):
    """The trigger judges a message by the sender's standing when it was sent: a block that
    lands before the trigger runs does not turn an allowed message into a quarantined one."""
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    message_id = _post(alice, room_id, "sent before the block")
    message = admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().to_dict()
    bob.ok("blockUser", {"userId": alice.uid})

    from chat import messages

    assert messages.on_message_created(room_id, message_id, message) == "delivered"
    assert admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().exists
