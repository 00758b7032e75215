"""Evaluates rule expressions against variables in lexical scopes.

Errors follow Google's evaluator: any error makes the expression an error, except
that ``&&`` and ``||`` absorb an error on either side when the other side decides
(``false && error`` and ``error && false`` are false, ``true || error`` and
``error || true`` are true). The allow statement treats a remaining error as false.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulators.firestore.rules import nodes
from emulators.firestore.rules.errors import CallDepthExceeded, EvaluationError
from emulators.firestore.rules.methods import (
    add_duration,
    call_method,
    check_index,
    check_range,
    path_segments_of,
    utf16_length,
    utf16_slice,
)
from emulators.firestore.rules.namespaces import CONVERSIONS, NAMESPACES, call_namespace
from emulators.firestore.rules.queries import compare_constrained
from emulators.firestore.rules.values import (
    ConstrainedValue,
    Duration,
    Namespace,
    PartialMap,
    PathBinding,
    RulesPath,
    RulesSet,
    Unknown,
    check_int,
    compare,
    describe,
    is_number,
    is_type,
    type_name,
    values_equal,
)

MAX_CALL_DEPTH = 20  # Google: "calls ... limited to a depth of 20"
DOCUMENT_FUNCTIONS = ("get", "exists", "getAfter", "existsAfter")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class LetBinding:
    """A ``let`` variable, evaluated when first read (then remembered). An unused
    binding that would fail does not fail the function."""

    def __init__(self, expr: nodes.Expr, scope: Scope) -> None:
        self.expr = expr
        self.scope = scope
        self.done = False
        self.value: Any = None
        self.error: EvaluationError | None = None

    def resolve(self, evaluator: Evaluator) -> Any:
        if not self.done:
            try:
                self.value = evaluator.evaluate(self.expr, self.scope)
            except EvaluationError as error:
                self.error = error
            self.done = True
        if self.error is not None:
            raise self.error
        return self.value


class Scope:
    """Variables and functions visible at one level: the service, a match block
    (its path variables and functions), or a function call (parameters and lets)."""

    def __init__(
        self,
        variables: dict[str, Any] | None = None,
        functions: dict[str, nodes.FunctionDecl] | None = None,
        parent: Scope | None = None,
    ) -> None:
        self.variables = variables or {}
        self.functions = functions or {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.variables:
                return True, scope.variables[name]
            scope = scope.parent
        return False, None

    def find_function(self, name: str) -> tuple[nodes.FunctionDecl, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.functions:
                return scope.functions[name], scope
            scope = scope.parent
        return None


@dataclass
class EvaluationContext:
    """What the document functions and debug() need from the request."""

    read_document: Callable[[str, RulesPath], Any]  # (function name, path) -> value
    debug_log: list[str] = field(default_factory=list)


class Evaluator:
    def __init__(self, context: EvaluationContext) -> None:
        self.context = context
        self.depth = 0

    def boolean(self, expr: nodes.Expr, scope: Scope) -> bool:
        value = self.evaluate(expr, scope)
        if not isinstance(value, bool):
            raise EvaluationError(f"expected a bool, got {type_name(value)}")
        return value

    def evaluate(self, expr: nodes.Expr, scope: Scope) -> Any:
        try:
            return self.dispatch(expr, scope)
        except RecursionError:
            raise EvaluationError("expression nested too deeply") from None
        except (ArithmeticError, ValueError, TypeError) as error:
            # A case the checks above missed is still an error of the condition (deny),
            # never a failure of the request.
            raise EvaluationError(f"{type(error).__name__}: {error}") from None

    def dispatch(self, expr: nodes.Expr, scope: Scope) -> Any:
        match expr:
            case nodes.Literal():
                return self._literal(expr, scope)
            case nodes.Name():
                return self._name(expr, scope)
            case nodes.ListLiteral():
                return self._list_literal(expr, scope)
            case nodes.MapLiteral():
                return self._map_literal(expr, scope)
            case nodes.PathLiteral():
                return self._path_literal(expr, scope)
            case nodes.Member():
                return self._member(expr, scope)
            case nodes.Index():
                return self._index(expr, scope)
            case nodes.Slice():
                return self._slice(expr, scope)
            case nodes.Call():
                return self._call(expr, scope)
            case nodes.MethodCall():
                return self._method_call(expr, scope)
            case nodes.Unary():
                return self._unary(expr, scope)
            case nodes.Conditional():
                return self._conditional(expr, scope)
            case nodes.IsType():
                return self._is_type(expr, scope)
            case nodes.Binary():
                return self._binary(expr, scope)
        raise EvaluationError(f"cannot evaluate a {type(expr).__name__}")

    # Leaves ---------------------------------------------------------------------------

    def _literal(self, expr: nodes.Literal, scope: Scope) -> Any:
        return expr.value

    def _name(self, expr: nodes.Name, scope: Scope) -> Any:
        found, value = scope.lookup(expr.name)
        if found:
            if isinstance(value, LetBinding):
                value = value.resolve(self)
            return known(value, expr.name)
        if expr.name in NAMESPACES:
            return Namespace(expr.name)
        raise EvaluationError(f"unknown variable '{expr.name}'")

    def _list_literal(self, expr: nodes.ListLiteral, scope: Scope) -> Any:
        return [self.evaluate(item, scope) for item in expr.items]

    def _map_literal(self, expr: nodes.MapLiteral, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        for key_expr, value_expr in expr.entries:
            key = self.evaluate(key_expr, scope)
            if not isinstance(key, str):
                raise EvaluationError(f"map keys must be strings, not {type_name(key)}")
            result[key] = self.evaluate(value_expr, scope)
        return result

    def _path_literal(self, expr: nodes.PathLiteral, scope: Scope) -> Any:
        segments: list[str | PathBinding] = []
        for parts in expr.segments:
            if len(parts) == 1 and isinstance(parts[0], nodes.Name):
                name = parts[0].name
                found, _ = scope.lookup(name)
                if not found:
                    # Left for bind(): (/path/$(foo)).bind({"foo": "x"}) (rules.Path#bind).
                    segments.append(PathBinding(name))
                    continue
            pieces: list[str] = []
            for part in parts:
                if isinstance(part, str):
                    pieces.append(part)
                    continue
                value = self.evaluate(part, scope)
                if len(parts) == 1:
                    segments.extend(path_segments_of(value))
                    break
                pieces.extend(path_segments_of(value))
            else:
                segments.append("".join(pieces))
        return RulesPath(tuple(segments))

    # Access ---------------------------------------------------------------------------

    def _member(self, expr: nodes.Member, scope: Scope) -> Any:
        target = self.evaluate(expr.target, scope)
        return member(target, expr.name)

    def _index(self, expr: nodes.Index, scope: Scope) -> Any:
        target = self.evaluate(expr.target, scope)
        index = self.evaluate(expr.index, scope)
        if isinstance(target, (dict, PartialMap)):
            if not isinstance(index, str):
                raise EvaluationError(f"map index must be a string, not {type_name(index)}")
            return member(target, index)
        if isinstance(target, list):
            return known(target[check_index(index, len(target))], "list element")
        if isinstance(target, str):
            position = check_index(index, utf16_length(target))
            return utf16_slice(target, position, position + 1)
        if isinstance(target, RulesPath):
            segments = target.require_bound()
            return segments[check_index(index, len(segments))]
        raise EvaluationError(f"cannot index a {type_name(target)}")

    def _slice(self, expr: nodes.Slice, scope: Scope) -> Any:
        target = self.evaluate(expr.target, scope)
        start = None if expr.start is None else self.evaluate(expr.start, scope)
        end = None if expr.end is None else self.evaluate(expr.end, scope)
        if isinstance(target, str):
            low, high = check_range(start, end, utf16_length(target))
            return utf16_slice(target, low, high)
        if isinstance(target, list):
            low, high = check_range(start, end, len(target))
            return target[low:high]
        raise EvaluationError(f"cannot take a range of a {type_name(target)}")

    # Calls ----------------------------------------------------------------------------

    def _call(self, expr: nodes.Call, scope: Scope) -> Any:
        found = scope.find_function(expr.name)
        if found is not None:
            decl, defining_scope = found
            args = [self.evaluate(arg, scope) for arg in expr.args]
            return self.call_user_function(decl, defining_scope, args)
        args = [self.evaluate(arg, scope) for arg in expr.args]
        if expr.name in DOCUMENT_FUNCTIONS:
            if len(args) != 1 or not isinstance(args[0], RulesPath):
                raise EvaluationError(f"{expr.name}() takes one path")
            return self.context.read_document(expr.name, args[0])
        if expr.name == "debug":
            if len(args) != 1:
                raise EvaluationError("debug() takes one argument")
            self.context.debug_log.append(f"debug({describe(args[0])}) at line {expr.line}")
            return args[0]
        if expr.name in CONVERSIONS:
            if len(args) != 1:
                raise EvaluationError(f"{expr.name}() takes one argument")
            return CONVERSIONS[expr.name](args[0])
        raise EvaluationError(f"unknown function '{expr.name}'")

    def call_user_function(
        self, decl: nodes.FunctionDecl, defining_scope: Scope, args: list[Any]
    ) -> Any:
        if len(args) != len(decl.params):
            raise EvaluationError(
                f"{decl.name}() takes {len(decl.params)} arguments, got {len(args)}"
            )
        if self.depth >= MAX_CALL_DEPTH:
            raise CallDepthExceeded(f"function calls nested deeper than {MAX_CALL_DEPTH}")
        local = Scope(dict(zip(decl.params, args, strict=True)), parent=defining_scope)
        self.depth += 1
        try:
            for name, value_expr in decl.lets:
                # Each binding sees the parameters and the bindings before it.
                local = Scope({name: LetBinding(value_expr, local)}, parent=local)
            return self.evaluate(decl.body, local)
        finally:
            self.depth -= 1

    def _method_call(self, expr: nodes.MethodCall, scope: Scope) -> Any:
        target = self.evaluate(expr.target, scope)
        args = [self.evaluate(arg, scope) for arg in expr.args]
        if isinstance(target, Namespace):
            return call_namespace(target.name, expr.name, args)
        return call_method(target, expr.name, args)

    # Operators ------------------------------------------------------------------------

    def _unary(self, expr: nodes.Unary, scope: Scope) -> Any:
        value = self.evaluate(expr.operand, scope)
        if expr.op == "!":
            if not isinstance(value, bool):
                raise EvaluationError(f"'!' needs a bool, got {type_name(value)}")
            return not value
        if isinstance(value, int) and not isinstance(value, bool):
            return check_int(-value)
        if isinstance(value, float):
            return -value
        if isinstance(value, Duration):
            return Duration(-value.nanos)
        raise EvaluationError(f"cannot negate a {type_name(value)}")

    def _conditional(self, expr: nodes.Conditional, scope: Scope) -> Any:
        if self.boolean(expr.condition, scope):
            return self.evaluate(expr.if_true, scope)
        return self.evaluate(expr.if_false, scope)

    def _is_type(self, expr: nodes.IsType, scope: Scope) -> Any:
        return is_type(self.evaluate(expr.operand, scope), expr.type_name)

    def _binary(self, expr: nodes.Binary, scope: Scope) -> Any:
        if expr.op == "&&":
            return self.logical(expr, scope, decisive=False)
        if expr.op == "||":
            return self.logical(expr, scope, decisive=True)
        left = self.evaluate(expr.left, scope)
        right = self.evaluate(expr.right, scope)
        return binary(expr.op, left, right)

    def logical(self, expr: nodes.Binary, scope: Scope, *, decisive: bool) -> bool:
        """``&&`` (decisive=False) or ``||`` (decisive=True). A side equal to
        ``decisive`` decides the result even when the other side is an error."""
        try:
            left = self.boolean(expr.left, scope)
        except EvaluationError as left_error:
            right = self.boolean(expr.right, scope)
            if right is decisive:
                return decisive
            raise left_error from None
        if left is decisive:
            return decisive
        return self.boolean(expr.right, scope)


def known(value: Any, what: str) -> Any:
    if isinstance(value, Unknown):
        raise EvaluationError(f"{value.what} is not known for a list query")
    return value


def member(target: Any, name: str) -> Any:
    if isinstance(target, dict):
        if name not in target:
            raise EvaluationError(f"property '{name}' is undefined on the map")
        return known(target[name], name)
    if isinstance(target, PartialMap):
        return known(target.field(name), name)
    if target is None:
        raise EvaluationError(f"null value has no property '{name}'")
    raise EvaluationError(f"{type_name(target)} has no property '{name}'")


def binary(op: str, left: Any, right: Any) -> Any:
    if op in COMPARISONS and (
        isinstance(left, ConstrainedValue) or isinstance(right, ConstrainedValue)
    ):
        return compare_constrained(op, left, right)
    if op == "==":
        return values_equal(left, right)
    if op == "!=":
        return not values_equal(left, right)
    if op == "<":
        return compare(left, right) < 0
    if op == "<=":
        return compare(left, right) <= 0
    if op == ">":
        return compare(left, right) > 0
    if op == ">=":
        return compare(left, right) >= 0
    if op == "in":
        return contains(right, left)
    return arithmetic(op, left, right)


def contains(container: Any, value: Any) -> bool:
    if isinstance(container, list):
        return any(values_equal(value, item) for item in container)
    if isinstance(container, RulesSet):
        return container.contains(value)
    if isinstance(container, dict):
        if not isinstance(value, str):
            raise EvaluationError(f"map keys are strings, not {type_name(value)}")
        return value in container
    if isinstance(container, PartialMap):
        raise container.unknown_shape("'in'")
    raise EvaluationError(f"'in' needs a list, set or map, not {type_name(container)}")


def arithmetic(op: str, left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return numeric(op, left, right)
    left_type, right_type = type_name(left), type_name(right)
    if op == "+":
        if left_type == right_type and left_type in ("string", "list", "bytes"):
            return left + right
        if left_type == "timestamp" and right_type == "duration":
            return add_duration(left, right)
        if left_type == "duration" and right_type == "timestamp":
            return add_duration(right, left)
        if left_type == right_type == "duration":
            return Duration(left.nanos + right.nanos)
    if op == "-":
        if left_type == "timestamp" and right_type == "duration":
            return add_duration(left, right, -1)
        if left_type == right_type == "timestamp":
            return Duration(left.nanos - right.nanos)
        if left_type == right_type == "duration":
            return Duration(left.nanos - right.nanos)
    raise EvaluationError(f"cannot apply '{op}' to {left_type} and {right_type}")


def numeric(op: str, left: int | float, right: int | float) -> int | float:
    both_int = isinstance(left, int) and isinstance(right, int)
    if op == "+":
        return check_int(left + right) if both_int else float(left) + float(right)
    if op == "-":
        return check_int(left - right) if both_int else float(left) - float(right)
    if op == "*":
        return check_int(left * right) if both_int else float(left) * float(right)
    if op == "/":
        if both_int:
            if right == 0:
                raise EvaluationError("integer division by zero")
            quotient = abs(left) // abs(right)
            return check_int(quotient if (left >= 0) == (right > 0) else -quotient)
        if right == 0:
            if left == 0 or math.isnan(left):
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1.0, right)
        return float(left) / float(right)
    if op == "%":
        if both_int:
            if right == 0:
                raise EvaluationError("integer modulo by zero")
            return _int_mod(left, right)
        if right == 0 or math.isinf(left) or math.isnan(left):
            return math.nan
        return math.fmod(float(left), float(right))
    raise EvaluationError(f"unknown operator '{op}'")


def _int_mod(left: int, right: int) -> int:
    # Truncated modulo (the sign follows the dividend), exact for large integers.
    remainder = abs(left) % abs(right)
    return remainder if left >= 0 else -remainder
