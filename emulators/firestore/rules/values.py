"""Values of the Rules language and how they compare.

Plain Python stands for the simple types: ``None`` (null), ``bool``, ``int``, ``float``,
``str``, ``bytes``, ``list`` and ``dict`` (map, string keys). The classes below cover
the rest: timestamp, duration, path, set, latlng, MapDiff, and the partly known
document a list query stands for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from emulators.firestore.rules.errors import EvaluationError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
NANOS_PER_SECOND = 1_000_000_000
# Firestore timestamps span 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
MIN_TIMESTAMP_NANOS = -62135596800 * NANOS_PER_SECOND
MAX_TIMESTAMP_NANOS = 253402300800 * NANOS_PER_SECOND - 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class LatLng:
    """A geographic point, as stored in a document (Firestore GeoPoint)."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Reference:
    """A document reference stored in a document; rules see it as a path."""

    path: str


@dataclass(frozen=True, order=True)
class Timestamp:
    """UTC instant with nanosecond precision, counted from the Unix epoch."""

    nanos: int

    @staticmethod
    def of(nanos: int) -> Timestamp:
        if not MIN_TIMESTAMP_NANOS <= nanos <= MAX_TIMESTAMP_NANOS:
            raise EvaluationError("timestamp out of range")
        return Timestamp(nanos)

    @staticmethod
    def from_datetime(value: dt.datetime) -> Timestamp:
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        delta = value - EPOCH
        nanos = (delta.days * 86400 + delta.seconds) * NANOS_PER_SECOND
        # google.api_core's DatetimeWithNanoseconds keeps nanoseconds beyond microseconds.
        extra_nanos = getattr(value, "nanosecond", None)
        nanos += extra_nanos if extra_nanos else delta.microseconds * 1000
        return Timestamp(nanos)

    def to_datetime(self) -> dt.datetime:
        seconds, _ = divmod(self.nanos, NANOS_PER_SECOND)
        return EPOCH + dt.timedelta(seconds=seconds)

    @property
    def subsecond_nanos(self) -> int:
        return self.nanos % NANOS_PER_SECOND

    def __str__(self) -> str:
        text = self.to_datetime().strftime("%Y-%m-%dT%H:%M:%S")
        if self.subsecond_nanos:
            text += f".{self.subsecond_nanos:09d}".rstrip("0")
        return text + "Z"


@dataclass(frozen=True, order=True)
class Duration:
    """A signed span of time in nanoseconds."""

    nanos: int

    @property
    def seconds(self) -> int:
        # Like google.protobuf.Duration: seconds and nanos carry the same sign.
        whole = abs(self.nanos) // NANOS_PER_SECOND
        return whole if self.nanos >= 0 else -whole

    @property
    def subsecond_nanos(self) -> int:
        return self.nanos - self.seconds * NANOS_PER_SECOND

    def __str__(self) -> str:
        return f"{self.nanos / NANOS_PER_SECOND:g}s"


@dataclass(frozen=True)
class PathBinding:
    """A ``$(name)`` segment of a path literal whose name was not bound: ``bind()`` fills it."""

    name: str


@dataclass(frozen=True)
class RulesPath:
    """A path such as ``/databases/(default)/documents/rooms/r1``, as its segments."""

    segments: tuple[str | PathBinding, ...]

    @staticmethod
    def parse(text: str) -> RulesPath:
        return RulesPath(tuple(part for part in text.split("/") if part))

    def require_bound(self) -> tuple[str, ...]:
        for segment in self.segments:
            if isinstance(segment, PathBinding):
                raise EvaluationError(f"path variable '{segment.name}' is not bound")
        return self.segments  # type: ignore[return-value]

    def __str__(self) -> str:
        return "/" + "/".join(
            f"$({s.name})" if isinstance(s, PathBinding) else s for s in self.segments
        )


class RulesSet:
    """A set of values; elements compare with Rules equality (so ``1`` and ``1.0`` are one)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self.items: list[Any] = []
        for item in items:
            if not self.contains(item):
                self.items.append(item)

    def contains(self, value: Any) -> bool:
        return any(values_equal(value, item) for item in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"RulesSet({self.items!r})"


@dataclass(frozen=True)
class MapDiff:
    """The result of ``map.diff(other)``: ``left`` is the map diff() was called on."""

    left: dict[str, Any]
    right: dict[str, Any]


@dataclass(frozen=True)
class Unknown:
    """A value a list query does not determine (an unconstrained field, the id of the
    documents it returns). Reading it is an error, so the query is refused."""

    what: str


class PartialMap:
    """The ``resource.data`` of a list query: only the fields the query's equality
    constraints fix are known; asking for anything else is an error."""

    def __init__(self, known: dict[str, Any], where: str) -> None:
        self.known = known
        self.where = where

    def field(self, key: str) -> Any:
        if key in self.known:
            return self.known[key]
        raise EvaluationError(
            f"the query does not constrain {self.where}{key}: rules are not filters"
        )

    def unknown_shape(self, operation: str) -> EvaluationError:
        return EvaluationError(f"{operation} on {self.where.rstrip('.')} of a query is unknown")


@dataclass(frozen=True)
class ConstrainedValue:
    """A field of a list query known only through range constraints such as
    ``age > 20`` or ``status != 'x'``: a comparison is true when the constraints imply
    it for every document, and an error otherwise."""

    name: str
    constraints: tuple[tuple[str, Any], ...]  # (operator, value) from the query


@dataclass(frozen=True)
class Namespace:
    """A global namespace of functions: ``math``, ``hashing``, ``timestamp``..."""

    name: str


TYPE_NAMES = frozenset(
    {
        "bool",
        "bytes",
        "duration",
        "float",
        "int",
        "latlng",
        "list",
        "map",
        "map_diff",
        "null",
        "number",
        "path",
        "set",
        "string",
        "timestamp",
    }
)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (dict, PartialMap)):
        return "map"
    if isinstance(value, RulesSet):
        return "set"
    if isinstance(value, Timestamp):
        return "timestamp"
    if isinstance(value, Duration):
        return "duration"
    if isinstance(value, RulesPath):
        return "path"
    if isinstance(value, LatLng):
        return "latlng"
    if isinstance(value, MapDiff):
        return "map_diff"
    if isinstance(value, Namespace):
        return "namespace"
    reject_unknown(value)
    raise EvaluationError(f"unsupported value {value!r}")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_type(value: Any, name: str) -> bool:
    if name == "number":
        return is_number(value)
    return type_name(value) == name


def from_python(value: Any) -> Any:
    """A document value as the rules see it (datetime -> timestamp, Reference -> path)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, LatLng)):
        return value
    if isinstance(value, dt.datetime):
        return Timestamp.from_datetime(value)
    if isinstance(value, Reference):
        segments = RulesPath.parse(value.path).segments
        if segments[:1] == ("projects",):
            segments = segments[2:]
        return RulesPath(segments)
    if isinstance(value, dict):
        return {str(key): from_python(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_python(item) for item in value]
    if isinstance(value, (Timestamp, Duration, RulesPath, RulesSet)):
        return value
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        # google.cloud.firestore.GeoPoint and look-alikes.
        return LatLng(float(value.latitude), float(value.longitude))
    raise TypeError(f"cannot use {type(value).__name__} in a document")


def check_int(value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise EvaluationError("integer overflow")
    return value


def reject_unknown(value: Any) -> None:
    if isinstance(value, PartialMap):
        raise value.unknown_shape("comparison")
    if isinstance(value, Unknown):
        raise EvaluationError(f"{value.what} is not known for a query")
    if isinstance(value, ConstrainedValue):
        raise EvaluationError(f"{value.name} is only known to satisfy the query's range")


def values_equal(left: Any, right: Any) -> bool:
    """Rules ``==``: null equals only null, int and float compare by value,
    values of different types are unequal (not an error)."""
    reject_unknown(left)
    reject_unknown(right)
    if left is None or right is None:
        return left is None and right is None
    if is_number(left) and is_number(right):
        return left == right
    left_type, right_type = type_name(left), type_name(right)
    if left_type != right_type:
        return False
    if left_type == "list":
        return len(left) == len(right) and all(
            values_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if left_type == "map":
        return left.keys() == right.keys() and all(
            values_equal(left[key], right[key]) for key in left
        )
    if left_type == "set":
        return len(left) == len(right) and all(right.contains(item) for item in left.items)
    if left_type == "path":
        return left.require_bound() == right.require_bound()
    if left_type == "map_diff":
        return values_equal(left.left, right.left) and values_equal(left.right, right.right)
    return left == right


def compare(left: Any, right: Any) -> int:
    """Ordering for ``< <= > >=``: numbers, strings, bytes, timestamps, durations,
    and lists of those (lexicographically). Anything else is an error."""
    reject_unknown(left)
    reject_unknown(right)
    if is_number(left) and is_number(right):
        if math.isnan(left) or math.isnan(right):
            raise EvaluationError("NaN is not ordered")
        return (left > right) - (left < right)
    left_type, right_type = type_name(left), type_name(right)
    if left_type != right_type:
        raise EvaluationError(f"cannot compare {left_type} with {right_type}")
    if left_type in ("string", "bytes", "timestamp", "duration"):
        return (left > right) - (left < right)
    if left_type == "list":
        for a, b in zip(left, right, strict=False):
            if values_equal(a, b):
                continue
            return compare(a, b)
        return (len(left) > len(right)) - (len(left) < len(right))
    raise EvaluationError(f"{left_type} values are not ordered")


def describe(value: Any) -> str:
    """A short rendering of a value for traces and debug()."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(describe(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, RulesSet):
        return "set(" + ", ".join(describe(item) for item in value.items) + ")"
    if isinstance(value, (Timestamp, Duration, RulesPath)):
        return f"{type_name(value)}({value})"
    if isinstance(value, PartialMap):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.known.items()) + ", ...}"
    return repr(value)
