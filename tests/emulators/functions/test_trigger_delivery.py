"""The functions host's dispatcher feeds a real ``firebase_functions`` trigger: the event
decodes as in production, and a failed delivery is retried with the same event id."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from firebase_functions import firestore_fn
from google.cloud.firestore_v1.types import document as document_types
from google.events.cloud import firestore as firestore_events

from emulators.events import FirestoreWrite
from emulators.functions.persistence import DeliveryJournal
from emulators.functions.triggers import Dispatcher, _document_event_data, event_triggers


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


def _created(path: str, text: str) -> FirestoreWrite:
    return FirestoreWrite(
        project="demo-dispatch",
        database="(default)",
        document=path,
        before=None,
        after=_document(path, text),
        commit_time=datetime.now(UTC),
    )


def test_events_not_delivered_before_a_stop_are_delivered_at_the_next_start(firebase_env, tmp_path):
    """With a data dir: an event still failing when the host stops, and one that arrives
    while it stops, reach the trigger at the next start, with their ids (a real SQLite
    journal, as the emulator keeps it)."""
    events = []
    failing = threading.Event()
    failing.set()
    delivered = threading.Event()

    @firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}")
    def on_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot]) -> None:
        events.append(event)
        if failing.is_set():
            raise RuntimeError("the function is down")
        if len({each.id for each in events}) == 2:
            delivered.set()

    triggers = event_triggers({"onCreated": on_created})
    journal = DeliveryJournal(tmp_path)
    first_run = Dispatcher(triggers, "demo-dispatch", journal=journal)
    first_run.on_firestore_write(_created("rooms/r1/messages/m1", "before the stop"))
    while not events:  # the first attempt failed; the next one waits in its backoff
        threading.Event().wait(0.01)
    first_run.close()
    first_run.on_firestore_write(_created("rooms/r1/messages/m2", "while stopping"))
    journal.close()
    failed_id = events[0].id

    failing.clear()
    journal = DeliveryJournal(tmp_path)
    second_run = Dispatcher(triggers, "demo-dispatch", journal=journal)
    try:
        assert second_run.redeliver() == 2
        assert delivered.wait(10)
    finally:
        second_run.close()
    assert journal.pending() == []
    journal.close()
    # One failed attempt before the stop, then each event once, the first with its own id.
    assert [event.data.to_dict()["text"] for event in events] == [
        "before the stop",
        "before the stop",
        "while stopping",
    ]
    assert events[1].id == failed_id


def _wrapped(document) -> firestore_events.Document | None:
    if document is None:
        return None
    return firestore_events.Document.deserialize(document.SerializeToString())


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        (None, _document("rooms/r1/messages/m1", "hi"), None),
        (
            _document("rooms/r1/messages/m1", "hi"),
            _document("rooms/r1/messages/m1", "edited"),
            ["text"],
        ),
        (_document("rooms/r1/messages/m1", "hi"), _document("rooms/r1/messages/m1", "hi"), []),
        (_document("rooms/r1/messages/m1", "hi"), None, None),
    ],
    ids=["created", "updated", "unchanged", "deleted"],
)
def test_the_event_data_is_the_document_event_data_google_events_serializes(before, after, changed):
    """The dispatcher builds the data with the protobuf class under google-events'
    proto-plus wrapper; the bytes are those the wrapper gives."""
    write = FirestoreWrite(
        project="demo-dispatch",
        database="(default)",
        document="rooms/r1/messages/m1",
        before=before,
        after=after,
        commit_time=datetime.now(UTC),
    )
    expected = firestore_events.DocumentEventData(value=_wrapped(after), old_value=_wrapped(before))
    if changed is not None:
        expected.update_mask = firestore_events.DocumentMask(field_paths=changed)
    assert _document_event_data(write) == firestore_events.DocumentEventData.serialize(expected)
