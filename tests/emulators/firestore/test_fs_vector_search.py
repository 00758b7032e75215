"""Vector search (``find_nearest``) with the Python client, as python-firestore's system
tests use it (``tests/system/test_system.py``: test_vector_search_collection*, run there
against production with seeded data). Before, the emulator ignored ``find_nearest`` and
returned every document of the collection."""

from __future__ import annotations

import math

import pytest
from google.api_core.exceptions import InvalidArgument
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from tests.emulators.firestore.support import RawListen


@pytest.fixture
def seeded(col):
    # The documents of python-firestore's tests/system/util/bootstrap_vector_index.py,
    # plus ones that must never be returned.
    col.document("red").set({"embedding": Vector([1.0, 2.0, 3.0]), "color": "red"})
    col.document("blue").set({"embedding": Vector([2.0, 2.0, 3.0]), "color": "blue"})
    col.document("yellow").set({"embedding": Vector([3.0, 4.0, 5.0]), "color": "yellow"})
    col.document("flat").set({"embedding": Vector([1.0, 2.0]), "color": "red"})  # dimension 2
    col.document("array").set({"embedding": [1.0, 2.0, 3.0], "color": "red"})  # not a vector
    col.document("none").set({"color": "red"})
    return col


def ids(snapshots) -> list[str]:
    return [snapshot.id for snapshot in snapshots]


def test_euclidean_nearest_first_and_limit(seeded):
    query = seeded.find_nearest(
        vector_field="embedding",
        query_vector=Vector([1.0, 2.0, 3.0]),
        distance_measure=DistanceMeasure.EUCLIDEAN,
        limit=2,
    )
    results = query.get()
    assert ids(results) == ["red", "blue"]
    assert results[0].to_dict() == {"embedding": Vector([1.0, 2.0, 3.0]), "color": "red"}


def test_filter_and_distance_result_field(seeded):
    query = seeded.where(filter=FieldFilter("color", "==", "red")).find_nearest(
        vector_field="embedding",
        query_vector=Vector([1.0, 2.0, 3.0]),
        distance_measure=DistanceMeasure.EUCLIDEAN,
        limit=5,
        distance_result_field="distance",
    )
    results = query.get()
    # "flat" has another dimension, "array" holds no vector, "none" has no field.
    assert ids(results) == ["red"]
    assert results[0].get("distance") == 0.0


def test_cosine_threshold_and_distances(seeded):
    query = seeded.find_nearest(
        vector_field="embedding",
        query_vector=Vector([1.0, 2.0, 3.0]),
        distance_measure=DistanceMeasure.COSINE,
        limit=3,
        distance_result_field="d",
        distance_threshold=0.02,
    )
    results = query.get()
    expected_blue = 1 - 13 / (math.sqrt(14) * math.sqrt(17))  # 0.0232...: over the threshold
    expected_yellow = 1 - 26 / (math.sqrt(14) * math.sqrt(50))  # 0.0173...
    assert expected_blue > 0.02 > expected_yellow
    assert ids(results) == ["red", "yellow"]
    assert results[0].get("d") == pytest.approx(0.0, abs=1e-12)
    assert results[1].get("d") == pytest.approx(expected_yellow)


def test_dot_product_most_similar_first_and_threshold_is_a_minimum(seeded):
    query = seeded.find_nearest(
        vector_field="embedding",
        query_vector=Vector([1.0, 1.0, 1.0]),
        distance_measure=DistanceMeasure.DOT_PRODUCT,
        limit=10,
        distance_result_field="score",
        distance_threshold=7.0,
    )
    results = query.get()
    assert ids(results) == ["yellow", "blue"]  # 12 and 7; red's 6 is under the threshold
    assert [r.get("score") for r in results] == [12.0, 7.0]


def test_collection_group(db, col):
    group = col.id + "g"
    col.document("a").collection(group).document("x").set({"e": Vector([0.0, 1.0])})
    col.document("b").collection(group).document("y").set({"e": Vector([5.0, 5.0])})
    query = db.collection_group(group).find_nearest(
        vector_field="e",
        query_vector=Vector([4.0, 4.0]),
        distance_measure=DistanceMeasure.EUCLIDEAN,
        limit=1,
    )
    assert ids(query.get()) == ["y"]


def test_stream_and_transaction_reads(db, seeded):
    query = seeded.find_nearest(
        vector_field="embedding",
        query_vector=Vector([3.0, 4.0, 5.0]),
        distance_measure=DistanceMeasure.EUCLIDEAN,
        limit=1,
    )
    assert ids(query.stream()) == ["yellow"]

    @firestore.transactional
    def read(transaction):
        return ids(query.get(transaction=transaction))

    assert read(db.transaction()) == ["yellow"]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"query_vector": Vector([])}, "dimension"),
        ({"query_vector": Vector([0.5] * 2049)}, "2048"),
    ],
)
def test_invalid_requests(seeded, options, message):
    arguments = {
        "vector_field": "embedding",
        "query_vector": Vector([1.0, 2.0, 3.0]),
        "distance_measure": DistanceMeasure.EUCLIDEAN,
        "limit": 1,
        **options,
    }
    with pytest.raises(InvalidArgument) as caught:
        seeded.find_nearest(**arguments).get()
    assert message in caught.value.message


def test_listen_refuses_vector_queries(db, seeded):
    query = seeded.find_nearest(
        vector_field="embedding",
        query_vector=Vector([1.0, 2.0, 3.0]),
        distance_measure=DistanceMeasure.EUCLIDEAN,
        limit=1,
    )
    raw = RawListen(db)
    try:
        target = {
            "parent": f"{db._database_string}/documents",
            "structured_query": query._to_protobuf(),
        }
        raw.send(add_target={"target_id": 4, "query": target})
        added = raw.next()
        assert added.target_change.target_ids == [4]
        removed = raw.next()
        assert removed.target_change.target_change_type == removed.target_change.REMOVE
        assert removed.target_change.cause.code == 3  # INVALID_ARGUMENT
        assert "cannot be listened to" in removed.target_change.cause.message
    finally:
        raw.close()
