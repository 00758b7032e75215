"""Delivers Firestore and Realtime Database writes to the functions' triggers, as
CloudEvents encoded as production encodes them, after the commit, at least once.

A failed delivery is retried with backoff (the same event id each time), as Eventarc
retries. Each function has its own queue and workers; a queue holds at most
``QUEUE_LIMIT`` events before the writers are held back (``wait_for_room``, which the
Firestore engine calls after a write, outside its lock), so a backlog stays bounded and
nothing is dropped. The emulator prints each queue's depth and lag while it is not empty.

At shutdown the publishers outlive the dispatcher (a trigger's own Firestore write is
published while the pools drain), so ``close`` first stops taking events, under the same
lock ``_submit`` takes, and only then waits for the deliveries under way. With a data
directory, a ``DeliveryJournal`` keeps the events not delivered yet (those that arrive
while stopping included) for the next start.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent
from google.events.cloud import firestore as firestore_events

from emulators.events import DatabaseWrite, FirestoreWrite
from emulators.functions.paths import PathPattern
from emulators.functions.persistence import DeliveryJournal

log = logging.getLogger(__name__)

FIRESTORE_PREFIX = "google.cloud.firestore.document.v1."
DATABASE_PREFIX = "google.firebase.database.ref.v1."
RETRY_DELAYS = (0.2, 1.0, 3.0)
# Events waiting per function before writers are held back. A writer is never held longer
# than HOLD_SECONDS (a stuck function must not stop the database). The bound is also the
# lag: at the ~90 messages/s the message trigger completes locally, 64 waiting events are
# about 0.7 s (256 gave 2.8 s median notification lag in benchmarks/pipeline_load.py).
QUEUE_LIMIT = 64
HOLD_SECONDS = 30.0

_worker = threading.local()  # .delivering is set on the dispatcher's own threads


def _mark_worker() -> None:
    _worker.delivering = True


@dataclass(frozen=True)
class QueueStats:
    function: str
    depth: int  # events waiting for a worker
    oldest_seconds: float  # how long the oldest waiting event has waited
    max_lag_seconds: float  # longest wait of an event started since the last stats()
    started: int  # events started since the last stats()


class DeliveryQueue:
    """One function's pending deliveries and the workers that run them."""

    def __init__(self, name: str, workers: int, limit: int) -> None:
        self.name = name
        self.limit = limit
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=name, initializer=_mark_worker
        )
        self._waiting: deque[float] = deque()  # enqueue times, oldest first
        self._changed = threading.Condition()
        self._closed = False
        self._max_lag = 0.0
        self._started = 0

    @property
    def depth(self) -> int:
        return len(self._waiting)

    def put(self, deliver: Callable[..., None], *args: Any) -> None:
        with self._changed:
            self._waiting.append(time.monotonic())
        self._pool.submit(self._run, deliver, args)

    def _run(self, deliver: Callable[..., None], args: tuple) -> None:
        with self._changed:
            lag = time.monotonic() - self._waiting.popleft()
            self._max_lag = max(self._max_lag, lag)
            self._started += 1
            self._changed.notify_all()
        deliver(*args)

    def wait_for_room(self, timeout: float) -> bool:
        """Waits until fewer than ``limit`` events wait; False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._closed or len(self._waiting) < self.limit, timeout
            )

    def stats(self) -> QueueStats:
        with self._changed:
            oldest = time.monotonic() - self._waiting[0] if self._waiting else 0.0
            stats = QueueStats(self.name, len(self._waiting), oldest, self._max_lag, self._started)
            self._max_lag, self._started = 0.0, 0
        return stats

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._pool.shutdown(wait=True, cancel_futures=False)


@dataclass(frozen=True)
class Trigger:
    name: str
    function: Callable[[CloudEvent], Any]
    event_type: str
    pattern: PathPattern

    @property
    def action(self) -> str:
        """created, updated, deleted or written."""
        return self.event_type.rsplit(".", 1)[-1].removesuffix(".withAuthContext")


def event_triggers(functions: dict[str, Any]) -> list[Trigger]:
    found = []
    for name, function in functions.items():
        trigger = function.__firebase_endpoint__.eventTrigger
        if not trigger:
            continue
        event_type = trigger["eventType"]
        patterns = trigger.get("eventFilterPathPatterns", {})
        filters = trigger.get("eventFilters", {})
        pattern = (
            patterns.get("document")
            or filters.get("document")
            or patterns.get("ref")
            or filters.get("ref")
        )
        if event_type.startswith((FIRESTORE_PREFIX, DATABASE_PREFIX)) and pattern:
            found.append(Trigger(name, function, event_type, PathPattern.parse(pattern)))
        else:
            log.warning("%s: %s triggers are not emulated", name, event_type)
    return found


class Dispatcher:
    def __init__(
        self,
        triggers: list[Trigger],
        project: str,
        workers: int = 8,
        journal: DeliveryJournal | None = None,
        queue_limit: int = QUEUE_LIMIT,
    ) -> None:
        self.journal = journal
        self.firestore = [t for t in triggers if t.event_type.startswith(FIRESTORE_PREFIX)]
        self.database = [t for t in triggers if t.event_type.startswith(DATABASE_PREFIX)]
        self.project = project
        # Each function gets its own workers, as each deployed function scales on its own
        # instances: a slow trigger never holds up another one.
        self._queues = {
            trigger.name: DeliveryQueue(trigger.name, workers, queue_limit) for trigger in triggers
        }
        self._recent: dict[tuple[str, int, str], None] = {}
        self._closed = threading.Event()
        self._submitting = threading.Lock()

    def close(self) -> None:
        """Stops taking events, then waits for the deliveries already queued (which stop
        retrying)."""
        with self._submitting:
            self._closed.set()
        for queue in self._queues.values():
            queue.close()

    def wait_for_room(self) -> None:
        """Holds a writer back while a function's queue is full (backpressure). Call it
        after a write, with no lock held. The dispatcher's own threads (a trigger writing)
        never wait: a function waiting for its own queue to drain would never finish."""
        if getattr(_worker, "delivering", False):
            return
        for queue in self._queues.values():
            if not queue.wait_for_room(HOLD_SECONDS):
                log.warning(
                    "%s: %d events still queued after holding a writer %.0f s; letting it go",
                    queue.name,
                    queue.depth,
                    HOLD_SECONDS,
                )

    def stats(self) -> list[QueueStats]:
        return [queue.stats() for queue in self._queues.values()]

    def redeliver(self) -> int:
        """Queues the events the journal kept from an earlier run; returns how many."""
        if self.journal is None:
            return 0
        triggers = {trigger.name: trigger for trigger in self.firestore + self.database}
        pending = self.journal.pending()
        for item in pending:
            trigger = triggers.get(item.trigger)
            if trigger is None:  # the function is gone from main.py
                self.journal.finished(item.trigger, item.event)
            else:
                self._submit(trigger, item.event)
        return len(pending)

    def on_firestore_write(self, write: FirestoreWrite) -> None:
        action = _action(write.before, write.after)
        data = None  # the same for every trigger of the write: encoded once
        for trigger in self.firestore:
            if trigger.action not in (action, "written"):
                continue
            if trigger.pattern.match(write.document) is None:
                continue
            if data is None:
                data = _document_event_data(write)
            self._submit(trigger, self._firestore_event(trigger, write, data))

    def on_database_write(self, write: DatabaseWrite) -> None:
        for trigger in self.database:
            for ref, before, after in _database_changes(trigger.pattern, write):
                # A multi-path update reports each path; a location fires once per operation.
                key = (trigger.name, write.operation_id, ref)
                if key in self._recent:
                    continue
                self._recent[key] = None
                while len(self._recent) > 1000:
                    self._recent.pop(next(iter(self._recent)))
                action = _action(before, after)
                if trigger.action in (action, "written"):
                    self._submit(trigger, self._database_event(trigger, write, ref, before, after))

    def _submit(self, trigger: Trigger, event: CloudEvent) -> None:
        if self.journal is not None:
            self.journal.queued(trigger.name, event)
        with self._submitting:
            if self._closed.is_set():
                log.info(
                    "%s: event %s not delivered, the emulator is stopping%s",
                    trigger.name,
                    event["id"],
                    "; kept for the next start" if self.journal is not None else "",
                )
                return
            self._queues[trigger.name].put(self._deliver, trigger, event)

    def _deliver(self, trigger: Trigger, event: CloudEvent) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            if attempt and self._closed.wait(delay):
                log.warning(
                    "%s: event %s not retried, the emulator is stopping",
                    trigger.name,
                    event["id"],
                )
                return
            try:
                trigger.function(event)
                break
            except Exception:
                log.exception(
                    "%s failed on event %s (attempt %d)", trigger.name, event["id"], attempt + 1
                )
        else:
            log.error("%s gave up on event %s", trigger.name, event["id"])
        if self.journal is not None:
            self.journal.finished(trigger.name, event)

    def _firestore_event(
        self, trigger: Trigger, write: FirestoreWrite, data: bytes | None = None
    ) -> CloudEvent:
        if data is None:
            data = _document_event_data(write)
        attributes = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": (
                f"//firestore.googleapis.com/projects/{write.project}/databases/{write.database}"
            ),
            "type": trigger.event_type,
            "time": write.commit_time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/protobuf",
            "subject": f"documents/{write.document}",
            "location": "us-central1",
            "project": write.project,
            "namespace": "(default)",
            "database": write.database,
            "document": write.document,
        }
        if trigger.event_type.endswith(".withAuthContext"):
            attributes["authtype"] = "unauthenticated" if write.auth_uid is None else "api_key"
            attributes["authid"] = write.auth_uid or ""
        return CloudEvent(attributes, data)

    def _database_event(
        self, trigger: Trigger, write: DatabaseWrite, ref: str, before: Any, after: Any
    ) -> CloudEvent:
        attributes = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": (
                "//firebasedatabase.googleapis.com/projects/_/locations/us-central1"
                f"/instances/{write.instance}"
            ),
            "type": trigger.event_type,
            "time": write.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "subject": f"refs/{ref}",
            "location": "us-central1",
            "firebasedatabasehost": "firebaseio.com",
            "instance": write.instance,
            "ref": ref,
            "authtype": "unauthenticated" if write.auth_uid is None else "user",
            "authid": write.auth_uid or "",
        }
        # Production sends the old value as "data" and the change as "delta", which the SDK
        # merges onto it: removed children appear in the delta as nulls.
        return CloudEvent(attributes, {"data": before, "delta": _delta(before, after)})


def _action(before: Any, after: Any) -> str:
    """created, updated or deleted: the same rule for a document and a database location."""
    if before is None:
        return "created"
    return "deleted" if after is None else "updated"


# The protobuf class under google-events' proto-plus wrapper: building the event data with
# it costs a fifth of what the wrapper did (about 200 us per event here).
_DOCUMENT_EVENT_DATA = firestore_events.DocumentEventData.pb()


def _document_event_data(write: FirestoreWrite) -> bytes:
    """The event's data: google.events.cloud.firestore.v1.DocumentEventData, serialized."""
    data = _DOCUMENT_EVENT_DATA()
    # google.firestore.v1.Document and the event's Document share one wire format.
    if write.after is not None:
        data.value.MergeFromString(write.after.SerializeToString())
    if write.before is not None:
        data.old_value.MergeFromString(write.before.SerializeToString())
    if write.before is not None and write.after is not None:
        data.update_mask.SetInParent()  # present on every update, even one changing nothing
        data.update_mask.field_paths.extend(_changed_fields(write.before, write.after))
    return data.SerializeToString()


def _changed_fields(before: Any, after: Any) -> list[str]:
    keys = set(before.fields) | set(after.fields)
    return sorted(
        k
        for k in keys
        if k not in before.fields or k not in after.fields or before.fields[k] != after.fields[k]
    )


def _database_changes(pattern: PathPattern, write: DatabaseWrite) -> list[tuple[str, Any, Any]]:
    """(ref, before, after) for each location matching ``pattern`` that the write changed."""
    parts = [p for p in write.path.split("/") if p]
    depth = len(parts) if pattern.depth < 0 else pattern.depth
    if len(parts) >= depth:
        candidates = [parts[:depth]]
    else:  # the write is above the trigger's locations: each changed child location fires
        candidates = [
            [*parts, *rest]
            for rest in _paths_at_depth(write.before, write.after, depth - len(parts))
        ]
    changes = []
    for segments in candidates:
        ref = "/".join(segments)
        if pattern.match(ref) is None:
            continue
        before, after = write.read_before(ref), write.read_after(ref)
        if before != after:
            changes.append((ref, before, after))
    return changes


def _delta(before: Any, after: Any) -> Any:
    if isinstance(before, dict) and isinstance(after, dict):
        return {
            key: _delta(before.get(key), after.get(key)) for key in before.keys() | after.keys()
        }
    return after


def _at(tree: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(tree, dict):
            return None
        tree = tree.get(part)
    return tree


def _paths_at_depth(before: Any, after: Any, depth: int) -> list[list[str]]:
    if depth == 0:
        return [[]]
    keys = set(before if isinstance(before, dict) else {}) | set(
        after if isinstance(after, dict) else {}
    )
    return [
        [key, *rest]
        for key in sorted(keys)
        for rest in _paths_at_depth(_at(before, [key]), _at(after, [key]), depth - 1)
    ]
