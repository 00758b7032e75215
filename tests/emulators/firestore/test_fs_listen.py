"""Listeners through on_snapshot and the raw Listen protocol (firestore.proto ListenResponse)."""

from __future__ import annotations

import queue

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.types import firestore as firestore_types

from tests.emulators.firestore.support import RawListen

TIMEOUT = 10


class Recorder:
    def __init__(self) -> None:
        self.snapshots: queue.Queue = queue.Queue()

    def __call__(self, docs, changes, read_time) -> None:
        self.snapshots.put(
            (
                [doc.id for doc in docs],
                [(change.type.name, change.document.id) for change in changes],
                read_time,
            )
        )

    def next(self):
        return self.snapshots.get(timeout=TIMEOUT)


def test_query_listener_added_modified_removed_in_order(col):
    col.document("a").set({"n": 1})
    recorder = Recorder()
    watch = col.where(filter=FieldFilter("n", ">", 0)).on_snapshot(recorder)
    try:
        docs, changes, first_time = recorder.next()
        assert docs == ["a"] and changes == [("ADDED", "a")]
        col.document("b").set({"n": 2})
        docs, changes, second_time = recorder.next()
        assert docs == ["a", "b"] and changes == [("ADDED", "b")]
        assert second_time > first_time
        col.document("a").update({"n": 5})
        docs, changes, _ = recorder.next()
        # the Python client orders a listener's documents by explicit orderings only
        assert sorted(docs) == ["a", "b"] and changes == [("MODIFIED", "a")]
        col.document("b").update({"n": -1})  # leaves the query
        assert recorder.next()[1] == [("REMOVED", "b")]
        col.document("a").delete()
        docs, changes, _ = recorder.next()
        assert docs == [] and changes == [("REMOVED", "a")]
        col.document("zzz").set({"n": 0})  # never matches: no snapshot
        col.document("c").set({"n": 3})
        assert recorder.next()[1] == [("ADDED", "c")]
    finally:
        watch.unsubscribe()


def test_document_listener(col):
    ref = col.document("doc")
    seen: queue.Queue = queue.Queue()
    watch = ref.on_snapshot(lambda snaps, changes, read_time: seen.put(snaps[0] if snaps else None))
    try:
        first = seen.get(timeout=TIMEOUT)
        assert first is None or not first.exists
        ref.set({"v": 1})
        assert seen.get(timeout=TIMEOUT).to_dict() == {"v": 1}
        ref.update({"v": 2})
        assert seen.get(timeout=TIMEOUT).to_dict() == {"v": 2}
        ref.delete()
        gone = seen.get(timeout=TIMEOUT)
        assert gone is None or not gone.exists
    finally:
        watch.unsubscribe()


def test_commit_of_several_documents_is_one_snapshot(db, col):
    recorder = Recorder()
    watch = col.on_snapshot(recorder)
    try:
        assert recorder.next()[0] == []
        batch = db.batch()
        for key in ("x", "y", "z"):
            batch.set(col.document(key), {"v": key})
        batch.commit()
        docs, changes, _ = recorder.next()
        assert docs == ["x", "y", "z"]
        assert sorted(changes) == [("ADDED", "x"), ("ADDED", "y"), ("ADDED", "z")]
    finally:
        watch.unsubscribe()


def test_limit_listener_backfills(col):
    for i in range(4):
        col.document(f"d{i}").set({"n": i})
    recorder = Recorder()
    watch = col.order_by("n").limit(2).on_snapshot(recorder)
    try:
        assert recorder.next()[0] == ["d0", "d1"]
        col.document("d0").delete()
        docs, changes, _ = recorder.next()
        assert docs == ["d1", "d2"]
        assert sorted(changes) == [("ADDED", "d2"), ("REMOVED", "d0")]
    finally:
        watch.unsubscribe()


def test_many_listeners_all_receive_each_commit(col):
    recorders = [Recorder() for _ in range(20)]
    watches = [col.on_snapshot(recorder) for recorder in recorders]
    try:
        for recorder in recorders:
            recorder.next()
        for i in range(3):
            col.document(f"d{i}").set({"i": i})
        for recorder in recorders:
            got = [recorder.next()[1] for _ in range(3)]
            assert got == [[("ADDED", f"d{i}")] for i in range(3)]
    finally:
        for watch in watches:
            watch.unsubscribe()


def _kind(response) -> str:
    which = response.WhichOneof("response_type")
    if which == "target_change":
        name = firestore_types.TargetChange.TargetChangeType(
            response.target_change.target_change_type
        ).name
        return f"{name}{list(response.target_change.target_ids)}"
    return which


def test_listen_protocol_add_current_no_change_resume_and_remove(db, col):
    col.document("a").set({"n": 1})
    raw = RawListen(db)
    try:
        query = {
            "parent": f"{db._database_string}/documents",
            "structured_query": {"from_": [{"collection_id": col.id}]},
        }
        raw.send(add_target={"target_id": 7, "query": query})
        added = raw.next()
        assert _kind(added) == "ADD[7]"
        change = raw.next()
        assert _kind(change) == "document_change"
        assert list(change.document_change.target_ids) == [7]
        current = raw.next()
        assert _kind(current) == "CURRENT[7]" and current.target_change.resume_token
        consistent = raw.next()
        assert _kind(consistent) == "NO_CHANGE[]"
        assert consistent.target_change.read_time.seconds > 0
        token = consistent.target_change.resume_token

        col.document("a").delete()
        deleted = raw.next()
        assert _kind(deleted) == "document_delete"
        assert list(deleted.document_delete.removed_target_ids) == [7]
        after = raw.next()
        assert _kind(after) == "NO_CHANGE[]" and after.target_change.resume_token > token

        raw.send(remove_target=7)
        assert _kind(raw.next()) == "REMOVE[7]"
        col.document("b").set({"n": 2})  # target removed: nothing more arrives
        # Resuming sends only what changed since the token: b added, a deleted.
        raw.send(add_target={"target_id": 9, "query": query, "resume_token": token})
        resumed = [raw.next() for _ in range(5)]
        assert [_kind(r) for r in resumed] == [
            "ADD[9]",
            "document_change",
            "document_delete",
            "CURRENT[9]",
            "NO_CHANGE[]",
        ]
        assert resumed[1].document_change.document.name.endswith(f"/{col.id}/b")
        assert resumed[2].document_delete.document.endswith(f"/{col.id}/a")
        # A token older than the kept history (or not ours) starts over with RESET.
        stale = (1).to_bytes(8, "big")
        raw.send(add_target={"target_id": 11, "query": query, "resume_token": stale})
        kinds = [_kind(raw.next()) for _ in range(5)]
        assert kinds == ["ADD[11]", "RESET[11]", "document_change", "CURRENT[11]", "NO_CHANGE[]"]
    finally:
        raw.close()


def test_listen_invalid_target_is_removed_with_cause(db, col):
    raw = RawListen(db)
    try:
        bad = {
            "parent": f"{db._database_string}/documents",
            "structured_query": {
                "from_": [{"collection_id": col.id}],
                "where": {
                    "field_filter": {
                        "field": {"field_path": "x"},
                        "op": "IN",
                        "value": {"integer_value": 1},
                    }
                },
            },
        }
        raw.send(add_target={"target_id": 3, "query": bad})
        assert _kind(raw.next()) == "ADD[3]"
        removed = raw.next()
        assert _kind(removed) == "REMOVE[3]"
        assert removed.target_change.cause.code == 3  # INVALID_ARGUMENT
    finally:
        raw.close()
