"""The data tree: immutable nodes in the Realtime Database's export format.

A node is ``None`` (no data), a leaf (``str``, ``int``, ``float``, ``bool``), a leaf with a
priority (``{".value": v, ".priority": p}``), or a ``dict`` of non-empty children that may
carry ``".priority"``. Nodes are never mutated once built: a write copies the dicts along
its path, so the tree before and after a write can be compared cheaply (rules need both).
That format is also what the JS SDK accepts on the wire, so a node is sent as it is.
"""

from __future__ import annotations

import math
from typing import Any

from emulators.database.paths import Path, is_valid_key

Node = Any  # None | str | int | float | bool | dict

PRIORITY = ".priority"
VALUE = ".value"
SERVER_VALUE = ".sv"


class InvalidData(ValueError):
    pass


def is_leaf(node: Node) -> bool:
    return node is not None and (not isinstance(node, dict) or VALUE in node)


def leaf_value(node: Node) -> Any:
    return node[VALUE] if isinstance(node, dict) else node


def priority_of(node: Node) -> Any:
    return node.get(PRIORITY) if isinstance(node, dict) else None


def children(node: Node) -> dict[str, Node]:
    if not isinstance(node, dict) or VALUE in node:
        return {}
    return {key: child for key, child in node.items() if key != PRIORITY}


def child(node: Node, key: str) -> Node:
    if not isinstance(node, dict) or VALUE in node or key == PRIORITY:
        return None
    return node.get(key)


def get(node: Node, path: Path) -> Node:
    for key in path:
        node = child(node, key)
        if node is None:
            return None
    return node


def location_of(path: Path) -> Path:
    """The node a write at ``path`` changes: a ``.priority`` write changes the one above."""
    return path[:-1] if path and path[-1] == PRIORITY else path


def with_priority(node: Node, priority: Any) -> Node:
    """The node with its priority replaced (``None`` removes it)."""
    if node is None:
        return None
    if is_leaf(node):
        value = leaf_value(node)
        return value if priority is None else {VALUE: value, PRIORITY: priority}
    result = children(node)
    if priority is not None:
        result[PRIORITY] = priority
    return result


def set_at(root: Node, path: Path, new: Node) -> Node:
    """A new root with ``new`` at ``path``; empty parents disappear, as in the database.
    A path ending in ``.priority`` sets the priority of the node above it."""
    if path and path[-1] == PRIORITY:
        target = get(root, path[:-1])
        return set_at(root, path[:-1], with_priority(target, new))
    if not path:
        return new
    key, rest = path[0], path[1:]
    current = child(root, key)
    replacement = set_at(current, rest, new)
    # writing under a leaf (or nothing) replaces it with children
    result = dict(root) if isinstance(root, dict) and VALUE not in root else {}
    if replacement is None:
        result.pop(key, None)
    else:
        result[key] = replacement
    if not any(k != PRIORITY for k in result):
        return None
    return result


def to_plain(node: Node) -> Any:
    """The value without priorities, as ``snapshot.val()`` gives it."""
    if node is None or not isinstance(node, dict):
        return node
    if VALUE in node:
        return node[VALUE]
    return {key: to_plain(value) for key, value in node.items() if key != PRIORITY}


def to_rest(node: Node) -> Any:
    """Plain value with objects whose keys are mostly small integers turned into arrays,
    as the REST API answers (and as the SDKs' ``val()`` does)."""
    if node is None or not isinstance(node, dict):
        return node
    if VALUE in node:
        return node[VALUE]
    kids = children(node)
    converted = {key: to_rest(value) for key, value in kids.items()}
    if kids and all(key == "0" or (key.isdigit() and key[0] != "0") for key in kids):
        highest = max(int(key) for key in kids)
        if highest < 2 * len(kids):
            return [converted.get(str(index)) for index in range(highest + 1)]
    return converted


def normalize(value: Any, where: str = "/") -> Node:
    """Validate JSON from a client and turn it into a node (server values must already
    be resolved). Raises InvalidData with a message naming the bad location."""
    if value is None:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise InvalidData(f"Invalid number at {where}")
        return value
    if isinstance(value, list):
        value = {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, dict):
        raise InvalidData(f"Invalid data at {where}")
    if SERVER_VALUE in value:
        raise InvalidData(f"Invalid server value at {where}")
    priority = value.get(PRIORITY)
    check_priority(priority, where)
    if VALUE in value:
        extra = set(value) - {VALUE, PRIORITY}
        if extra:
            raise InvalidData(f"Invalid data at {where}: .value cannot have siblings")
        leaf = normalize(value[VALUE], where)
        if leaf is not None and not is_leaf(leaf):
            raise InvalidData(f"Invalid data at {where}: .value must be a primitive")
        return with_priority(leaf, priority)
    result: dict[str, Node] = {}
    for key, item in value.items():
        if key == PRIORITY:
            continue
        if not isinstance(key, str) or not is_valid_key(key):
            raise InvalidData(f"Invalid key {key!r} at {where}")
        normalized = normalize(item, f"{where.rstrip('/')}/{key}")
        if normalized is not None:
            result[key] = normalized
    if not result:
        return None
    if priority is not None:
        result[PRIORITY] = priority
    return result


def check_priority(priority: Any, where: str) -> None:
    if priority is None or isinstance(priority, str):
        return
    if isinstance(priority, int | float) and not isinstance(priority, bool):
        return
    raise InvalidData(f"Invalid priority at {where}: must be a string, number or null")


def resolve_server_values(value: Any, current: Node, now_ms: int) -> Any:
    """Replace ``{".sv": "timestamp"}`` and ``{".sv": {"increment": n}}`` placeholders.
    ``current`` is the existing node at the same location (increment adds to it)."""
    if isinstance(value, list):
        value = {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, dict):
        return value
    if SERVER_VALUE in value:
        return _server_value(value[SERVER_VALUE], current, now_ms)
    return {
        key: item if key == PRIORITY else resolve_server_values(item, child(current, key), now_ms)
        for key, item in value.items()
    }


def _server_value(spec: Any, current: Node, now_ms: int) -> Any:
    if spec == "timestamp":
        return now_ms
    if isinstance(spec, dict) and set(spec) == {"increment"}:
        delta = spec["increment"]
        if not isinstance(delta, int | float) or isinstance(delta, bool):
            raise InvalidData("increment needs a number")
        base = leaf_value(current) if is_leaf(current) else None
        if not isinstance(base, int | float) or isinstance(base, bool):
            return delta
        total = base + delta
        if isinstance(total, int) and abs(total) > 2**53:
            return float(total)
        return total
    raise InvalidData(f"Unknown server value {spec!r}")
