"""The functions host's dispatcher feeds a real ``firebase_functions`` trigger: the event
decodes as in production, and a failed delivery is retried with the same event id."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from firebase_functions import firestore_fn
from google.cloud.firestore_v1.types import document as document_types

from emulators.events import FirestoreWrite
from emulators.functions.triggers import Dispatcher, event_triggers


@pytest.fixture
def firebase_env(monkeypatch):
    monkeypatch.setenv("GCLOUD_PROJECT", "demo-dispatch")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # never dialled
    import firebase_admin

    app = firebase_admin.initialize_app(options={"projectId": "demo-dispatch"})
    yield
    firebase_admin.delete_app(app)


def _document(path: str, text: str):
    doc = document_types.Document(
        name=f"projects/demo-dispatch/databases/(default)/documents/{path}",
        fields={"text": {"string_value": text}},
    )
    doc.create_time = doc.update_time = datetime.now(UTC)
    return document_types.Document.pb(doc)


def test_a_failed_delivery_is_retried_with_the_same_event(firebase_env):
    events = []
    delivered = threading.Event()

    @firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}")
    def on_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot]) -> None:
        events.append(event)
        if len(events) == 1:
            raise RuntimeError("first delivery fails")
        delivered.set()

    dispatcher = Dispatcher(event_triggers({"onCreated": on_created}), "demo-dispatch")
    try:
        dispatcher.on_firestore_write(
            FirestoreWrite(
                project="demo-dispatch",
                database="(default)",
                document="rooms/r1/messages/m1",
                before=None,
                after=_document("rooms/r1/messages/m1", "hi"),
                commit_time=datetime.now(UTC),
            )
        )
        dispatcher.on_firestore_write(
            FirestoreWrite(  # an update: not a "created" event
                project="demo-dispatch",
                database="(default)",
                document="rooms/r1/messages/m1",
                before=_document("rooms/r1/messages/m1", "hi"),
                after=_document("rooms/r1/messages/m1", "edited"),
                commit_time=datetime.now(UTC),
            )
        )
        assert delivered.wait(10)
    finally:
        dispatcher.close()

    first, second = events
    assert first.id == second.id
    assert second.params == {"roomId": "r1", "messageId": "m1"}
    assert second.data.to_dict() == {"text": "hi"}
    assert second.document == "rooms/r1/messages/m1"
    assert len(events) == 2
