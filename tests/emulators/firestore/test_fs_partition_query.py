"""PartitionQuery with the Python client's ``CollectionGroup.get_partitions``, as
python-firestore's system tests use it (test_partition_query*, skipped there on Google's
emulator, which lacks the RPC; ours answered UNIMPLEMENTED before)."""

from __future__ import annotations

import itertools

import pytest
from google.api_core.exceptions import InvalidArgument
from google.cloud.firestore_v1.base_query import FieldFilter


def _seed(db, group: str, count: int) -> list[str]:
    parents = itertools.cycle(("", "abc/123/", "def/456/", "ghi/789/"))
    paths = []
    batch = db.batch()
    for i, parent in zip(range(count), parents, strict=False):
        path = f"{parent}{group}/cg-doc{i:03d}"
        batch.set(db.document(path), {"x": i})
        paths.append(path)
    batch.commit()
    return sorted(paths)


def _read_all(partitions) -> list[str]:
    streams = [partition.query().stream() for partition in partitions]
    return [snapshot.reference.path for snapshot in itertools.chain(*streams)]


def test_partitions_cover_the_group_in_order(db, col):
    group = col.id
    expected = _seed(db, group, 128 * 2 + 127)
    partitions = list(db.collection_group(group).get_partitions(3))
    assert len(partitions) == 3  # 383 documents: two split points, 128 or more apart
    assert _read_all(partitions) == expected


def test_fewer_documents_than_a_partition_give_one_partition(db, col):
    group = col.id
    expected = _seed(db, group, 5)
    partitions = list(db.collection_group(group).get_partitions(3))
    assert len(partitions) == 1
    assert _read_all(partitions) == expected


def test_never_more_partitions_than_asked(db, col):
    group = col.id
    expected = _seed(db, group, 600)
    partitions = list(db.collection_group(group).get_partitions(2))
    assert len(partitions) == 2
    assert _read_all(partitions) == expected
    many = list(db.collection_group(group).get_partitions(50))
    assert len(many) == 600 // 128 + 1  # split every 128 documents
    assert _read_all(many) == expected


def test_page_size_pages_the_cursors(db, col):
    group = col.id
    _seed(db, group, 128 * 4)
    api = db._firestore_api
    request = {
        "parent": f"{db._database_string}/documents",
        "structured_query": db.collection_group(group)._to_protobuf(),
        "partition_count": 4,
        "page_size": 2,
    }
    pages = api.partition_query(request=request, metadata=db._rpc_metadata).pages
    sizes = [len(page.partitions) for page in pages]
    assert sizes == [2, 1]


def test_filters_and_plain_collections_are_refused(db, col):
    # The client checks this itself; the raw RPC gets INVALID_ARGUMENT.
    api = db._firestore_api
    filtered = db.collection_group(col.id).where(filter=FieldFilter("x", "==", 1))
    for query in (filtered, col._query()):
        request = {
            "parent": f"{db._database_string}/documents",
            "structured_query": query._to_protobuf(),
            "partition_count": 2,
        }
        with pytest.raises(InvalidArgument):
            list(api.partition_query(request=request, metadata=db._rpc_metadata))


def test_rest_partition_query(db, col, http):
    group = col.id
    expected = _seed(db, group, 300)
    response = http.post(
        f"/v1/{db._database_string}/documents:partitionQuery",
        headers={"Authorization": "Bearer owner"},
        json={
            "structuredQuery": {"from": [{"collectionId": group, "allDescendants": True}]},
            "partitionCount": "3",
        },
    )
    assert response.status_code == 200, response.text
    cursors = response.json()["partitions"]
    names = [cursor["values"][0]["referenceValue"] for cursor in cursors]
    root = f"{db._database_string}/documents/"
    assert names == [root + expected[128], root + expected[256]]
