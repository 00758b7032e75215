"""Checks made after parsing, as Google's compiler makes them: every called function
and every variable must be declared where it is used, and calls must pass the right
number of arguments.

A typo such as ``isOwnr()`` or ``math.flor(x)`` would otherwise only show up as a
denied request.
"""

from __future__ import annotations

from collections.abc import Iterator

from emulators.firestore.rules import nodes
from emulators.firestore.rules.errors import RulesSyntaxError
from emulators.firestore.rules.namespaces import CONVERSIONS, NAMESPACES

# Global functions and their argument counts.
BUILTIN_FUNCTIONS = {
    "get": 1,
    "exists": 1,
    "getAfter": 1,
    "existsAfter": 1,
    "debug": 1,
    **dict.fromkeys(CONVERSIONS, 1),
}
GLOBAL_VARIABLES = frozenset({"request", "resource", *NAMESPACES})

Functions = list[dict[str, nodes.FunctionDecl]]  # outermost first
Variables = list[frozenset[str]]


def check_names(rules: nodes.RulesFile) -> None:
    checker = NameChecker()
    top: Functions = [rules.functions]
    for decl in rules.functions.values():
        checker.function(decl, top, [GLOBAL_VARIABLES])
    for service in rules.services:
        functions = [*top, service.functions]
        for decl in service.functions.values():
            checker.function(decl, functions, [GLOBAL_VARIABLES])
        for block in service.matches:
            checker.match(block, functions, [GLOBAL_VARIABLES])
    checker.reject_recursion()


class NameChecker:
    def __init__(self) -> None:
        # id(decl) -> (decl, the user functions its body calls), for the recursion check.
        self.calls: dict[int, tuple[nodes.FunctionDecl, list[nodes.FunctionDecl]]] = {}

    def match(self, block: nodes.MatchBlock, functions: Functions, variables: Variables) -> None:
        functions = [*functions, block.functions]
        variables = [*variables, frozenset(s.variable for s in block.pattern if s.variable)]
        for decl in block.functions.values():
            self.function(decl, functions, variables)
        for allow in block.allows:
            if allow.condition is not None:
                check_expression(allow.condition, functions, variables)
        for child in block.matches:
            self.match(child, functions, variables)

    def function(
        self, decl: nodes.FunctionDecl, functions: Functions, variables: Variables
    ) -> None:
        visible = [*variables, frozenset(decl.params)]
        called: list[nodes.FunctionDecl] = []
        for name, expr in decl.lets:
            called += check_expression(expr, functions, visible)
            visible = [*visible, frozenset({name})]
        called += check_expression(decl.body, functions, visible)
        self.calls[id(decl)] = (decl, called)

    def reject_recursion(self) -> None:
        """Functions may call functions but not themselves, directly or through others."""
        done: set[int] = set()
        for key in self.calls:
            self._visit(key, [], done)

    def _visit(self, key: int, stack: list[int], done: set[int]) -> None:
        if key in done:
            return
        decl, called = self.calls[key]
        if key in stack:
            raise RulesSyntaxError(
                f"function '{decl.name}' calls itself (recursion is not allowed)",
                decl.line,
                decl.column,
            )
        for callee in called:
            self._visit(id(callee), [*stack, key], done)
        done.add(key)


def check_expression(
    expr: nodes.Expr, functions: Functions, variables: Variables
) -> list[nodes.FunctionDecl]:
    """Checks names and calls in ``expr``; returns the user functions it calls."""
    called = []
    for node in walk(expr):
        if isinstance(node, nodes.Call):
            decl = check_call(node, functions)
            if decl is not None:
                called.append(decl)
        elif isinstance(node, nodes.MethodCall):
            check_namespace_call(node, variables)
        elif isinstance(node, nodes.Name) and not any(node.name in v for v in variables):
            raise RulesSyntaxError(f"unknown variable '{node.name}'", node.line, node.column)
    return called


def check_call(call: nodes.Call, functions: Functions) -> nodes.FunctionDecl | None:
    """The user function ``call`` resolves to (None for a global function)."""
    decl = next((table[call.name] for table in reversed(functions) if call.name in table), None)
    if decl is not None:
        expected = len(decl.params)
    elif call.name in BUILTIN_FUNCTIONS:
        expected = BUILTIN_FUNCTIONS[call.name]
    else:
        raise RulesSyntaxError(f"unknown function '{call.name}'", call.line, call.column)
    _check_arity(call, call.name, expected)
    return decl


def check_namespace_call(call: nodes.MethodCall, variables: Variables) -> None:
    target = call.target
    if not isinstance(target, nodes.Name) or target.name not in NAMESPACES:
        return
    if any(target.name in v for v in variables[1:]):
        return  # a path variable or parameter named like a namespace hides it
    entry = NAMESPACES[target.name].get(call.name)
    if entry is None:
        raise RulesSyntaxError(
            f"unknown function '{target.name}.{call.name}'", call.line, call.column
        )
    _check_arity(call, f"{target.name}.{call.name}", entry[1])


def _check_arity(call: nodes.Call | nodes.MethodCall, name: str, expected: int) -> None:
    if len(call.args) != expected:
        raise RulesSyntaxError(
            f"{name}() takes {expected} argument{'s' if expected != 1 else ''},"
            f" {len(call.args)} given",
            call.line,
            call.column,
        )


def walk(expr: nodes.Expr) -> Iterator[nodes.Expr]:
    """Every sub-expression, except a lone ``$(name)`` path segment: that may be a
    placeholder filled later by ``bind()`` (rules.Path#bind)."""
    yield expr
    if isinstance(expr, nodes.PathLiteral):
        for parts in expr.segments:
            if len(parts) == 1 and isinstance(parts[0], nodes.Name):
                continue
            for part in parts:
                if isinstance(part, nodes.Expr):
                    yield from walk(part)
        return
    children: list[nodes.Expr | None] = []
    if isinstance(expr, (nodes.Member, nodes.Index, nodes.Slice, nodes.MethodCall)):
        children.append(expr.target)
    if isinstance(expr, nodes.Index):
        children.append(expr.index)
    if isinstance(expr, nodes.Slice):
        children += [expr.start, expr.end]
    if isinstance(expr, (nodes.Call, nodes.MethodCall)):
        children += list(expr.args)
    if isinstance(expr, nodes.Unary):
        children.append(expr.operand)
    if isinstance(expr, nodes.Binary):
        children += [expr.left, expr.right]
    if isinstance(expr, nodes.Conditional):
        children += [expr.condition, expr.if_true, expr.if_false]
    if isinstance(expr, nodes.IsType):
        children.append(expr.operand)
    if isinstance(expr, nodes.ListLiteral):
        children += list(expr.items)
    if isinstance(expr, nodes.MapLiteral):
        for key, value in expr.entries:
            children += [key, value]
    for child in children:
        if child is not None:
            yield from walk(child)
