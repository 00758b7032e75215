"""Behaviours of production Firestore that Google's own client tests check, driven with the
Python client (issue 14: differences 3-9 and 13; the JS SDK ones are in
test_fs_js_sdk_fidelity.py). Each test names the Google test it follows: python-firestore's
tests/system/test_system.py or firebase-js-sdk's packages/firestore/test/integration/api."""

from __future__ import annotations

import datetime
import sys
import threading
import time
import uuid

import pytest
from google.api_core import exceptions
from google.cloud.firestore_v1.aggregation import AggregationQuery
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.vector import Vector


def ids(query) -> list[str]:
    return [snapshot.id for snapshot in query.stream()]


# 3. Vector values -------------------------------------------------------------------------
def test_vectors_are_stored_and_ordered_by_dimension_then_elements(col):
    """test_system.py test_create_document_w_vector."""
    data1 = {"embedding": Vector([1.0, 2.0, 3.0])}
    data2 = {"embedding": Vector([2, 2, 3.0])}
    data3 = {"embedding": Vector([2.0, 2.0])}
    col.document("doc1").create(data1)
    col.document("doc2").create(data2)
    col.document("doc3").create(data3)
    ordered = col.order_by("embedding")
    assert [s.to_dict() for s in ordered.get()] == [data3, data1, data2]

    seen = threading.Event()
    results = []

    def on_snapshot(docs, changes, read_time):
        results[:] = [d.to_dict() for d in docs]
        seen.set()

    watch = ordered.on_snapshot(on_snapshot)
    try:
        assert seen.wait(10)
        assert results == [data3, data1, data2]
    finally:
        watch.unsubscribe()


def test_vectors_sort_between_arrays_and_maps(col):
    """firebase.google.com/docs/firestore/manage-data/data-types: arrays < vectors < maps
    (the JS SDK's TypeOrder agrees)."""
    col.document("map").set({"v": {"a": 1}})
    col.document("vector").set({"v": Vector([9.0])})
    col.document("array").set({"v": [1, 2, 3]})
    assert ids(col.order_by("v")) == ["array", "vector", "map"]
    assert ids(col.where(filter=FieldFilter("v", ">", Vector([1.0])))) == ["vector"]


def test_only_well_formed_vectors_may_use_the_reserved_type_field(col):
    with pytest.raises(exceptions.InvalidArgument):
        col.document("x").set({"v": {"__type__": "__vector__", "value": ["a"]}})
    with pytest.raises(exceptions.InvalidArgument):
        col.document("x").set({"v": {"__type__": "__other__", "value": [1.0]}})
    with pytest.raises(exceptions.InvalidArgument):
        col.document("x").set({"v": {"__type__": "__vector__", "value": [1.0], "extra": 1}})


# 4. Queries with no collection id; numeric document ids -----------------------------------
PHILOSOPHERS = {
    "Socrates": ["pets/Scruffy", "pets/Snowflake", "hobbies/pontificating"],
    "Aristotle": ["pets/Floof-Boy", "hobbies/meditation"],
    "Plato": ["pets/Cuddles"],
}


@pytest.fixture
def philosophers(col):
    batch = col._client.batch()
    for name, children in PHILOSOPHERS.items():
        batch.set(col.document(name), {"name": name})
        for child in children:
            batch.set(
                col.document(name).collection(child.split("/")[0]).document(child.split("/")[1]),
                {"name": child},
            )
    batch.set(col.document("Socrates").collection(col.id).document("Plato"), {"name": "P"})
    batch.commit()
    return col


def test_recursive_query_reads_every_descendant_in_name_order(db, philosophers):
    """test_system.py test_recursive_query and test_nested_recursive_query."""
    col = philosophers
    assert ids(db.collection_group(col.id).recursive()) == [
        "Aristotle",
        "meditation",
        "Floof-Boy",
        "Plato",
        "Cuddles",
        "Socrates",
        "pontificating",
        "Scruffy",
        "Snowflake",
        "Plato",
    ]
    assert ids(col.document("Socrates").collection("pets").recursive()) == [
        "Scruffy",
        "Snowflake",
    ]


def test_recursive_delete_deletes_every_descendant(db, philosophers):
    """test_system.py test_recursive_delete_serialized."""
    assert db.recursive_delete(philosophers) == 10
    assert ids(db.collection_group(philosophers.id).recursive()) == []


# database.test.ts "snapshot listener sorts query by DocumentId same way as get query":
# the order production returns.
IDS_IN_ORDER = [
    "__id-9223372036854775808__",
    "__id-9223372036854775807__",
    "__id-2__",
    "__id7__",
    "__id12__",
    "__id9223372036854775806__",
    "__id9223372036854775807__",
    "12",
    "7",
    "A",
    "Aa",
    "__id",
    "__id1_",
    "_id1__",
    "a",
]


def test_numeric_ids_are_accepted_and_sort_before_string_ids(col):
    """database.test.ts "snapshot listener sorts query by DocumentId same way as get query"
    and "... sorts filtered query by DocumentId ..." (> __id7__, <= Aa)."""
    batch = col._client.batch()
    for doc_id in reversed(IDS_IN_ORDER):
        batch.set(col.document(doc_id), {"a": 1})
    batch.commit()
    assert ids(col.order_by(FieldPath.document_id())) == IDS_IN_ORDER
    filtered = (
        col.order_by(FieldPath.document_id())
        .where(filter=FieldFilter(FieldPath.document_id(), ">", col.document("__id7__")))
        .where(filter=FieldFilter(FieldPath.document_id(), "<=", col.document("Aa")))
    )
    after, last = IDS_IN_ORDER.index("__id7__") + 1, IDS_IN_ORDER.index("Aa") + 1
    assert ids(filtered) == IDS_IN_ORDER[after:last]
    # Outside int64, or not a number: reserved.
    for reserved in ("__id9223372036854775808__", "__idx__", "__x__"):
        with pytest.raises(exceptions.InvalidArgument):
            col.document(reserved).set({"a": 1})


# 5. Aggregations over their fields ---------------------------------------------------------
@pytest.fixture
def products(col):
    """test_system.py query_docs: 25 documents, stats.product = a * b for a, b in 0..4."""
    batch = col._client.batch()
    for a in range(5):
        for b in range(5):
            batch.set(col.document(), {"a": a, "b": b, "stats": {"product": a * b}})
    batch.commit()
    return col


def test_limit_applies_after_ordering_by_the_aggregated_field(products):
    """test_system.py test_sum_query_get_with_limit / test_avg_query_get_with_limit: the 12
    lowest products are [0]*9 + [1, 2, 2]."""
    (total,) = products.limit(12).sum("stats.product", alias="total").get()
    assert total[0].value == 5
    (average,) = products.limit(12).avg("stats.product", alias="total").get()
    assert average[0].value == 5 / 12
    (whole,) = products.sum("stats.product").get()
    assert whole[0].value == 100


def test_documents_missing_an_aggregated_field_are_left_out_of_every_aggregation(col):
    """aggregation.test.ts "performs sum only on numeric fields": a string still counts."""
    col.document("a").set({"rating": 5})
    col.document("b").set({"rating": "3"})
    col.document("c").set({"other": 1})
    query = col.count(alias="count").sum("rating", alias="sum").avg("rating", alias="avg")
    (result,) = query.get()
    assert {r.alias: r.value for r in result} == {"count": 2, "sum": 5, "avg": 5.0}
    (counted,) = col.count(alias="count").get()
    assert counted[0].value == 3


# 6. Overflow -------------------------------------------------------------------------------
def test_sum_and_avg_past_the_double_range_are_infinite(col):
    """aggregation.test.ts "performs sum that is positive infinity" / "negative infinity" /
    "performs average that overflows IEEE754 during accumulation"."""
    col.document("a").set({"up": sys.float_info.max, "down": -sys.float_info.max})
    col.document("b").set({"up": 1e293, "down": -sys.float_info.max})
    query = col.sum("up", alias="up").sum("down", alias="down").avg("up", alias="mean")
    (result,) = query.get(retry=None, timeout=10)
    by_alias = {r.alias: r.value for r in result}
    assert by_alias == {"up": float("inf"), "down": float("-inf"), "mean": float("inf")}


# 7. Aggregation checks ---------------------------------------------------------------------
def test_duplicate_aliases_are_refused(col):
    """test_system.py test_count_query_get_multiple_aggregations_duplicated_alias."""
    with pytest.raises(exceptions.InvalidArgument) as caught:
        col.count(alias="total").count(alias="total").get()
    assert "Aggregation aliases contain duplicate alias" in caught.value.message


def test_an_aggregation_query_needs_an_aggregation(col):
    """test_system.py test_count_query_get_empty_aggregation."""
    with pytest.raises(exceptions.InvalidArgument) as caught:
        AggregationQuery(col.where(filter=FieldFilter("a", "==", 1))).get()
    assert "Aggregations can not be empty" in caught.value.message


def test_at_most_five_aggregations(col):
    """aggregation.test.ts "fails when exceeding the max (5) aggregations"."""
    col.document("a").set({"pages": 100})
    five = col.sum("pages", alias="s1").avg("pages", alias="a1").count(alias="c1")
    five = five.sum("pages", alias="s2").avg("pages", alias="a2")
    (result,) = five.get()
    assert len(result) == 5
    with pytest.raises(exceptions.InvalidArgument) as caught:
        five.count(alias="c2").get()
    assert "maximum number of aggregations" in caught.value.message


# 8. ListCollectionIds at a read time -------------------------------------------------------
def test_list_collection_ids_at_a_read_time(col):
    parent = col.document("parent")
    parent.collection("early").document("x").set({"a": 1})
    parent.collection("gone").document("x").set({"a": 1})
    time.sleep(0.01)
    read_time = datetime.datetime.now(tz=datetime.UTC)
    time.sleep(0.01)
    parent.collection("late").document("x").set({"a": 1})
    parent.collection("gone").document("x").delete()
    now = sorted(c.id for c in parent.collections())
    assert now == ["early", "late"]
    before = sorted(c.id for c in parent.collections(read_time=read_time))
    assert before == ["early", "gone"]


# 9. Update-time preconditions in the future ------------------------------------------------
def test_update_time_precondition_in_the_future_is_invalid(db, col):
    """test_system.py test_update_document (step 6) and test_document_delete: production
    answers INVALID_ARGUMENT, while a past update time is FAILED_PRECONDITION."""
    ref = col.document("doc")
    ref.create({"a": 1})
    snapshot = ref.get()
    future = snapshot.update_time + datetime.timedelta(hours=1)
    with pytest.raises(exceptions.InvalidArgument):
        ref.update({"bad": "time-future"}, option=db.write_option(last_update_time=future))
    with pytest.raises(exceptions.InvalidArgument):
        ref.delete(option=db.write_option(last_update_time=future))
    past = snapshot.update_time - datetime.timedelta(seconds=1)
    with pytest.raises(exceptions.FailedPrecondition):
        ref.update({"bad": "time-past"}, option=db.write_option(last_update_time=past))
    assert ref.get().to_dict() == {"a": 1}


# 13. The reserved collection id ------------------------------------------------------------
def test_queries_on_a_reserved_collection_id_are_refused(db):
    """firebase-js-sdk test/lite/integration.test.ts "run count query fails on invalid
    collection reference" (collection '__badpath__'); database.test.ts "will reject gets"
    ('a/__badpath__/b')."""
    with pytest.raises(exceptions.InvalidArgument):
        list(db.collection("__badpath__").stream())
    with pytest.raises(exceptions.InvalidArgument):
        db.collection("__badpath__").count().get()
    with pytest.raises(exceptions.InvalidArgument):
        list(db.collection("a/__badpath__/b").stream())


# The async client sends the same requests ----------------------------------------------
async def test_async_client_vectors_recursive_delete_and_aggregations(async_db):
    """The async variants of test_system.py's vector, recursive and aggregation tests."""
    col = async_db.collection(f"async{uuid.uuid4().hex[:8]}")
    await col.document("b").set({"v": Vector([2.0, 2.0, 3.0]), "r": sys.float_info.max})
    await col.document("a").set({"v": Vector([1.0, 2.0, 3.0]), "r": sys.float_info.max})
    await col.document("a").collection("sub").document("c").set({"x": 1})
    ordered = [s.id async for s in col.order_by("v").stream()]
    assert ordered == ["a", "b"]
    nested = [s.id async for s in col.recursive().stream()]
    assert nested == ["a", "c", "b"]
    (result,) = await col.count(alias="n").sum("r", alias="sum").get(retry=None, timeout=10)
    assert {r.alias: r.value for r in result} == {"n": 2, "sum": float("inf")}
    with pytest.raises(exceptions.InvalidArgument):
        await col.count(alias="n").count(alias="n").get()
    assert await async_db.recursive_delete(col) == 3
    assert [s.id async for s in col.recursive().stream()] == []
