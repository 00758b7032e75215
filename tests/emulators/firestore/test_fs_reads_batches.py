"""get_all, list_documents, collections, batched writes and BulkWriter."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import firestore


def test_get_all_with_missing_documents_and_field_paths(db, col):
    col.document("a").set({"x": 1, "y": 2})
    col.document("b").set({"x": 3})
    refs = [col.document("a"), col.document("missing"), col.document("b")]
    snaps = {snap.id: snap for snap in db.get_all(refs)}
    assert snaps["a"].to_dict() == {"x": 1, "y": 2}
    assert not snaps["missing"].exists
    assert snaps["b"].to_dict() == {"x": 3}
    (only,) = db.get_all([col.document("a")], field_paths=["y"])
    assert only.to_dict() == {"y": 2}


def test_get_all_answers_found_documents_before_missing_ones(db, col):
    # python-firestore's tests/system/test_system.py::test_get_all expects this order from
    # production (a, c found, then b missing); Google's emulator keeps request order.
    col.document("a").set({"n": 1})
    col.document("c").set({"n": 3})
    refs = [col.document("a"), col.document("b"), col.document("c")]
    snaps = list(db.get_all(refs))
    assert [(snap.id, snap.exists) for snap in snaps] == [("a", True), ("c", True), ("b", False)]


def test_list_documents_shows_missing_parents(db, col):
    col.document("real").set({"a": 1})
    col.document("ghost").collection("sub").document("child").set({"b": 1})
    col.document("deep").collection("s1").document("x").collection("s2").document("y").set({})
    listed = sorted(ref.id for ref in col.list_documents())
    assert listed == ["deep", "ghost", "real"]
    assert not col.document("ghost").get().exists
    paged = sorted(ref.id for ref in col.list_documents(page_size=1))
    assert paged == ["deep", "ghost", "real"]


def test_collections_lists_collection_ids(db, col):
    doc = col.document("parent")
    doc.collection("beta").document("x").set({})
    doc.collection("alpha").document("y").collection("deeper").document("z").set({})
    doc.collection("gamma").document("only").collection("nested").document("q").set({})
    assert sorted(c.id for c in doc.collections()) == ["alpha", "beta", "gamma"]
    assert col.id in [c.id for c in db.collections()]


def test_batch_of_500_writes_is_atomic(db, col):
    batch = db.batch()
    for i in range(500):
        batch.set(col.document(f"d{i:03}"), {"i": i})
    results = batch.commit()
    assert len(results) == 500
    assert col.count().get()[0][0].value == 500

    failing = db.batch()
    failing.set(col.document("new"), {"i": 1})
    failing.update(col.document("absent"), {"i": 2})
    with pytest.raises(exceptions.NotFound):
        failing.commit()
    assert not col.document("new").get().exists


def test_commit_is_limited_by_request_size_not_by_500_writes(db, col):
    # cloud.google.com/firestore/quotas: the limit is the 10 MiB request size
    batch = db.batch()
    for i in range(600):
        batch.set(col.document(f"d{i:03}"), {"i": i})
    assert len(batch.commit()) == 600
    big = db.batch()
    for i in range(11):
        big.set(col.document(f"big{i}"), {"s": "x" * 1_000_000})
    with pytest.raises(exceptions.InvalidArgument):
        big.commit()
    assert not col.document("big0").get().exists


def test_bulk_writer_reports_per_write_status(db, col):
    col.document("exists").set({"a": 1})
    failures = []
    writer = db.bulk_writer()
    writer.on_write_error(lambda error, bulk_writer: failures.append(error) and False)
    for i in range(30):
        writer.set(col.document(f"w{i}"), {"i": i})
    writer.create(col.document("exists"), {"a": 2})
    writer.update(col.document("nope"), {"a": 3})
    writer.close()
    assert col.count().get()[0][0].value == 31
    codes = sorted(failure.code for failure in failures)
    assert codes == [5, 6]  # NOT_FOUND for the update, ALREADY_EXISTS for the create
    assert col.document("exists").get().to_dict() == {"a": 1}


def test_batch_write_raw_statuses(db, col):
    from google.cloud.firestore_v1.types import write as write_types

    col.document("x").set({"a": 1})
    root = f"{db._database_string}/documents/{col.id}"
    response = db._firestore_api.batch_write(
        request={
            "database": db._database_string,
            "writes": [
                write_types.Write(
                    update={"name": f"{root}/y", "fields": {"a": {"integer_value": 1}}}
                ),
                write_types.Write(
                    update={"name": f"{root}/x", "fields": {}}, current_document={"exists": False}
                ),
            ],
        },
        metadata=db._rpc_metadata,
    )
    assert [status.code for status in response.status] == [0, 6]
    assert response.write_results[0].update_time is not None


def test_firebase_admin_client_works(emulator_host):
    import firebase_admin
    from firebase_admin import firestore as admin_firestore
    from google.auth.credentials import AnonymousCredentials

    class Anonymous(firebase_admin.credentials.Base):
        def get_credential(self):
            return AnonymousCredentials()

    app = firebase_admin.initialize_app(
        Anonymous(), {"projectId": "demo-flowchat-test"}, name=f"fs-{emulator_host}"
    )
    try:
        client = admin_firestore.client(app)
        ref = client.collection("admin").document("a")
        ref.set({"via": "firebase_admin", "at": firestore.SERVER_TIMESTAMP})
        assert ref.get().get("via") == "firebase_admin"
    finally:
        firebase_admin.delete_app(app)
