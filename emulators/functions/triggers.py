"""Delivers Firestore and Realtime Database writes to the functions' triggers, as
CloudEvents encoded as production encodes them, after the commit, at least once.

A failed delivery is retried with backoff (the same event id each time), as Eventarc
retries; the emulator's worker pool keeps the writers from waiting on the functions.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent
from google.events.cloud import firestore as firestore_events

from emulators.events import DatabaseWrite, FirestoreWrite
from emulators.functions.paths import PathPattern

log = logging.getLogger(__name__)

FIRESTORE_PREFIX = "google.cloud.firestore.document.v1."
DATABASE_PREFIX = "google.firebase.database.ref.v1."
RETRY_DELAYS = (0.2, 1.0, 3.0)


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
    def __init__(self, triggers: list[Trigger], project: str, workers: int = 8) -> None:
        self.firestore = [t for t in triggers if t.event_type.startswith(FIRESTORE_PREFIX)]
        self.database = [t for t in triggers if t.event_type.startswith(DATABASE_PREFIX)]
        self.project = project
        # Each function gets its own workers, as each deployed function scales on its own
        # instances: a slow trigger never holds up another one.
        self._pools = {
            trigger.name: ThreadPoolExecutor(max_workers=workers, thread_name_prefix=trigger.name)
            for trigger in triggers
        }
        self._recent: dict[tuple[str, int, str], None] = {}

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=False)

    def on_firestore_write(self, write: FirestoreWrite) -> None:
        action = _action(write.before, write.after)
        for trigger in self.firestore:
            if trigger.action not in (action, "written"):
                continue
            if trigger.pattern.match(write.document) is None:
                continue
            self._submit(trigger, self._firestore_event(trigger, write))

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
        self._pools[trigger.name].submit(self._deliver, trigger, event)

    def _deliver(self, trigger: Trigger, event: CloudEvent) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            time.sleep(delay)
            try:
                trigger.function(event)
                return
            except Exception:
                log.exception(
                    "%s failed on event %s (attempt %d)", trigger.name, event["id"], attempt + 1
                )
        log.error("%s gave up on event %s", trigger.name, event["id"])

    def _firestore_event(self, trigger: Trigger, write: FirestoreWrite) -> CloudEvent:
        data = firestore_events.DocumentEventData(
            value=_event_document(write.after),
            old_value=_event_document(write.before),
        )
        if write.before is not None and write.after is not None:
            data.update_mask = firestore_events.DocumentMask(
                field_paths=_changed_fields(write.before, write.after)
            )
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
        return CloudEvent(attributes, firestore_events.DocumentEventData.serialize(data))

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


def _event_document(document: Any) -> firestore_events.Document | None:
    if document is None:
        return None
    # google.firestore.v1.Document and the event's Document share one wire format.
    return firestore_events.Document.deserialize(document.SerializeToString())


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
