"""Single-document writes and reads through google-cloud-firestore (sync client).

Semantics: firebase.google.com/docs/firestore/manage-data/add-data and
/docs/firestore/manage-data/delete-data.
"""

from __future__ import annotations

import datetime

import pytest
from google.api_core import exceptions
from google.cloud import firestore


def test_create_then_create_again_is_already_exists(col):
    ref = col.document("a")
    result = ref.create({"n": 1})
    assert result.update_time is not None
    with pytest.raises(exceptions.AlreadyExists) as excinfo:
        ref.create({"n": 2})
    assert "already exists" in str(excinfo.value).lower()
    assert ref.get().to_dict() == {"n": 1}


def test_set_replaces_the_whole_document(col):
    ref = col.document("a")
    ref.set({"a": 1, "b": {"c": 2, "d": 3}})
    ref.set({"b": {"c": 5}})
    assert ref.get().to_dict() == {"b": {"c": 5}}


def test_set_with_merge_keeps_other_fields_deeply(col):
    ref = col.document("a")
    ref.set({"a": 1, "b": {"c": 2, "d": 3}})
    ref.set({"b": {"c": 9}, "e": 4}, merge=True)
    assert ref.get().to_dict() == {"a": 1, "b": {"c": 9, "d": 3}, "e": 4}


def test_set_with_merge_fields_writes_only_those_fields(col):
    ref = col.document("a")
    ref.set({"a": 1, "b": {"c": 2, "d": 3}})
    ref.set({"a": 100, "b": {"c": 7, "d": 70}, "z": 1}, merge=["b.c", "z"])
    assert ref.get().to_dict() == {"a": 1, "b": {"c": 7, "d": 3}, "z": 1}


def test_set_merge_on_missing_document_creates_it(col):
    ref = col.document("new")
    ref.set({"x": 1}, merge=True)
    assert ref.get().to_dict() == {"x": 1}


def test_update_with_dotted_and_backquoted_paths(col):
    ref = col.document("a")
    ref.set({"m": {"x": 1, "y": 2}, "dots.in.name": 1})
    ref.update({"m.x": 10, "`dots.in.name`": 2, "m.new": {"deep": True}})
    data = ref.get().to_dict()
    assert data == {"m": {"x": 10, "y": 2, "new": {"deep": True}}, "dots.in.name": 2}


def test_update_with_field_path_object(col):
    ref = col.document("a")
    ref.set({"a b": {"c-d": 1}})
    from google.cloud.firestore_v1.field_path import FieldPath

    ref.update({FieldPath("a b", "c-d").to_api_repr(): 5})
    assert ref.get().to_dict() == {"a b": {"c-d": 5}}


def test_update_missing_document_is_not_found(col):
    with pytest.raises(exceptions.NotFound) as excinfo:
        col.document("missing").update({"a": 1})
    assert "No document to update" in str(excinfo.value)
    assert not col.document("missing").get().exists


def test_delete_field_in_update_and_merge(col):
    ref = col.document("a")
    ref.set({"a": 1, "b": 2, "m": {"x": 1, "y": 2}})
    ref.update({"a": firestore.DELETE_FIELD, "m.x": firestore.DELETE_FIELD})
    assert ref.get().to_dict() == {"b": 2, "m": {"y": 2}}
    ref.set({"b": firestore.DELETE_FIELD, "c": 3}, merge=True)
    assert ref.get().to_dict() == {"c": 3, "m": {"y": 2}}


def test_delete_and_delete_missing(col):
    ref = col.document("a")
    ref.set({"a": 1})
    ref.delete()
    assert not ref.get().exists
    ref.delete()  # deleting a missing document succeeds


def test_delete_with_exists_precondition_on_missing_is_not_found(col):
    from google.cloud.firestore_v1 import _helpers

    ref = col.document("missing")
    with pytest.raises(exceptions.NotFound):
        ref.delete(option=_helpers.ExistsOption(exists=True))


def test_update_time_precondition(col):
    ref = col.document("a")
    first = ref.set({"v": 1})
    stale = first.update_time
    second = ref.update({"v": 2}, option=col._client.write_option(last_update_time=stale))
    assert second.update_time > stale
    with pytest.raises(exceptions.FailedPrecondition):
        ref.update({"v": 3}, option=col._client.write_option(last_update_time=stale))
    with pytest.raises(exceptions.FailedPrecondition):
        ref.delete(option=col._client.write_option(last_update_time=stale))
    assert ref.get().to_dict() == {"v": 2}


def test_server_assigned_create_and_update_times(col):
    ref = col.document("a")
    before = datetime.datetime.now(datetime.UTC)
    ref.set({"v": 1})
    first = ref.get()
    ref.update({"v": 2})
    second = ref.get()
    assert first.create_time == first.update_time
    assert second.create_time == first.create_time
    assert second.update_time > first.update_time
    assert first.create_time >= before - datetime.timedelta(seconds=5)
    assert second.read_time >= second.update_time


def test_unchanged_set_keeps_update_time(col):
    # write.proto: WriteResult.update_time is the previous one if nothing changed
    ref = col.document("a")
    first = ref.set({"v": 1})
    again = ref.set({"v": 1})
    assert again.update_time == first.update_time


def test_all_value_types_round_trip(col, db):
    from google.cloud.firestore_v1 import GeoPoint

    stamp = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)
    data = {
        "null": None,
        "bool": True,
        "int": -(2**63),
        "float": 1.5,
        "nan": float("nan"),
        "inf": float("inf"),
        "ts": stamp,
        "str": "héllo 👋",
        "bytes": b"\x00\xff",
        "ref": db.document("x/y"),
        "geo": GeoPoint(1.5, -2.5),
        "array": [1, "a", {"m": [2]}],
        "map": {"nested": {"deep": 1}},
    }
    col.document("a").set(data)
    got = col.document("a").get().to_dict()
    assert got["nan"] != got["nan"]
    got.pop("nan")
    data.pop("nan")
    assert got["ref"].path == "x/y"
    got["ref"] = data["ref"] = None
    assert got == data


def test_auto_ids_and_add(col):
    _, ref = col.add({"a": 1})
    assert len(ref.id) == 20
    assert ref.get().to_dict() == {"a": 1}


def test_document_too_large_is_invalid_argument(col):
    with pytest.raises(exceptions.InvalidArgument):
        col.document("big").set({"s": "x" * 1_100_000})


def test_nested_arrays_are_invalid_argument(col):
    from google.cloud.firestore_v1.types import document as document_types
    from google.cloud.firestore_v1.types import write as write_types

    inner = document_types.Value(
        array_value=document_types.ArrayValue(values=[{"integer_value": 1}])
    )
    outer = document_types.Value(array_value=document_types.ArrayValue(values=[inner]))
    client = col._client
    write = write_types.Write(
        update=document_types.Document(
            name=f"{client._database_string}/documents/{col.id}/a", fields={"x": outer}
        )
    )
    with pytest.raises(exceptions.InvalidArgument):
        client._firestore_api.commit(
            request={"database": client._database_string, "writes": [write]},
            metadata=client._rpc_metadata,
        )
