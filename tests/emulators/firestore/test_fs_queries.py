"""Queries: filters, ordering, cursors, limits, collection groups, aggregations.

Semantics from firebase.google.com/docs/firestore/query-data/queries,
/order-limit-data, /query-cursors, /aggregation-queries, /multiple-range-fields and
/manage-data/data-types (ordering of values of different types).
"""

from __future__ import annotations

import datetime
import math

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1 import GeoPoint
from google.cloud.firestore_v1.base_query import And, FieldFilter, Or


def ids(query) -> list[str]:
    return [snap.id for snap in query.stream()]


def where(query, field, op, value):
    return query.where(filter=FieldFilter(field, op, value))


@pytest.fixture
def numbers(col):
    batch = col._client.batch()
    rows = {
        "a": {"n": 1, "tag": ["x", "y"], "s": "apple", "m": {"k": 3}},
        "b": {"n": 2, "tag": ["y"], "s": "banana", "m": {"k": 1}},
        "c": {"n": 3.5, "tag": [], "s": "cherry", "m": {"k": 2}},
        "d": {"n": None, "s": "date"},
        "e": {"s": "elder"},
        "f": {"n": float("nan"), "tag": ["z"]},
        "g": {"n": "3", "tag": ["x"]},
    }
    for key, data in rows.items():
        batch.set(col.document(key), data)
    batch.commit()
    return col


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("==", 2, ["b"]),
        ("==", 2.0, ["b"]),
        ("==", None, ["d"]),
        ("!=", 2, ["f", "a", "c", "g"]),  # ordered by n: NaN, 1, 3.5, then strings
        ("<", 3, ["a", "b"]),
        ("<=", 3.5, ["a", "b", "c"]),
        (">", 1, ["b", "c"]),
        (">=", "3", ["g"]),
        ("in", [1, 3.5, "3"], ["a", "c", "g"]),
        ("not-in", [1, 2], ["f", "c", "g"]),
        ("array_contains", "x", ["a", "g"]),
        ("array_contains_any", ["y", "z"], ["a", "b", "f"]),
    ],
)
def test_field_filters(numbers, op, value, expected):
    assert ids(where(numbers, "n" if "array" not in op else "tag", op, value)) == expected


def test_not_in_with_null_matches_nothing(numbers):
    # The JS and Node SDKs' system tests against the backend expect no results.
    assert ids(where(numbers, "n", "not-in", [None])) == []
    assert ids(where(numbers, "n", "not-in", [float("nan")])) == ["a", "b", "c", "g"]


def test_unary_filters(numbers):
    assert ids(where(numbers, "n", "==", float("nan"))) == ["f"]
    assert ids(where(numbers, "n", "!=", None)) == ["f", "a", "b", "c", "g"]
    assert ids(where(numbers, "n", "!=", float("nan"))) == ["a", "b", "c", "g"]


def test_nested_field_filter_and_order(numbers):
    assert ids(where(numbers, "m.k", ">=", 2)) == ["c", "a"]
    assert ids(numbers.order_by("m.k", direction=firestore.Query.DESCENDING)) == ["a", "c", "b"]


def test_composite_and_or_nested(numbers):
    query = numbers.where(
        filter=Or(
            [
                And([FieldFilter("n", ">=", 2), FieldFilter("n", "<", 4)]),
                FieldFilter("s", "==", "apple"),
                And(
                    [
                        FieldFilter("tag", "array_contains", "z"),
                        FieldFilter("n", "==", float("nan")),
                    ]
                ),
            ]
        )
    )
    assert sorted(ids(query)) == ["a", "b", "c", "f"]


def test_cross_type_ordering(col, db):
    stamp = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    values = {
        "01null": None,
        "02false": False,
        "03true": True,
        "04nan": float("nan"),
        "05neg": -10,
        "06one": 1,
        "07onefive": 1.5,
        "08two": 2,
        "09time": stamp,
        "10str": "a",
        "11bytes": b"a",
        "12ref": db.document("a/b"),
        "13geo": GeoPoint(0, 0),
        "14array": [1],
        "15map": {"a": 1},
    }
    batch = db.batch()
    for key, value in values.items():
        batch.set(col.document(key), {"v": value})
    batch.set(col.document("16missing"), {"other": 1})
    batch.commit()
    ordered = ids(col.order_by("v"))
    assert ordered == sorted(values)
    assert ids(col.order_by("v", direction=firestore.Query.DESCENDING)) == sorted(values)[::-1]


def test_int_and_float_compare_as_numbers_with_name_tiebreak(col):
    for key, value in {"a": 2.0, "b": 2, "c": 1.999, "d": 3}.items():
        col.document(key).set({"v": value})
    assert ids(col.order_by("v")) == ["c", "a", "b", "d"]
    assert ids(where(col, "v", "==", 2)) == ["a", "b"]


def test_default_order_is_by_name_and_implicit_inequality_order(numbers):
    assert ids(numbers) == ["a", "b", "c", "d", "e", "f", "g"]
    # inequality on n orders by n; equal names break ties by __name__
    assert ids(where(numbers, "n", ">", 0)) == ["a", "b", "c"]
    assert ids(where(numbers, "n", ">", 0).order_by("s", direction="DESCENDING")) == ["c", "b", "a"]


def test_cursors(col):
    for i in range(10):
        col.document(f"d{i}").set({"n": i % 5, "i": i})
    query = col.order_by("n").order_by("i")
    assert ids(query.start_at({"n": 3})) == ["d3", "d8", "d4", "d9"]
    assert ids(query.start_after({"n": 3})) == ["d4", "d9"]
    assert ids(query.end_at({"n": 1})) == ["d0", "d5", "d1", "d6"]
    assert ids(query.end_before({"n": 1})) == ["d0", "d5"]
    assert ids(query.start_at({"n": 3, "i": 8})) == ["d8", "d4", "d9"]
    snapshot = col.document("d6").get()
    assert ids(query.start_after(snapshot)) == ["d2", "d7", "d3", "d8", "d4", "d9"]
    assert ids(col.order_by("n", direction="DESCENDING").start_at({"n": 1}).end_at({"n": 0})) == [
        "d6",
        "d1",
        "d5",
        "d0",
    ]


def test_cursor_from_snapshot_uses_name(col):
    for i in range(5):
        col.document(f"d{i}").set({"n": 1})
    snapshot = col.document("d2").get()
    assert ids(col.order_by("n").start_after(snapshot)) == ["d3", "d4"]
    assert ids(col.start_at(snapshot)) == ["d2", "d3", "d4"]


def test_offset_limit_and_limit_to_last(col):
    for i in range(10):
        col.document(f"d{i}").set({"n": i})
    assert ids(col.order_by("n").offset(3).limit(4)) == ["d3", "d4", "d5", "d6"]
    assert [s.id for s in col.order_by("n").limit_to_last(3).get()] == ["d7", "d8", "d9"]
    assert [s.id for s in col.order_by("n").limit_to_last(2).get()] == ["d8", "d9"]
    assert ids(col.order_by("n").offset(20)) == []


def test_collection_group_at_any_depth(db, col):
    group = f"grp{col.id}"
    db.document(f"{col.id}/r1/{group}/m1").set({"n": 1})
    db.document(f"{col.id}/r1/sub/x/{group}/m2").set({"n": 2})
    db.document(f"{group}/top").set({"n": 3})
    db.document(f"{col.id}/r2/other/m4").set({"n": 4})
    assert ids(db.collection_group(group).order_by("n")) == ["m1", "m2", "top"]
    assert ids(where(db.collection_group(group), "n", ">=", 2)) == ["m2", "top"]


def test_projection_select(col):
    col.document("a").set({"x": 1, "y": {"z": 2, "w": 3}})
    (snap,) = col.select(["y.z"]).get()
    assert snap.to_dict() == {"y": {"z": 2}}


def test_aggregations_count_sum_avg(col):
    for key, value in {"a": 1, "b": 2, "c": 3.5, "d": "x"}.items():
        col.document(key).set({"v": value})
    col.document("e").set({"other": 1})
    query = col.count(alias="c").sum("v", alias="s").avg("v", alias="a")
    (result,) = query.get()
    by_alias = {r.alias: r.value for r in result}
    # "e" has no v: Firestore leaves it out of every aggregation of the query, count too.
    assert by_alias == {"c": 4, "s": 6.5, "a": 6.5 / 3}
    (ints,) = where(col, "v", "<", 3).sum("v", alias="s").get()
    assert ints[0].value == 3 and isinstance(ints[0].value, int)
    # avg over no numeric values is null; the Python client turns null into 0.0, so read
    # the wire response.
    client = col._client
    (response,) = client._firestore_api.run_aggregation_query(
        request={
            "parent": f"{client._database_string}/documents",
            "structured_aggregation_query": {
                "structured_query": {"from_": [{"collection_id": col.id}]},
                "aggregations": [
                    {"alias": "n", "count": {}},
                    {"alias": "b", "avg": {"field": {"field_path": "nothing"}}},
                ],
            },
        },
        metadata=client._rpc_metadata,
    )
    fields = response.result.aggregate_fields
    assert fields["n"].integer_value == 0
    assert "null_value" in fields["b"]
    (other,) = col.avg("other", alias="a").get()
    assert other[0].value == 1.0
    (limited,) = col.limit(2).count(alias="c").get()
    assert limited[0].value == 2


def test_sum_overflow_becomes_double(col):
    col.document("a").set({"v": 2**62})
    col.document("b").set({"v": 2**62})
    (result,) = col.sum("v").get()
    assert result[0].value == float(2**63)


def test_invalid_queries(col):
    col.document("a").set({"v": 1})
    with pytest.raises(exceptions.InvalidArgument):
        ids(where(col, "v", "in", list(range(31))))
    with pytest.raises(exceptions.InvalidArgument):
        list(
            col._client._firestore_api.run_query(
                request={
                    "parent": f"{col._client._database_string}/documents",
                    "structured_query": {
                        "from_": [{"collection_id": col.id}],
                        "order_by": [{"field": {"field_path": "v"}}],
                        "start_at": {
                            "values": [
                                {"integer_value": 1},
                                {"integer_value": 2},
                                {"integer_value": 3},
                            ]
                        },
                    },
                },
                metadata=col._client._rpc_metadata,
            )
        )


def test_nan_excluded_from_range_filters(col):
    col.document("nan").set({"v": math.nan})
    col.document("one").set({"v": 1})
    assert ids(where(col, "v", "<", 5)) == ["one"]
    assert ids(where(col, "v", ">", -math.inf)) == ["one"]
