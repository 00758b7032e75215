"""Queries: ordering by key, value, priority or a child, ranges and limits.

The same ``QuerySpec`` serves the WebSocket protocol (the SDK's query object ``q``) and
the REST API (``orderBy``, ``startAt``... parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulators.database import ordering, paths, tree

KEY_INDEX = ".key"
VALUE_INDEX = ".value"
PRIORITY_INDEX = ".priority"


class InvalidQuery(ValueError):
    pass


@dataclass(frozen=True)
class Bound:
    value: Any
    name: str | None
    inclusive: bool


@dataclass(frozen=True)
class QuerySpec:
    index: str = PRIORITY_INDEX  # ".key", ".value", ".priority" or a child path "a/b"
    start: Bound | None = None
    end: Bound | None = None
    limit: int | None = None
    from_left: bool = True

    @property
    def is_default(self) -> bool:
        return self.start is None and self.end is None and self.limit is None

    @property
    def child_path(self) -> paths.Path | None:
        if self.index in (KEY_INDEX, VALUE_INDEX, PRIORITY_INDEX):
            return None
        return tuple(part for part in self.index.split("/") if part)

    def needs_index(self) -> str | None:
        """The ``.indexOn`` entry this query needs (None for key and priority order)."""
        if self.index == VALUE_INDEX:
            return ".value"
        if self.index in (KEY_INDEX, PRIORITY_INDEX):
            return None
        return self.index

    def filter(self, node: tree.Node) -> tree.Node:
        """The children of ``node`` this query selects (a leaf selects nothing)."""
        if self.is_default:
            return node
        kids = tree.children(node)
        if not kids:
            return None
        keyed = [(self._item_key(name, kid), name, kid) for name, kid in kids.items()]
        keyed.sort(key=lambda entry: entry[0])
        if self.start is not None:
            low, inclusive = self._bound_key(self.start, ordering.MIN_NAME), self.start.inclusive
            keyed = [entry for entry in keyed if _above(entry[0], low, inclusive)]
        if self.end is not None:
            high, inclusive = self._bound_key(self.end, ordering.MAX_NAME), self.end.inclusive
            keyed = [entry for entry in keyed if _above(high, entry[0], inclusive)]
        if self.limit is not None:
            cut = self.limit if self.from_left else max(0, len(keyed) - self.limit)
            keyed = keyed[:cut] if self.from_left else keyed[cut:]
        return {name: kid for _, name, kid in keyed} or None

    def _item_key(self, name: str, node: tree.Node) -> tuple:
        if self.index == KEY_INDEX:
            return (ordering.key_sort_key(name),)
        if self.index == PRIORITY_INDEX:
            return ordering.priority_sort_key(name, node)
        indexed = node if self.index == VALUE_INDEX else tree.get(node, self.child_path or ())
        return (ordering.value_sort_key(indexed), ordering.key_sort_key(name))

    def _bound_key(self, bound: Bound, default_name: str) -> tuple:
        if self.index == KEY_INDEX:
            return (ordering.key_sort_key(bound.value),)
        name = bound.name if bound.name is not None else default_name
        return (ordering.value_sort_key(bound.value), ordering.key_sort_key(name))

    def wire_id(self) -> str:
        """A stable identity for this query on a connection."""
        if self.is_default:
            return "default"
        parts = [self.index, _bound_json(self.start), _bound_json(self.end)]
        return json.dumps([*parts, self.limit, self.from_left])


def _above(key: tuple, bound: tuple, inclusive: bool) -> bool:
    return key >= bound if inclusive else key > bound


def _bound_json(bound: Bound | None) -> Any:
    return None if bound is None else [bound.value, bound.name, bound.inclusive]


def _check_bound_value(value: Any, index: str) -> None:
    if index == KEY_INDEX:
        if not isinstance(value, str):
            raise InvalidQuery("Query by key requires a string bound")
        return
    if value is not None and not isinstance(value, str | int | float | bool):
        raise InvalidQuery("Query bounds must be null, a boolean, a number or a string")


def from_wire(q: dict | None) -> QuerySpec:
    """The SDK's query object: sp/sn/sin, ep/en/ein, l, vf, i."""
    if not q:
        return QuerySpec()
    if not isinstance(q, dict):
        raise InvalidQuery("query must be an object")
    index = q.get("i", PRIORITY_INDEX)
    if not isinstance(index, str):
        raise InvalidQuery("index must be a string")
    start = end = None
    if "sp" in q:
        _check_bound_value(q["sp"], index)
        start = Bound(q["sp"], q.get("sn"), bool(q.get("sin", True)))
    if "ep" in q:
        _check_bound_value(q["ep"], index)
        end = Bound(q["ep"], q.get("en"), bool(q.get("ein", True)))
    limit = q.get("l")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        raise InvalidQuery("limit must be a positive integer")
    return QuerySpec(index, start, end, limit, q.get("vf", "l") != "r")


def from_rest(params: dict[str, str]) -> QuerySpec:
    """REST parameters; raises InvalidQuery with Google's wording where it matters."""
    names = ("startAt", "startAfter", "endAt", "endBefore", "equalTo")
    names += ("limitToFirst", "limitToLast")
    if "orderBy" not in params:
        if any(name in params for name in names):
            raise InvalidQuery("orderBy must be defined when other query parameters are defined")
        return QuerySpec()
    order_by = _json_param(params["orderBy"], "orderBy")
    if not isinstance(order_by, str) or not order_by:
        raise InvalidQuery("orderBy must be a valid JSON encoded path")
    index = {"$key": KEY_INDEX, "$value": VALUE_INDEX, "$priority": PRIORITY_INDEX}.get(order_by)
    if index is None:
        try:
            index = "/".join(paths.parse(order_by))
        except paths.InvalidPath as exc:
            raise InvalidQuery(f"orderBy must be a valid JSON encoded path: {exc}") from None
    start = end = None
    if "equalTo" in params:
        if any(name in params for name in names[:4]):
            raise InvalidQuery("equalTo cannot be combined with startAt/endAt")
        value, name = _bound_param(params["equalTo"], "equalTo", index)
        start = Bound(value, name, True)
        end = Bound(value, name, True)
    for param, inclusive in (("startAt", True), ("startAfter", False)):
        if param in params:
            value, name = _bound_param(params[param], param, index)
            if not inclusive and name is None and index != KEY_INDEX:
                name = ordering.MAX_NAME
            start = Bound(value, name, inclusive)
    for param, inclusive in (("endAt", True), ("endBefore", False)):
        if param in params:
            value, name = _bound_param(params[param], param, index)
            if not inclusive and name is None and index != KEY_INDEX:
                name = ordering.MIN_NAME
            end = Bound(value, name, inclusive)
    if "limitToFirst" in params and "limitToLast" in params:
        raise InvalidQuery("Only one of limitToFirst and limitToLast can be set")
    limit, from_left = None, True
    for param in ("limitToFirst", "limitToLast"):
        if param in params:
            try:
                limit = int(params[param])
            except ValueError:
                raise InvalidQuery(f"{param} must be a positive integer") from None
            if limit <= 0:
                raise InvalidQuery(f"{param} must be a positive integer")
            from_left = param == "limitToFirst"
    return QuerySpec(index, start, end, limit, from_left)


def _json_param(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidQuery(f"{name} must be JSON (strings in double quotes)") from None


def _bound_param(text: str, name: str, index: str) -> tuple[Any, str | None]:
    """``5`` or ``"a"`` or ``5,"key"`` (a value and a key to break ties)."""
    decoder = json.JSONDecoder()
    try:
        value, position = decoder.raw_decode(text)
    except ValueError:
        raise InvalidQuery(f"{name} must be JSON (strings in double quotes)") from None
    key = None
    rest = text[position:].strip()
    if rest:
        if not rest.startswith(","):
            raise InvalidQuery(f"{name} must be JSON (strings in double quotes)")
        key = _json_param(rest[1:], name)
        if not isinstance(key, str):
            raise InvalidQuery(f"{name} key must be a string")
    _check_bound_value(value, index)
    return value, key
