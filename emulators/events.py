"""Changes one emulator announces and another reacts to, within one launcher process.

The Firestore and Database emulators publish every committed write; the functions host
subscribes and delivers them to triggers as CloudEvents.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirestoreWrite:
    """One document changed by a commit. ``before``/``after`` are
    ``google.firestore.v1.Document`` protobuf messages (None when absent)."""

    project: str
    database: str  # "(default)"
    document: str  # relative path, "rooms/r1/messages/m1"
    before: Any | None
    after: Any | None
    commit_time: datetime
    auth_uid: str | None = None


@dataclass(frozen=True)
class DatabaseWrite:
    """A location changed by a Realtime Database write. ``before``/``after`` are the JSON
    values at ``path`` (None when absent); ``read_before(path)``/``read_after(path)`` give
    any location as it was just before and just after the operation. One operation (a
    multi-path update) yields several of these with the same ``operation_id``."""

    project: str
    instance: str  # "demo-flowchat-default-rtdb"
    path: str  # "status/uid/connection" (no leading slash; "" for the root)
    before: Any
    after: Any
    time: datetime
    operation_id: int
    read_before: Callable[[str], Any]
    read_after: Callable[[str], Any]
    auth_uid: str | None = None


Listener = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = {}
        self._lock = threading.Lock()
        self._gates: list[Callable[[], None]] = []

    def add_gate(self, gate: Callable[[], None]) -> None:
        """``gate()`` is called by writers after each write, with no lock held; a listener
        that has fallen behind blocks there (backpressure)."""
        with self._lock:
            self._gates.append(gate)

    def hold_writer(self) -> None:
        for gate in list(self._gates):
            gate()

    def subscribe(self, kind: type, listener: Listener) -> None:
        with self._lock:
            self._listeners.setdefault(kind, []).append(listener)

    def publish(self, event: Any) -> None:
        """Call the listeners in the publisher's thread; they must hand work off quickly."""
        for listener in list(self._listeners.get(type(event), ())):
            try:
                listener(event)
            except Exception:
                log.exception("listener for %s failed", type(event).__name__)

    def has_listeners(self, kind: type) -> bool:
        return bool(self._listeners.get(kind))
