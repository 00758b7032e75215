"""registerDeviceToken / unregisterDeviceToken: the FCM tokens a person's pushes go to. The
pushes are the ones the emulator's notifier records (FCM itself cannot be reached here)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from google.cloud import firestore

from tests.support.firebase import eventually


def _post(person, room_id: str, text: str) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )
    return ref.id


def _pushes(host, message_id: str) -> list[dict]:
    path = Path(host.env["PUSH_LOG_PATH"])
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [push for push in lines if push["data"].get("messageId") == message_id]


def test_an_unregistered_token_gets_no_more_pushes(person, functions_host):
    alice, bob = person("alice"), person("bob")
    token = f"fcm-token-{uuid.uuid4().hex}"
    bob.ok("registerDeviceToken", {"token": token})
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]

    first = _post(alice, room_id, "before log-out")
    pushes = eventually(lambda: _pushes(functions_host, first))
    assert [p["tokens"] for p in pushes] == [[token]]

    assert bob.ok("unregisterDeviceToken", {"token": token}) == {"removed": True}
    # Again: nothing left to remove, and still no error (a second tab logging out).
    assert bob.ok("unregisterDeviceToken", {"token": token}) == {"removed": False}

    second = _post(alice, room_id, "after log-out")
    # The trigger has run once bob's notification exists (the same run records pushes).
    note = f"users/{bob.uid}/notifications/{room_id}_{second}"
    eventually(lambda: bob.db.document(note).get().exists)
    time.sleep(0.3)
    # A push with no tokens is not sent, or is recorded with none: either way, not to `token`.
    assert all(token not in p["tokens"] for p in _pushes(functions_host, second))


def test_only_the_owner_can_unregister_a_token(person):
    bob, mallory = person("bob"), person("mallory")
    token = f"fcm-token-{uuid.uuid4().hex}"
    bob.ok("registerDeviceToken", {"token": token})
    assert mallory.ok("unregisterDeviceToken", {"token": token}) == {"removed": False}
    assert bob.ok("unregisterDeviceToken", {"token": token}) == {"removed": True}


def test_bad_input_is_refused(person):
    bob = person("bob")
    for data in ({}, {"token": ""}, {"token": 5}, {"token": "t", "extra": 1}):
        response = bob.call("unregisterDeviceToken", data)
        assert response.status_code == 400, (data, response.text)
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
