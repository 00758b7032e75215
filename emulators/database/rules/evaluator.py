"""Evaluates parsed rule expressions with the Realtime Database's semantics.

Values are JSON-like (None, bool, int/float, str, dict for ``auth``), RuleSnapshots, bound
methods and regexes. Type rules are stricter than JavaScript's: ``+`` takes strings and
numbers, other arithmetic only numbers, ``< <= > >=`` need the same type (string, number
or null). Property access on null or on a missing key gives null; anything else that goes
wrong raises RuleError, and a rule that errors denies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from emulators.database import ordering, tree
from emulators.database.paths import Path
from emulators.database.rules import parser as ast
from emulators.rules_support import InvalidPattern, compile_pattern


class RuleError(Exception):
    pass


class RuleSnapshot:
    """``data``, ``newData`` and ``root`` in rules: a location in one version of the tree."""

    def __init__(self, root: tree.Node, path: Path | None) -> None:
        self._root = root
        self._path = path  # None: a location that can never hold data (child(''))

    @property
    def node(self) -> tree.Node:
        return None if self._path is None else tree.get(self._root, self._path)

    def val(self) -> Any:
        return tree.to_plain(self.node)

    def child(self, path: Any) -> RuleSnapshot:
        if not isinstance(path, str):
            raise RuleError("child() needs a string")
        keys = tuple(part for part in path.split("/") if part)
        if self._path is None or not keys:
            return RuleSnapshot(self._root, None)
        return RuleSnapshot(self._root, self._path + keys)

    def parent(self) -> RuleSnapshot:
        if not self._path:
            raise RuleError("the root has no parent")
        return RuleSnapshot(self._root, self._path[:-1])

    def exists(self) -> bool:
        return self.node is not None

    def hasChild(self, path: Any) -> bool:
        if not isinstance(path, str):
            raise RuleError("hasChild() needs a string")
        return bool(path) and self.child(path).exists()

    def hasChildren(self, *names: Any) -> bool:
        if len(names) > 1:
            raise RuleError("hasChildren() takes at most one argument")
        if not names:
            node = self.node
            return node is not None and not tree.is_leaf(node) and bool(tree.children(node))
        keys = names[0]
        if not isinstance(keys, list) or not keys:
            raise RuleError("hasChildren() needs a non-empty array of strings")
        return all(self.hasChild(key) for key in keys)

    def isNumber(self) -> bool:
        value = self.val()
        return isinstance(value, int | float) and not isinstance(value, bool)

    def isString(self) -> bool:
        return isinstance(self.val(), str)

    def isBoolean(self) -> bool:
        return isinstance(self.val(), bool)

    def getPriority(self) -> Any:
        return tree.priority_of(self.node)


_SNAPSHOT_METHODS = {
    "val": 0,
    "child": 1,
    "parent": 0,
    "exists": 0,
    "hasChild": 1,
    "hasChildren": None,
    "isNumber": 0,
    "isString": 0,
    "isBoolean": 0,
    "getPriority": 0,
}


@dataclass(frozen=True)
class Method:
    function: Any
    arity: int | None
    name: str

    def call(self, arguments: list[Any]) -> Any:
        if self.arity is not None and len(arguments) != self.arity:
            raise RuleError(f"{self.name}() takes {self.arity} argument(s)")
        return self.function(*arguments)


@dataclass(frozen=True)
class CompiledRegex:
    pattern: Any
    source: str


def _string_methods(text: str) -> dict[str, Method]:
    def needs_strings(*values: Any) -> None:
        if not all(isinstance(value, str) for value in values):
            raise RuleError("string method needs string arguments")

    def contains(sub: Any) -> bool:
        needs_strings(sub)
        return sub in text

    def begins_with(sub: Any) -> bool:
        needs_strings(sub)
        return text.startswith(sub)

    def ends_with(sub: Any) -> bool:
        needs_strings(sub)
        return text.endswith(sub)

    def replace(old: Any, new: Any) -> str:
        needs_strings(old, new)
        return text.replace(old, new) if old else text

    def matches(regex: Any) -> bool:
        if not isinstance(regex, CompiledRegex):
            raise RuleError("matches() needs a regular expression literal")
        return regex.pattern.search(text) is not None

    return {
        "contains": Method(contains, 1, "contains"),
        "beginsWith": Method(begins_with, 1, "beginsWith"),
        "endsWith": Method(ends_with, 1, "endsWith"),
        "replace": Method(replace, 2, "replace"),
        "toLowerCase": Method(text.lower, 0, "toLowerCase"),
        "toUpperCase": Method(text.upper, 0, "toUpperCase"),
        "matches": Method(matches, 1, "matches"),
    }


def compile_regex(pattern: str, flags: str) -> CompiledRegex:
    if set(flags) - {"i"}:
        raise ValueError(f"unsupported regular expression flags {flags!r} (only 'i')")
    try:
        compiled = compile_pattern(pattern, ignore_case="i" in flags)
    except InvalidPattern as exc:
        raise ValueError(f"invalid regular expression /{pattern}/: {exc}") from None
    return CompiledRegex(compiled, f"/{pattern}/{flags}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def strict_equals(left: Any, right: Any) -> bool:
    """JavaScript ``===``: same type and value; objects only equal themselves."""
    left_type, right_type = _type_name(left), _type_name(right)
    if left_type != right_type:
        return False
    if left_type == "object":
        return left is right
    return left == right


def truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if _is_number(value):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _js_remainder(left: float, right: float) -> float:
    if right == 0:
        return math.nan
    result = math.fmod(left, right)
    if isinstance(left, int) and isinstance(right, int):
        return int(result)
    return result


class Evaluator:
    """Evaluates one expression against a scope of variables (auth, data, $uid...)."""

    def __init__(self, scope: dict[str, Any], regexes: dict[ast.Regex, CompiledRegex]) -> None:
        self.scope = scope
        self.regexes = regexes

    def evaluate(self, node: Any) -> Any:
        match node:
            case ast.Literal():
                return self._literal(node)
            case ast.Regex():
                return self._regex(node)
            case ast.Array():
                return self._array(node)
            case ast.Identifier():
                return self._identifier(node)
            case ast.Member():
                return self._member(node)
            case ast.Call():
                return self._call(node)
            case ast.Unary():
                return self._unary(node)
            case ast.Logical():
                return self._logical(node)
            case ast.Conditional():
                return self._conditional(node)
            case ast.Binary():
                return self._binary(node)
        raise RuleError(f"cannot evaluate a {type(node).__name__}")

    def _literal(self, node: ast.Literal) -> Any:
        return node.value

    def _regex(self, node: ast.Regex) -> CompiledRegex:
        return self.regexes[node]

    def _array(self, node: ast.Array) -> list[Any]:
        return [self.evaluate(element) for element in node.elements]

    def _identifier(self, node: ast.Identifier) -> Any:
        if node.name not in self.scope:
            raise RuleError(f"unknown variable {node.name}")
        return self.scope[node.name]

    def _member(self, node: ast.Member) -> Any:
        target = self.evaluate(node.target)
        name = self.evaluate(node.name) if node.computed else node.name
        if isinstance(target, str):
            if name == "length":
                return len(ordering.utf16(target)) // 2
            methods = _string_methods(target)
            return methods.get(name) if isinstance(name, str) else None
        if isinstance(target, RuleSnapshot):
            arity = _SNAPSHOT_METHODS.get(name) if isinstance(name, str) else None
            if isinstance(name, str) and name in _SNAPSHOT_METHODS:
                return Method(getattr(target, name), arity, name)
            return None
        if isinstance(target, dict):
            if _is_number(name):
                name = ordering.js_number_text(name)
            return target.get(name) if isinstance(name, str) else None
        return None  # null, numbers, booleans: no properties

    def _call(self, node: ast.Call) -> Any:
        callee = self.evaluate(node.callee)
        arguments = [self.evaluate(argument) for argument in node.arguments]
        if not isinstance(callee, Method):
            raise RuleError("not a function")
        return callee.call(arguments)

    def _unary(self, node: ast.Unary) -> Any:
        value = self.evaluate(node.operand)
        if node.operator == "!":
            return not truthy(value)
        if not _is_number(value):
            raise RuleError("unary - needs a number")
        return -value

    def _logical(self, node: ast.Logical) -> Any:
        left = self.evaluate(node.left)
        if node.operator == "&&":
            return self.evaluate(node.right) if truthy(left) else left
        return left if truthy(left) else self.evaluate(node.right)

    def _conditional(self, node: ast.Conditional) -> Any:
        test = self.evaluate(node.test)
        return self.evaluate(node.consequent if test is True else node.alternate)

    def _binary(self, node: ast.Binary) -> Any:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        operator = node.operator
        if operator in ("==", "==="):
            self._check_equality_operands(left, right)
            return strict_equals(left, right)
        if operator in ("!=", "!=="):
            self._check_equality_operands(left, right)
            return not strict_equals(left, right)
        if operator == "+":
            for value in (left, right):
                if not (isinstance(value, str) or _is_number(value)):
                    raise RuleError("+ needs strings or numbers")
            if isinstance(left, str) or isinstance(right, str):
                return _text(left) + _text(right)
            return left + right
        if operator in ("-", "*", "/", "%"):
            if not (_is_number(left) and _is_number(right)):
                raise RuleError(f"{operator} needs numbers")
            if operator == "-":
                return left - right
            if operator == "*":
                return left * right
            if operator == "/":
                if right == 0:
                    return math.nan
                quotient = left / right
                return (
                    int(quotient) if quotient.is_integer() and abs(quotient) < 2**53 else quotient
                )
            return _js_remainder(left, right)
        # comparisons
        left_type, right_type = _type_name(left), _type_name(right)
        if left_type not in ("string", "number", "null") or left_type != right_type:
            raise RuleError(f"{operator} needs two strings, two numbers or two nulls")
        if left_type == "null":
            return operator in ("<=", ">=")
        if left_type == "string":
            left, right = ordering.utf16(left), ordering.utf16(right)
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[operator]

    @staticmethod
    def _check_equality_operands(left: Any, right: Any) -> None:
        for value in (left, right):
            if isinstance(value, RuleSnapshot | Method | CompiledRegex):
                raise RuleError("cannot compare snapshots, functions or regular expressions")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ordering.js_number_text(value)
