"""Methods of Rules values: ``'abc'.size()``, ``list.hasAll(...)``, ``map.diff(...)``...

Reference: firebase.google.com/docs/reference/rules/rules.String (and .List, .Map,
.Set, .MapDiff, .Bytes, .Timestamp, .Duration, .LatLng, .Path).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from emulators.firestore.rules.errors import EvaluationError
from emulators.firestore.rules.values import (
    NANOS_PER_SECOND,
    Duration,
    LatLng,
    MapDiff,
    PartialMap,
    PathBinding,
    RulesPath,
    RulesSet,
    Timestamp,
    check_int,
    type_name,
    values_equal,
)
from emulators.rules_support import InvalidPattern, compile_pattern

EARTH_RADIUS_METERS = 6_371_008.8  # mean Earth radius (IUGG)


def call_method(target: Any, name: str, args: list[Any]) -> Any:
    if isinstance(target, PartialMap):
        return partial_map_method(target, name, args)
    kind = type_name(target)
    method = METHODS.get(kind, {}).get(name)
    if method is None:
        raise EvaluationError(f"{kind} has no method {name}()")
    function, arity = method
    if len(args) not in arity:
        raise EvaluationError(f"{kind}.{name}() takes {' or '.join(map(str, arity))} arguments")
    return function(target, *args)


# Helpers -------------------------------------------------------------------------------


def expect(value: Any, *kinds: str, what: str = "argument") -> Any:
    actual = type_name(value)
    if actual not in kinds and not ("number" in kinds and actual in ("int", "float")):
        raise EvaluationError(f"{what} must be {' or '.join(kinds)}, not {actual}")
    return value


def elements(value: Any) -> list[Any]:
    """Items of a list or set argument."""
    expect(value, "list", "set")
    return value.items if isinstance(value, RulesSet) else value


def contains(items: list[Any], value: Any) -> bool:
    return any(values_equal(value, item) for item in items)


def compile_regex(pattern: Any) -> Any:
    expect(pattern, "string", what="regular expression")
    try:
        return compile_pattern(pattern)
    except InvalidPattern as error:
        raise EvaluationError(f"bad regular expression {pattern!r}: {error}") from None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_slice(text: str, start: int, end: int) -> str:
    """``text[start:end]`` counted in UTF-16 code units, like ``size()``; cutting a
    surrogate pair leaves a lone surrogate, as a Java string would."""
    if text.isascii():
        return text[start:end]
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")


def check_index(index: Any, size: int) -> int:
    expect(index, "int", what="index")
    if not 0 <= index < size:
        raise EvaluationError(f"index {index} out of range")
    return index


def check_range(start: Any, end: Any, size: int) -> tuple[int, int]:
    start = 0 if start is None else start
    end = size if end is None else end
    expect(start, "int", what="range start")
    expect(end, "int", what="range end")
    if not 0 <= start <= end <= size:
        raise EvaluationError(f"range [{start}:{end}] out of bounds for size {size}")
    return start, end


# Strings -------------------------------------------------------------------------------


def string_replace(text: str, pattern: Any, replacement: Any) -> str:
    regex = compile_regex(pattern)
    expect(replacement, "string", what="replacement")

    # RE2 GlobalReplace syntax: \0..\9 name groups, \\ is a backslash.
    def expand(match: Any) -> str:
        out: list[str] = []
        i = 0
        while i < len(replacement):
            ch = replacement[i]
            if ch == "\\" and i + 1 < len(replacement):
                nxt = replacement[i + 1]
                if nxt.isdigit():
                    out.append(match.group(int(nxt)) or "")
                    i += 2
                    continue
                if nxt == "\\":
                    out.append("\\")
                    i += 2
                    continue
            out.append(ch)
            i += 1
        return "".join(out)

    return regex.sub(expand, text)


def string_split(text: str, pattern: Any) -> list[str]:
    return list(compile_regex(pattern).split(text))


def string_matches(text: str, pattern: Any) -> bool:
    # matches() is a full match in RE2 syntax (rules.String#matches).
    return compile_regex(pattern).fullmatch(text) is not None


STRING_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "size": (utf16_length, (0,)),
    "lower": (lambda s: s.lower(), (0,)),
    "upper": (lambda s: s.upper(), (0,)),
    "trim": (lambda s: s.strip(" \t\n\r\f\v"), (0,)),
    "matches": (string_matches, (1,)),
    "split": (string_split, (1,)),
    "replace": (string_replace, (2,)),
    "toUtf8": (lambda s: s.encode("utf-8"), (0,)),
}

# Lists and sets ------------------------------------------------------------------------


def list_join(items: list[Any], separator: Any) -> str:
    expect(separator, "string", what="separator")
    for item in items:
        expect(item, "string", what="joined element")
    return separator.join(items)


def list_remove_all(items: list[Any], other: Any) -> list[Any]:
    removed = elements(other)
    return [item for item in items if not contains(removed, item)]


def list_concat(items: list[Any], other: Any) -> list[Any]:
    expect(other, "list")
    return items + other


def has_all(items: list[Any], other: Any) -> bool:
    return all(contains(items, value) for value in elements(other))


def has_any(items: list[Any], other: Any) -> bool:
    return any(contains(items, value) for value in elements(other))


def has_only(items: list[Any], other: Any) -> bool:
    allowed = elements(other)
    return all(contains(allowed, value) for value in items)


LIST_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "size": (len, (0,)),
    "hasAll": (has_all, (1,)),
    "hasAny": (has_any, (1,)),
    "hasOnly": (has_only, (1,)),
    "join": (list_join, (1,)),
    "concat": (list_concat, (1,)),
    "removeAll": (list_remove_all, (1,)),
    "toSet": (RulesSet, (0,)),
}

SET_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "size": (len, (0,)),
    "hasAll": (lambda s, other: has_all(s.items, other), (1,)),
    "hasAny": (lambda s, other: has_any(s.items, other), (1,)),
    "hasOnly": (lambda s, other: has_only(s.items, other), (1,)),
    "intersection": (
        lambda s, other: RulesSet(x for x in s.items if contains(elements(other), x)),
        (1,),
    ),
    "union": (lambda s, other: RulesSet([*s.items, *elements(other)]), (1,)),
    "difference": (
        lambda s, other: RulesSet(x for x in s.items if not contains(elements(other), x)),
        (1,),
    ),
}

# Maps ----------------------------------------------------------------------------------


def map_get(mapping: dict[str, Any], key: Any, default: Any) -> Any:
    """``get(key, default)``; a list key walks nested maps (rules.Map#get)."""
    keys = key if isinstance(key, list) else [key]
    current: Any = mapping
    for part in keys:
        expect(part, "string", what="map key")
        if isinstance(current, PartialMap):
            current = current.field(part)
            continue
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current


def map_diff(mapping: dict[str, Any], other: Any) -> MapDiff:
    expect(other, "map", what="diff() argument")
    if isinstance(other, PartialMap):
        raise other.unknown_shape("diff()")
    return MapDiff(mapping, other)


MAP_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "size": (len, (0,)),
    "keys": (lambda m: list(m.keys()), (0,)),
    "values": (lambda m: list(m.values()), (0,)),
    "get": (map_get, (2,)),
    "diff": (map_diff, (1,)),
}


def partial_map_method(target: PartialMap, name: str, args: list[Any]) -> Any:
    if name == "get" and len(args) == 2:
        return map_get(target, args[0], args[1])  # type: ignore[arg-type]
    if name in MAP_METHODS:
        raise target.unknown_shape(f"{name}()")
    raise EvaluationError(f"map has no method {name}()")


def diff_added(d: MapDiff) -> RulesSet:
    return RulesSet(k for k in d.left if k not in d.right)


def diff_removed(d: MapDiff) -> RulesSet:
    return RulesSet(k for k in d.right if k not in d.left)


def diff_changed(d: MapDiff) -> RulesSet:
    return RulesSet(k for k in d.left if k in d.right and not values_equal(d.left[k], d.right[k]))


def diff_unchanged(d: MapDiff) -> RulesSet:
    return RulesSet(k for k in d.left if k in d.right and values_equal(d.left[k], d.right[k]))


def diff_affected(d: MapDiff) -> RulesSet:
    return RulesSet([*diff_added(d).items, *diff_removed(d).items, *diff_changed(d).items])


MAP_DIFF_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "addedKeys": (diff_added, (0,)),
    "removedKeys": (diff_removed, (0,)),
    "changedKeys": (diff_changed, (0,)),
    "unchangedKeys": (diff_unchanged, (0,)),
    "affectedKeys": (diff_affected, (0,)),
}

# Bytes ---------------------------------------------------------------------------------

BYTES_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "size": (len, (0,)),
    # rules.Bytes#toBase64 uses the base64url alphabet: b'\xFB\xEF\xBE' -> '----'.
    "toBase64": (lambda b: base64.urlsafe_b64encode(b).decode("ascii"), (0,)),
    "toHexString": (lambda b: b.hex().upper(), (0,)),
}

# Timestamps and durations --------------------------------------------------------------


def timestamp_part(attribute: str) -> Callable[[Timestamp], int]:
    return lambda ts: getattr(ts.to_datetime(), attribute)


def timestamp_date(ts: Timestamp) -> Timestamp:
    day = ts.to_datetime().replace(hour=0, minute=0, second=0)
    return Timestamp.from_datetime(day)


def timestamp_time(ts: Timestamp) -> Duration:
    return Duration(ts.nanos - timestamp_date(ts).nanos)


def timestamp_to_millis(ts: Timestamp) -> int:
    return ts.nanos // 1_000_000


TIMESTAMP_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "year": (timestamp_part("year"), (0,)),
    "month": (timestamp_part("month"), (0,)),
    "day": (timestamp_part("day"), (0,)),
    "hours": (timestamp_part("hour"), (0,)),
    "minutes": (timestamp_part("minute"), (0,)),
    "seconds": (timestamp_part("second"), (0,)),
    "nanos": (lambda ts: ts.subsecond_nanos, (0,)),
    # ISO weekday: Monday is 1, Sunday is 7.
    "dayOfWeek": (lambda ts: ts.to_datetime().isoweekday(), (0,)),
    "dayOfYear": (lambda ts: ts.to_datetime().timetuple().tm_yday, (0,)),
    "toMillis": (timestamp_to_millis, (0,)),
    "date": (timestamp_date, (0,)),
    "time": (timestamp_time, (0,)),
}

DURATION_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "seconds": (lambda d: d.seconds, (0,)),
    "nanos": (lambda d: d.subsecond_nanos, (0,)),
}

# LatLng --------------------------------------------------------------------------------


def latlng_distance(point: LatLng, other: Any) -> float:
    expect(other, "latlng")
    lat1, lon1 = math.radians(point.latitude), math.radians(point.longitude)
    lat2, lon2 = math.radians(other.latitude), math.radians(other.longitude)
    haversine = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(haversine)))


LATLNG_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "distance": (latlng_distance, (1,)),
    "latitude": (lambda p: float(p.latitude), (0,)),
    "longitude": (lambda p: float(p.longitude), (0,)),
}

# Paths ---------------------------------------------------------------------------------


def path_bind(path: RulesPath, bindings: Any) -> RulesPath:
    expect(bindings, "map", what="bind() argument")
    segments: list[str | PathBinding] = []
    for segment in path.segments:
        if isinstance(segment, PathBinding):
            if segment.name not in bindings:
                raise EvaluationError(f"bind() has no value for '{segment.name}'")
            value = bindings[segment.name]
            segments.extend(path_segments_of(value))
        else:
            segments.append(segment)
    return RulesPath(tuple(segments))


def path_segments_of(value: Any) -> list[str]:
    """What ``$(value)`` contributes to a path: a path splices its segments."""
    if isinstance(value, RulesPath):
        return list(value.require_bound())
    if isinstance(value, str):
        return [value]
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    raise EvaluationError(f"cannot put a {type_name(value)} in a path")


PATH_METHODS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "bind": (path_bind, (1,)),
}

METHODS: dict[str, dict[str, tuple[Callable[..., Any], tuple[int, ...]]]] = {
    "string": STRING_METHODS,
    "list": LIST_METHODS,
    "set": SET_METHODS,
    "map": MAP_METHODS,
    "map_diff": MAP_DIFF_METHODS,
    "bytes": BYTES_METHODS,
    "timestamp": TIMESTAMP_METHODS,
    "duration": DURATION_METHODS,
    "latlng": LATLNG_METHODS,
    "path": PATH_METHODS,
}


def add_duration(ts: Timestamp, duration: Duration, sign: int = 1) -> Timestamp:
    return Timestamp.of(ts.nanos + sign * duration.nanos)


def duration_of(nanos: int) -> Duration:
    check_int(nanos // NANOS_PER_SECOND)
    return Duration(nanos)


def utc_midnight(year: int, month: int, day: int) -> Timestamp:
    try:
        return Timestamp.from_datetime(dt.datetime(year, month, day, tzinfo=dt.UTC))
    except (ValueError, OverflowError) as error:
        raise EvaluationError(f"invalid date: {error}") from None
