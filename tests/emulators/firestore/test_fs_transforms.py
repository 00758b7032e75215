"""Field transforms (write.proto DocumentTransform.FieldTransform)."""

from __future__ import annotations

import math

from google.cloud import firestore

INT64_MAX = 2**63 - 1


def test_several_transforms_in_one_write_and_nested(col):
    ref = col.document("a")
    ref.set({"n": 1, "m": {"c": 2, "arr": [1, 2]}, "max": 5, "min": 5})
    result = ref.update(
        {
            "n": firestore.Increment(2),
            "m.c": firestore.Increment(0.5),
            "m.arr": firestore.ArrayUnion([2, 3]),
            "m.when": firestore.SERVER_TIMESTAMP,
            "max": firestore.Maximum(7),
            "min": firestore.Minimum(3),
            "plain": "x",
        }
    )
    data = ref.get().to_dict()
    assert data["n"] == 3
    assert data["m"]["c"] == 2.5
    assert data["m"]["arr"] == [1, 2, 3]
    assert data["m"]["when"] == result.update_time
    assert data["max"] == 7 and data["min"] == 3 and data["plain"] == "x"


def test_server_timestamp_in_set_and_create_time(col):
    ref = col.document("a")
    result = ref.set(
        {"created": firestore.SERVER_TIMESTAMP, "nested": {"at": firestore.SERVER_TIMESTAMP}}
    )
    snap = ref.get()
    assert snap.get("created") == result.update_time == snap.create_time
    assert snap.get("nested.at") == result.update_time


def test_increment_missing_and_non_numeric_fields_set_the_operand(col):
    ref = col.document("a")
    ref.set({"s": "text"})
    ref.update({"s": firestore.Increment(4), "missing": firestore.Increment(1.5)})
    assert ref.get().to_dict() == {"s": 4, "missing": 1.5}


def test_increment_int_saturates_at_int64(col):
    ref = col.document("a")
    ref.set({"big": INT64_MAX - 1, "small": -(2**63) + 1})
    ref.update({"big": firestore.Increment(10), "small": firestore.Increment(-10)})
    data = ref.get().to_dict()
    assert data["big"] == INT64_MAX and isinstance(data["big"], int)
    assert data["small"] == -(2**63)


def test_increment_int_plus_float_is_float(col):
    ref = col.document("a")
    ref.set({"i": 1, "f": 1.5})
    ref.update({"i": firestore.Increment(0.5), "f": firestore.Increment(2)})
    data = ref.get().to_dict()
    assert data["i"] == 1.5 and isinstance(data["i"], float)
    assert data["f"] == 3.5 and isinstance(data["f"], float)


def test_maximum_minimum_mixed_types_and_nan(col):
    # write.proto: mixed int/double takes the type of the larger (smaller) operand;
    # equal values keep the stored value; NaN wins.
    ref = col.document("a")
    ref.set({"a": 3, "b": 3.0, "c": 1, "d": 2.5, "e": 1})
    ref.update(
        {
            "a": firestore.Maximum(3.0),
            "b": firestore.Minimum(3),
            "c": firestore.Maximum(1.5),
            "d": firestore.Minimum(1),
            "e": firestore.Maximum(float("nan")),
            "f": firestore.Minimum(9),
        }
    )
    data = ref.get().to_dict()
    assert data["a"] == 3 and isinstance(data["a"], int)
    assert data["b"] == 3.0 and isinstance(data["b"], float)
    assert data["c"] == 1.5 and isinstance(data["c"], float)
    assert data["d"] == 1 and isinstance(data["d"], int)
    assert math.isnan(data["e"])
    assert data["f"] == 9


def test_array_union_and_remove(col):
    ref = col.document("a")
    ref.set({"a": [1, 2, 2, {"k": 1}], "s": "not array"})
    ref.update({"a": firestore.ArrayUnion([2, 3.0, 3, {"k": 1}, {"k": 2}])})
    assert ref.get().get("a") == [1, 2, 2, {"k": 1}, 3.0, {"k": 2}]
    ref.update({"a": firestore.ArrayRemove([2, 1.0, {"k": 1}]), "s": firestore.ArrayUnion(["x"])})
    data = ref.get().to_dict()
    assert data["a"] == [3.0, {"k": 2}]
    assert data["s"] == ["x"]
    ref.update({"missing": firestore.ArrayRemove([1])})
    assert ref.get().get("missing") == []


def test_transform_results_are_returned_in_write_result(col):
    client = col._client
    batch = client.batch()
    ref = col.document("a")
    batch.set(ref, {"n": 5})
    batch.update(ref, {"n": firestore.Increment(2), "t": firestore.SERVER_TIMESTAMP})
    results = batch.commit()
    assert len(results) == 2
    # The second write carries two transforms; its result holds both values.
    response_results = results[1]
    assert response_results.update_time is not None
    transform_results = list(response_results.transform_results)
    assert [r.integer_value for r in transform_results[:1]] == [7]
    # REQUEST_TIME is the commit time, which is also the document's update time.
    assert transform_results[1].timestamp_value == response_results.update_time
