"""The HTTP side of the port, the async client, and error codes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tests.emulators.firestore.support import PROJECT, clear_all


def test_http_and_grpc_share_the_port(http, db, col):
    assert http.get("/").text == "Ok"
    col.document("a").set({"a": 1})  # gRPC through the same host:port
    assert col.document("a").get().exists


def test_clear_endpoint_deletes_everything(http, db):
    db.document("cleared/a").set({"a": 1})
    db.document("cleared/a/sub/b").set({"b": 1})
    clear_all(http)
    assert not db.document("cleared/a").get().exists
    assert not db.document("cleared/a/sub/b").get().exists
    assert list(db.collections()) == []


def test_usage_counts_reads_writes_deletes_and_listener_reads(http, db):
    clear_all(http)
    url = f"/emulator/v1/projects/{PROJECT}:usage"
    assert http.delete(url).status_code == 200
    col = db.collection(f"u{uuid.uuid4().hex[:8]}")
    col.document("a").set({"n": 1})
    col.document("b").set({"n": 2})
    col.document("a").get()
    list(col.stream())  # 2 reads
    col.document("b").delete()
    seen = []
    watch = col.on_snapshot(lambda docs, changes, read_time: seen.append(len(changes)))
    try:
        for _ in range(100):
            if seen:
                break
            asyncio.run(asyncio.sleep(0.05))
    finally:
        watch.unsubscribe()
    usage = http.get(url).json()
    assert usage == {"reads": 3, "writes": 2, "deletes": 1, "listener_reads": 1}
    http.delete(url)
    assert http.get(url).json() == {"reads": 0, "writes": 0, "deletes": 0, "listener_reads": 0}


async def test_async_client_documents_queries_transactions(async_db):
    col = async_db.collection(f"async{uuid.uuid4().hex[:8]}")
    await col.document("a").set({"n": 1, "tags": ["x"]})
    await col.document("b").set({"n": 2})
    await col.document("a").update({"n": firestore.Increment(10)})
    snap = await col.document("a").get()
    assert snap.to_dict() == {"n": 11, "tags": ["x"]}
    found = [s.id async for s in col.where(filter=FieldFilter("n", ">", 5)).stream()]
    assert found == ["a"]
    (count,) = await col.count().get()
    assert count[0].value == 2

    @firestore.async_transactional
    async def bump(transaction, ref):
        current = await ref.get(transaction=transaction)
        transaction.update(ref, {"n": current.get("n") + 1})

    ref = col.document("b")
    await asyncio.gather(*(bump(async_db.transaction(), ref) for _ in range(5)))
    assert (await ref.get()).get("n") == 7
    batch = async_db.batch()
    batch.set(col.document("c"), {"n": 3})
    batch.delete(col.document("b"))
    await batch.commit()
    refs = [col.document("a"), col.document("b"), col.document("c")]
    exists = {snap.id: snap.exists async for snap in async_db.get_all(refs)}
    assert exists == {"a": True, "b": False, "c": True}
    group = [s.id async for s in async_db.collection_group(col.id).stream()]
    assert sorted(group) == ["a", "c"]
    await col.document("c").delete()
    assert not (await col.document("c").get()).exists
    with pytest.raises(exceptions.AlreadyExists):
        await col.document("a").create({"n": 0})
    with pytest.raises(exceptions.NotFound):
        await col.document("zzz").update({"n": 0})


def _raw_get(db, name: str):
    return db._firestore_api.get_document(request={"name": name}, metadata=db._rpc_metadata)


@pytest.mark.parametrize(
    "name",
    [
        "projects/{p}/databases/(default)/documents/only-a-collection",
        "projects/{p}/databases/(default)/documents/a//b",
        "projects/{p}/databases/(default)/documents/__reserved__/x",
        "projects/{p}/databases/(default)/nowhere/a/b",
    ],
)
def test_invalid_document_names_are_invalid_argument(db, name):
    with pytest.raises(exceptions.InvalidArgument):
        _raw_get(db, name.format(p=PROJECT))


def test_get_document_missing_is_not_found(db):
    with pytest.raises(exceptions.NotFound):
        _raw_get(db, f"projects/{PROJECT}/databases/(default)/documents/none/here")


def test_reserved_field_names_are_invalid_argument(col):
    with pytest.raises(exceptions.InvalidArgument):
        col.document("a").set({"__bad__": 1})


def test_invalid_field_path_in_query_is_invalid_argument(col):
    with pytest.raises(exceptions.InvalidArgument):
        list(
            col._client._firestore_api.run_query(
                request={
                    "parent": f"{col._client._database_string}/documents",
                    "structured_query": {
                        "from_": [{"collection_id": col.id}],
                        "order_by": [{"field": {"field_path": "a..b"}}],
                    },
                },
                metadata=col._client._rpc_metadata,
            )
        )


def test_export_and_import_round_trip(http, db, tmp_path):
    clear_all(http)
    db.document("kept/a").set({"n": 1, "m": {"x": [1, 2]}})
    db.document("kept/a/sub/b").set({"t": firestore.SERVER_TIMESTAMP})
    before = {
        snap.id: snap for snap in db.get_all([db.document("kept/a"), db.document("kept/a/sub/b")])
    }
    body = {"database": "(default)", "export_directory": str(tmp_path)}
    exported = http.post(f"/emulator/v1/projects/{PROJECT}:export", json=body)
    assert exported.status_code == 200, exported.text
    clear_all(http)
    assert not db.document("kept/a").get().exists
    imported = http.post(f"/emulator/v1/projects/{PROJECT}:import", json=body)
    assert imported.json() == {"documents": 2}
    after = db.document("kept/a").get()
    assert after.to_dict() == {"n": 1, "m": {"x": [1, 2]}}
    assert after.update_time == before["a"].update_time
    assert db.document("kept/a/sub/b").get().get("t") == before["b"].get("t")


def test_commit_observer_sees_each_commit_in_order():
    """In-process: the hook the functions host uses for Firestore triggers."""
    from emulators.firestore import protos
    from emulators.firestore.engine import FirestoreEngine
    from emulators.firestore.security import ADMIN

    engine = FirestoreEngine(None, project="demo-flowchat-test")
    seen = []
    engine.add_commit_observer(
        lambda database, changes, commit_us: seen.append(
            (database, [(p, b is not None, a is not None) for p, b, a in changes], commit_us)
        )
    )
    database = "projects/p/databases/(default)"
    name = f"{database}/documents/rooms/r1"
    create = protos.CommitRequest(database=database)
    create.writes.add().update.name = name
    engine.commit(create, ADMIN)
    delete = protos.CommitRequest(database=database)
    delete.writes.add().delete = name
    engine.commit(delete, ADMIN)
    engine.commit(delete, ADMIN)  # deleting nothing changes nothing: no event
    assert [changes for _, changes, _ in seen] == [
        [("rooms/r1", False, True)],
        [("rooms/r1", True, False)],
    ]
    assert seen[0][2] < seen[1][2]


def test_a_failing_subscriber_neither_undoes_a_commit_nor_starves_the_others(caplog):
    """In-process: commits reach every subscriber in order even when one raises; a Listen
    session whose delivery fails loses its targets (INTERNAL), the others carry on."""
    from emulators.firestore import protos
    from emulators.firestore.engine import FirestoreEngine
    from emulators.firestore.errors import Code
    from emulators.firestore.listen import Listeners
    from emulators.firestore.security import ADMIN

    engine = FirestoreEngine(None, project="demo-flowchat-test")
    listeners = Listeners(engine)
    database = "projects/p/databases/(default)"

    def listen(send):
        session = listeners.open(ADMIN, send)
        request = protos.ListenRequest(database=database)
        request.add_target.target_id = 1
        request.add_target.query.parent = f"{database}/documents"
        request.add_target.query.structured_query.from_.add(collection_id="rooms")
        session.handle(request)

    def failing_send(message):
        broken.append(message)
        if message.HasField("document_change"):
            raise RuntimeError("the stream is gone")

    healthy, broken = [], []
    listen(failing_send)
    listen(healthy.append)
    engine.add_commit_observer(lambda database, changes, commit_us: 1 / 0)
    later = []
    engine.add_commit_observer(lambda database, changes, commit_us: later.append(changes))

    create = protos.CommitRequest(database=database)
    create.writes.add().update.name = f"{database}/documents/rooms/r1"
    engine.commit(create, ADMIN)

    assert engine.store(database).get("rooms/r1") is not None
    assert [[path for path, _, _ in changes] for changes in later] == [["rooms/r1"]]
    delivered = [m.document_change.document.name for m in healthy if m.HasField("document_change")]
    assert delivered == [f"{database}/documents/rooms/r1"]
    removed = broken[-1].target_change
    assert (removed.target_change_type, list(removed.target_ids)) == (
        protos.TargetChange.TargetChangeType.REMOVE,
        [1],
    )
    assert removed.cause.code == Code.INTERNAL
    assert "Firestore commit observer failed" in caplog.text
