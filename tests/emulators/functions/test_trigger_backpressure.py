"""A function that falls behind holds the writers back instead of letting its queue grow:
a real Firestore engine, wired to a real dispatcher through the launcher's event bus as the
functions host wires them, and a real ``firebase_functions`` trigger that is stuck until
the test lets it go."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from firebase_functions import firestore_fn

from emulators.base import Hub
from emulators.config import Address, Config
from emulators.events import FirestoreWrite
from emulators.firestore import protos
from emulators.firestore.emulator import FirestoreEmulator
from emulators.firestore.security import Caller
from emulators.functions.triggers import Dispatcher, event_triggers

PROJECT = "demo-dispatch"
LIMIT = 5
WRITES = 30
CLIENT = Caller(admin=False, claims={"uid": "alice"})  # no rules file: every write allowed


def _commit(emulator: FirestoreEmulator, number: int, caller: Caller = CLIENT) -> None:
    root = f"projects/{PROJECT}/databases/(default)"
    name = f"{root}/documents/rooms/r1/messages/m{number}"
    write = protos.Write(update=protos.Document(name=name))
    emulator.engine.commit(protos.CommitRequest(database=root, writes=[write]), caller)


def _wired(trigger) -> tuple[FirestoreEmulator, Dispatcher]:
    """A Firestore engine and a dispatcher for ``trigger`` (one worker, LIMIT waiting),
    wired through the event bus as the functions host wires them."""
    hub = Hub(_config())
    firestore = FirestoreEmulator(hub.config, hub)
    dispatcher = Dispatcher(
        event_triggers({"onCreated": trigger}), PROJECT, workers=1, queue_limit=LIMIT
    )
    hub.events.subscribe(FirestoreWrite, dispatcher.on_firestore_write)
    hub.events.add_gate(dispatcher.wait_for_room)
    return firestore, dispatcher


def _config() -> Config:
    return Config(
        root=Path.cwd(),
        project=PROJECT,
        addresses={"firestore": Address("127.0.0.1", 9)},  # never served
        functions_source=Path.cwd(),
    )


def test_a_full_trigger_queue_holds_writers_back_and_loses_nothing(firebase_env):
    release = threading.Event()
    delivered: list[str] = []

    @firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}")
    def on_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot]) -> None:
        release.wait(30)
        delivered.append(event.params["messageId"])

    firestore, dispatcher = _wired(on_created)

    committed = []

    def writer() -> None:
        for number in range(WRITES):
            _commit(firestore, number)
            committed.append(number)

    thread = threading.Thread(target=writer, daemon=True)
    try:
        thread.start()
        depths = []
        for _ in range(20):
            time.sleep(0.05)
            depths.append(dispatcher.stats()[0].depth)
        # One event is with the stuck worker and LIMIT wait: the write that filled the
        # queue is applied, but its commit does not return until there is room again.
        assert max(depths) == LIMIT
        assert len(committed) == LIMIT
        assert thread.is_alive()

        release.set()
        thread.join(10)
        assert not thread.is_alive()
    finally:
        release.set()
        dispatcher.close()
    assert sorted(delivered) == sorted(f"m{number}" for number in range(WRITES))
    assert dispatcher.stats()[0].depth == 0


def test_admin_writes_are_never_held_back(firebase_env):
    """The functions write with admin credentials, over the network, from threads that are
    not the dispatcher's: holding them would stop the queue from draining."""
    release = threading.Event()

    @firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}")
    def on_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot]) -> None:
        release.wait(30)

    firestore, dispatcher = _wired(on_created)
    try:
        for number in range(LIMIT * 3):
            _commit(firestore, number, Caller(admin=True))  # returns at once
        assert dispatcher.stats()[0].depth > LIMIT  # past the bound: nothing waited
    finally:
        release.set()
        dispatcher.close()
