"""Global functions: ``math.*``, ``hashing.*``, ``timestamp.*``, ``duration.*``,
``latlng.*`` and the conversions ``int()``, ``float()``, ``string()``, ``path()``.

Reference: firebase.google.com/docs/reference/rules/rules.math, rules.hashing,
rules.timestamp, rules.duration, rules.latlng, and the global functions of
firebase.google.com/docs/reference/rules/rules.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Callable
from typing import Any

import google_crc32c

from emulators.firestore.rules.errors import EvaluationError
from emulators.firestore.rules.methods import duration_of, expect, utc_midnight
from emulators.firestore.rules.values import (
    NANOS_PER_SECOND,
    Duration,
    LatLng,
    RulesPath,
    Timestamp,
    check_int,
    is_number,
    type_name,
)

DURATION_UNITS = {
    "w": 7 * 86400 * NANOS_PER_SECOND,
    "d": 86400 * NANOS_PER_SECOND,
    "h": 3600 * NANOS_PER_SECOND,
    "m": 60 * NANOS_PER_SECOND,
    "s": NANOS_PER_SECOND,
    "ms": 1_000_000,
    "ns": 1,
}


def number(value: Any) -> int | float:
    return expect(value, "number")


def to_int_result(value: float) -> int:
    if math.isnan(value) or math.isinf(value):
        raise EvaluationError("cannot convert NaN or infinity to int")
    return check_int(int(value))


def math_round(value: Any) -> int:
    value = finite(number(value))
    if isinstance(value, int):
        return value
    # Half away from zero: math.round(2.5) == 3 (rules.math#round).
    return to_int_result(math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5))


def math_floor(value: Any) -> int:
    value = finite(number(value))
    return value if isinstance(value, int) else to_int_result(math.floor(value))


def math_ceil(value: Any) -> int:
    value = finite(number(value))
    return value if isinstance(value, int) else to_int_result(math.ceil(value))


def finite(value: int | float) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        raise EvaluationError("NaN or infinity has no integer value")
    return value


def math_abs(value: Any) -> int | float:
    value = number(value)
    return check_int(abs(value)) if isinstance(value, int) else abs(value)


def math_sqrt(value: Any) -> float:
    value = float(number(value))
    return math.sqrt(value) if value >= 0 else math.nan


def math_pow(base: Any, exponent: Any) -> float:
    try:
        return math.pow(float(number(base)), float(number(exponent)))
    except (OverflowError, ValueError):
        raise EvaluationError("math.pow() out of range") from None


def hash_input(value: Any) -> bytes:
    expect(value, "string", "bytes", what="hashing input")
    return value.encode("utf-8") if isinstance(value, str) else value


def crc32(value: Any) -> bytes:
    return zlib.crc32(hash_input(value)).to_bytes(4, "big")


def crc32c(value: Any) -> bytes:
    return google_crc32c.value(hash_input(value)).to_bytes(4, "big")


def md5(value: Any) -> bytes:
    return hashlib.md5(hash_input(value)).digest()


def sha256(value: Any) -> bytes:
    return hashlib.sha256(hash_input(value)).digest()


def timestamp_date(year: Any, month: Any, day: Any) -> Timestamp:
    for part in (year, month, day):
        expect(part, "int", what="timestamp.date() argument")
    return utc_midnight(year, month, day)


def timestamp_value(epoch_millis: Any) -> Timestamp:
    expect(epoch_millis, "int", what="timestamp.value() argument")
    return Timestamp.of(epoch_millis * 1_000_000)


def duration_value(magnitude: Any, unit: Any) -> Duration:
    finite(number(magnitude))
    expect(unit, "string", what="duration unit")
    if unit not in DURATION_UNITS:
        raise EvaluationError(f"unknown duration unit {unit!r} (w, d, h, m, s, ms, ns)")
    return duration_of(round(magnitude * DURATION_UNITS[unit]))


def duration_time(hours: Any, minutes: Any, seconds: Any, nanos: Any) -> Duration:
    for part in (hours, minutes, seconds, nanos):
        expect(part, "int", what="duration.time() argument")
    total = ((hours * 60 + minutes) * 60 + seconds) * NANOS_PER_SECOND + nanos
    return duration_of(total)


def duration_abs(value: Any) -> Duration:
    expect(value, "duration")
    return Duration(abs(value.nanos))


def latlng_value(latitude: Any, longitude: Any) -> LatLng:
    latitude, longitude = float(number(latitude)), float(number(longitude))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise EvaluationError("latitude must be in [-90, 90] and longitude in [-180, 180]")
    return LatLng(latitude, longitude)


NAMESPACES: dict[str, dict[str, tuple[Callable[..., Any], int]]] = {
    "math": {
        "abs": (math_abs, 1),
        "ceil": (math_ceil, 1),
        "floor": (math_floor, 1),
        "round": (math_round, 1),
        "sqrt": (math_sqrt, 1),
        "pow": (math_pow, 2),
        "isInfinite": (lambda v: math.isinf(number(v)), 1),
        "isNaN": (lambda v: math.isnan(number(v)), 1),
    },
    "hashing": {
        "crc32": (crc32, 1),
        "crc32c": (crc32c, 1),
        "md5": (md5, 1),
        "sha256": (sha256, 1),
    },
    "timestamp": {
        "date": (timestamp_date, 3),
        "value": (timestamp_value, 1),
    },
    "duration": {
        "value": (duration_value, 2),
        "time": (duration_time, 4),
        "abs": (duration_abs, 1),
    },
    "latlng": {
        "value": (latlng_value, 2),
    },
}


def call_namespace(namespace: str, name: str, args: list[Any]) -> Any:
    entry = NAMESPACES[namespace].get(name)
    if entry is None:
        raise EvaluationError(f"{namespace}.{name}() does not exist")
    function, arity = entry
    if len(args) != arity:
        raise EvaluationError(f"{namespace}.{name}() takes {arity} arguments")
    return function(*args)


# Conversions ---------------------------------------------------------------------------


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise EvaluationError("int() does not take a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return to_int_result(value)
    if isinstance(value, str):
        try:
            return check_int(int(value.strip(), 10))
        except ValueError:
            raise EvaluationError(f"int() cannot parse {value!r}") from None
    raise EvaluationError(f"int() does not take a {type_name(value)}")


def to_float(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise EvaluationError(f"float() cannot parse {value!r}") from None
    raise EvaluationError(f"float() does not take a {type_name(value)}")


def to_string(value: Any) -> str:
    # rules.String: string(true) == "true", string(1) == "1", string(2.0) == "2.0",
    # string(null) == "null".
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, RulesPath):
        return str(value)
    raise EvaluationError(f"string() does not take a {type_name(value)}")


def to_path(value: Any) -> RulesPath:
    if isinstance(value, RulesPath):
        return value
    expect(value, "string", what="path() argument")
    return RulesPath.parse(value)


CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "int": to_int,
    "float": to_float,
    "string": to_string,
    "path": to_path,
}
