"""List queries: what ``resource`` stands for when a query is checked.

Rules are not filters (cloud.google.com/firestore/docs/security/rules-query): a query is
allowed only if the condition holds for every document it could return. Those documents
are known only through the query's constraints:

- ``field == v`` fixes the field; ``field in [a, b]`` is checked once per value;
- a range or inequality (``<``, ``<=``, ``>``, ``>=``, ``!=``, ``not-in``) makes the field
  a ``ConstrainedValue``: comparing it with a constant is true when the constraints imply
  the comparison for every value, and an error otherwise;
- any other field, the document id and the document name are unknown (an error).
"""

from __future__ import annotations

import itertools
from typing import Any

from emulators.firestore.rules.errors import EvaluationError
from emulators.firestore.rules.values import (
    ConstrainedValue,
    PartialMap,
    RulesPath,
    Unknown,
    compare,
    describe,
    from_python,
    values_equal,
)

RANGE_OPERATORS = ("<", "<=", ">", ">=", "!=", "not-in")
NAME_FIELD = "__name__"
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def resources_to_check(filters: list[tuple[str, str, Any]]) -> list[tuple[str, Any]]:
    """The ``resource`` values standing for the query's documents, each with a label for
    the trace; the query is allowed only if every one of them is."""
    fixed: list[tuple[str, Any]] = []
    alternatives: list[list[tuple[str, Any]]] = []
    ranges: dict[str, list[tuple[str, Any]]] = {}
    for field_path, op, value in filters:
        if field_path == NAME_FIELD:
            if op == "==":
                fixed.append((field_path, value))
            continue  # other document-name constraints prove nothing here
        if op == "==":
            fixed.append((field_path, value))
        elif op == "in" and isinstance(value, (list, tuple)) and value:
            alternatives.append([(field_path, item) for item in value])
        elif op in RANGE_OPERATORS:
            ranges.setdefault(field_path, []).append((op, from_python(value)))
    checks = []
    for choice in itertools.product(*alternatives):
        equalities = fixed + list(choice)
        label = " and ".join(f"{f} == {describe(from_python(v))}" for f, v in equalities)
        checks.append((f"where {label}" if label else "", partial_resource(equalities, ranges)))
    return checks


def partial_resource(
    equalities: list[tuple[str, Any]], ranges: dict[str, list[tuple[str, Any]]]
) -> dict[str, Any]:
    data = PartialMap({}, "resource.data.")
    resource: dict[str, Any] = {
        "data": data,
        "id": Unknown("resource.id"),
        "__name__": Unknown("resource.__name__"),
    }
    for field_path, constraints in ranges.items():
        name = f"resource.data.{field_path}"
        set_field(data, field_path, ConstrainedValue(name, tuple(constraints)))
    for field_path, value in equalities:
        if field_path == NAME_FIELD:
            # where(documentId(), '==', ...): the one document is known by name.
            name = from_python(value)
            if isinstance(name, RulesPath) and name.segments:
                resource["__name__"] = name
                resource["id"] = name.segments[-1]
            continue
        set_field(data, field_path, from_python(value))
    return resource


def split_field_path(field_path: str) -> list[str]:
    """Segments of a field path: ``a.b``, with `back-quoted` segments for other names."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(field_path):
        ch = field_path[index]
        if quoted and ch == "\\" and index + 1 < len(field_path):
            current.append(field_path[index + 1])
            index += 2
            continue
        if ch == "`":
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        index += 1
    parts.append("".join(current))
    return parts


def set_field(data: PartialMap, field_path: str, value: Any) -> None:
    parts = split_field_path(field_path)
    current = data
    for depth, part in enumerate(parts[:-1]):
        child = current.known.get(part)
        if not isinstance(child, PartialMap):
            child = PartialMap({}, f"resource.data.{'.'.join(parts[: depth + 1])}.")
            current.known[part] = child
        current = child
    current.known[parts[-1]] = value


def compare_constrained(op: str, left: Any, right: Any) -> bool:
    """``left op right`` where one side is a ``ConstrainedValue`` and the other a value."""
    if isinstance(left, ConstrainedValue) and isinstance(right, ConstrainedValue):
        raise EvaluationError("cannot compare two fields constrained by a query")
    if isinstance(right, ConstrainedValue):
        return compare_constrained(FLIPPED[op], right, left)
    if implied(op, right, left.constraints):
        return True
    raise EvaluationError(
        f"the query does not guarantee {left.name} {op} {describe(right)}: rules are not filters"
    )


def implied(op: str, bound: Any, constraints: tuple[tuple[str, Any], ...]) -> bool:
    """Whether every value satisfying all ``constraints`` satisfies ``value op bound``."""
    return any(implied_by(op, bound, c_op, c_value) for c_op, c_value in constraints)


def implied_by(op: str, bound: Any, c_op: str, c_value: Any) -> bool:
    if c_op == "not-in":
        return (
            op == "!="
            and isinstance(c_value, list)
            and any(values_equal(bound, item) for item in c_value)
        )
    if c_op == "!=":
        return op == "!=" and values_equal(bound, c_value)
    try:
        order = compare(c_value, bound)
    except EvaluationError:
        return False  # a range constraint only admits values of its own type
    upper = c_op in ("<", "<=")
    strict = c_op in ("<", ">")
    if op == "!=":
        # v > c >= bound, v >= c > bound, v < c <= bound, v <= c < bound exclude bound.
        if upper:
            return order <= 0 if strict else order < 0
        return order >= 0 if strict else order > 0
    if op in ("<", "<="):
        if not upper:
            return False
        if op == "<=" or strict:
            return order <= 0
        return order < 0
    if op in (">", ">="):
        if upper:
            return False
        if op == ">=" or strict:
            return order >= 0
        return order > 0
    return False
