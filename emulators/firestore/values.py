"""Firestore values: ordering across types, equality, field access, and plain-Python views.

Ordering follows firebase.google.com/docs/firestore/manage-data/data-types:
null < boolean < number < timestamp < string < bytes < reference < geopoint < array <
vector < map. Integers and doubles compare as numbers; NaN sorts before every other number.
Strings compare by UTF-8 bytes, which is the same order as Python's code-point order.
A vector is a map ``{"__type__": "__vector__", "value": [numbers]}``; vectors compare by
dimension, then element by element. References compare segment by segment, and numeric
ids (``__id123__``, Datastore's integer ids) sort before string ids, by number (the JS
SDK's "sort documents by DocumentId" test, run against production).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from emulators.firestore import protos
from emulators.firestore.paths import FieldPath, numeric_id

NULL, BOOLEAN, NUMBER, TIMESTAMP, STRING, BYTES, REFERENCE, GEOPOINT, ARRAY, VECTOR, MAP = range(11)

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
VECTOR_TYPE = "__vector__"


@functools.total_ordering
class NumericId:
    """A numeric id segment in a reference's sort key: below every string segment."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NumericId) and other.number == self.number

    def __lt__(self, other: object) -> bool:
        if isinstance(other, NumericId):
            return self.number < other.number
        if isinstance(other, str):
            return True
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("NumericId", self.number))


def reference_key(name: str) -> tuple:
    """Segments of a resource name in Firestore's order (string segments stay strings)."""
    parts = name.split("/")
    if "__id" not in name:
        return tuple(parts)
    return tuple(
        segment if (number := numeric_id(segment)) is None else NumericId(number)
        for segment in parts
    )


def vector_items(value):
    """The elements of a vector value, or None when ``value`` is not a vector."""
    if kind(value) != "map_value":
        return None
    fields = value.map_value.fields
    marker = fields.get("__type__")
    if marker is None or marker.WhichOneof("value_type") != "string_value":
        return None
    if marker.string_value != VECTOR_TYPE:
        return None
    items = fields.get("value")
    if items is None or kind(items) != "array_value":
        return None
    return items.array_value.values


def kind(value) -> str | None:
    return value.WhichOneof("value_type")


def sort_key(value) -> tuple:
    """A tuple whose Python ordering is Firestore's ordering; equal keys mean equal values."""
    which = kind(value)
    if which is None or which == "null_value":
        return (NULL,)
    if which == "boolean_value":
        return (BOOLEAN, value.boolean_value)
    if which == "integer_value":
        return (NUMBER, 1, value.integer_value)
    if which == "double_value":
        number = value.double_value
        return (NUMBER, 0) if math.isnan(number) else (NUMBER, 1, number)
    if which == "timestamp_value":
        return (TIMESTAMP, value.timestamp_value.seconds, value.timestamp_value.nanos)
    if which == "string_value":
        return (STRING, value.string_value)
    if which == "bytes_value":
        return (BYTES, value.bytes_value)
    if which == "reference_value":
        return (REFERENCE, reference_key(value.reference_value))
    if which == "geo_point_value":
        return (GEOPOINT, value.geo_point_value.latitude, value.geo_point_value.longitude)
    if which == "array_value":
        return (ARRAY, tuple(sort_key(item) for item in value.array_value.values))
    fields = value.map_value.fields
    if "__type__" in fields and (items := vector_items(value)) is not None:
        return (VECTOR, len(items), tuple(sort_key(item) for item in items))
    return (MAP, tuple((key, sort_key(fields[key])) for key in sorted(fields)))


def equal(a, b) -> bool:
    return sort_key(a) == sort_key(b)


def is_nan(value) -> bool:
    return kind(value) == "double_value" and math.isnan(value.double_value)


def is_null(value) -> bool:
    return kind(value) in (None, "null_value")


def is_number(value) -> bool:
    return kind(value) in ("integer_value", "double_value")


def number(value) -> int | float:
    return value.integer_value if kind(value) == "integer_value" else value.double_value


def make_number(result: int | float):
    value = protos.Value()
    if isinstance(result, int):
        value.integer_value = result
    else:
        value.double_value = result
    return value


def contains(values: Iterable, needle) -> bool:
    key = sort_key(needle)
    return any(sort_key(item) == key for item in values)


def get_field(fields, path: FieldPath):
    """The Value at ``path`` in a document's fields map, or None when absent."""
    current = fields
    last = len(path) - 1
    for index, segment in enumerate(path):
        value = current.get(segment)
        if value is None:
            return None
        if index == last:
            return value
        if kind(value) != "map_value":
            return None
        current = value.map_value.fields
    return None


def set_field(fields, path: FieldPath, value) -> None:
    """Sets ``path``, turning missing or non-map parents into maps."""
    current = fields
    for segment in path[:-1]:
        existing = current.get(segment)
        if existing is None or kind(existing) != "map_value":
            current[segment].map_value.SetInParent()
            current[segment].map_value.fields.clear()
        current = current[segment].map_value.fields
    current[path[-1]].CopyFrom(value)


def delete_field(fields, path: FieldPath) -> None:
    current = fields
    for segment in path[:-1]:
        existing = current.get(segment)
        if existing is None or kind(existing) != "map_value":
            return
        current = existing.map_value.fields
    if path[-1] in current:
        del current[path[-1]]


def timestamp_value(micros: int):
    value = protos.Value()
    value.timestamp_value.seconds = micros // 1_000_000
    value.timestamp_value.nanos = (micros % 1_000_000) * 1000
    return value


def size_of_fields(fields) -> int:
    """Storage size in bytes as cloud.google.com/firestore/docs/storage-size counts it."""
    return sum(len(key.encode()) + 1 + size_of_value(value) for key, value in fields.items())


def size_of_value(value) -> int:
    which = kind(value)
    if which == "string_value":
        return len(value.string_value.encode()) + 1
    if which == "bytes_value":
        return len(value.bytes_value)
    if which == "reference_value":
        return len(value.reference_value.encode()) + 1
    if which in ("integer_value", "double_value", "timestamp_value"):
        return 8
    if which == "geo_point_value":
        return 16
    if which == "array_value":
        return sum(size_of_value(item) for item in value.array_value.values)
    if which == "map_value":
        return size_of_fields(value.map_value.fields)
    return 1


def to_python(value) -> Any:
    """A plain-Python view for the rules engine (datetime in UTC, LatLng, Reference)."""
    from emulators.firestore.rules import LatLng, Reference

    which = kind(value)
    if which is None or which == "null_value":
        return None
    if which == "boolean_value":
        return value.boolean_value
    if which == "integer_value":
        return value.integer_value
    if which == "double_value":
        return value.double_value
    if which == "timestamp_value":
        stamp = value.timestamp_value
        return datetime.fromtimestamp(stamp.seconds, UTC) + timedelta(
            microseconds=stamp.nanos // 1000
        )
    if which == "string_value":
        return value.string_value
    if which == "bytes_value":
        return value.bytes_value
    if which == "reference_value":
        return Reference(reference_path(value.reference_value))
    if which == "geo_point_value":
        return LatLng(value.geo_point_value.latitude, value.geo_point_value.longitude)
    if which == "array_value":
        return [to_python(item) for item in value.array_value.values]
    return fields_to_python(value.map_value.fields)


def fields_to_python(fields) -> dict[str, Any]:
    return {key: to_python(item) for key, item in fields.items()}


def reference_path(name: str) -> str:
    """``projects/p/databases/d/documents/a/b`` -> ``/databases/d/documents/a/b`` (rules form)."""
    parts = name.split("/")
    return "/" + "/".join(parts[2:]) if len(parts) > 2 and parts[0] == "projects" else name
