"""A ``database.rules.json`` ruleset: the tree of ``.read``/``.write``/``.validate``/
``.indexOn`` rules and the checks the database makes with it.

- read at P: allowed if a ``.read`` on the way from the root to P is true (grants cascade
  down; nothing deeper can grant a read of P).
- write at P: allowed if a ``.write`` on the way from the root to P is true, and every
  ``.validate`` holds on the nodes that exist after the write: on the way down to P and on
  every node of the new data below P (validate rules do not cascade; deletions skip them).
- a multi-path update checks each of its paths that way against the merged result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from emulators.database import query as query_module
from emulators.database import tree
from emulators.database.paths import Path
from emulators.database.rules import parser
from emulators.database.rules.evaluator import (
    CompiledRegex,
    Evaluator,
    RuleError,
    RuleSnapshot,
    compile_regex,
)

RULE_KINDS = (".read", ".write", ".validate", ".indexOn")


class RulesError(ValueError):
    """The rules cannot be loaded as written (the message names the location)."""


@dataclass
class Rule:
    source: str
    expression: Any
    regexes: dict[parser.Regex, CompiledRegex]

    def evaluate(self, scope: dict[str, Any]) -> bool:
        """True only when the expression evaluates to exactly true; errors deny."""
        if isinstance(self.expression, bool):
            return self.expression
        try:
            return Evaluator(scope, self.regexes).evaluate(self.expression) is True
        except (RuleError, RecursionError, TypeError, ValueError):
            return False


@dataclass
class RuleNode:
    read: Rule | None = None
    write: Rule | None = None
    validate: Rule | None = None
    index_on: tuple[str, ...] = ()
    children: dict[str, RuleNode] = field(default_factory=dict)
    wildcard: str | None = None  # "$uid"
    wild_child: RuleNode | None = None

    def child(self, key: str) -> tuple[RuleNode | None, str | None]:
        """The rules for ``key`` and, for a wildcard match, the variable it binds."""
        if key in self.children:
            return self.children[key], None
        if self.wild_child is not None:
            return self.wild_child, self.wildcard
        return None, None


@dataclass
class Auth:
    """Who makes a request: an admin (rules bypassed) or the ``auth`` variable of rules
    (``None`` when signed out)."""

    admin: bool = False
    variable: dict | None = None

    @classmethod
    def from_claims(cls, claims: dict) -> Auth:
        firebase = claims.get("firebase") if isinstance(claims.get("firebase"), dict) else {}
        provider = firebase.get("sign_in_provider", "custom")
        return cls(False, {"uid": claims["uid"], "provider": provider, "token": dict(claims)})


ADMIN = Auth(admin=True)
SIGNED_OUT = Auth()


class Ruleset:
    def __init__(self, definition: Any) -> None:
        if not isinstance(definition, dict) or set(definition) != {"rules"}:
            raise RulesError('Rules must be an object with a single key "rules"')
        self.definition = definition
        self.root = _build(definition["rules"], ("rules",), ())

    @classmethod
    def from_text(cls, text: str) -> Ruleset:
        try:
            definition = json.loads(strip_comments(text))
        except ValueError as exc:
            raise RulesError(f"Rules are not valid JSON: {exc}") from None
        return cls(definition)

    # --- lookups -----------------------------------------------------------------------

    def _walk(self, path: Path):
        """Yield (depth, rule node, wildcard bindings) from the root down along ``path``,
        stopping where no rule applies."""
        node: RuleNode | None = self.root
        bindings: dict[str, str] = {}
        yield 0, node, dict(bindings)
        for depth, key in enumerate(path, start=1):
            assert node is not None
            node, variable = node.child(key)
            if node is None:
                return
            if variable:
                bindings[variable] = key
            yield depth, node, dict(bindings)

    def _node_at(self, path: Path) -> tuple[RuleNode | None, dict[str, str]]:
        """The rules for exactly ``path`` (None if none apply) and its wildcard bindings."""
        for depth, node, bindings in self._walk(path):
            if depth == len(path):
                return node, bindings
        return None, {}

    def index_on(self, path: Path) -> tuple[str, ...]:
        node, _ = self._node_at(path)
        return node.index_on if node is not None else ()

    # --- checks ------------------------------------------------------------------------

    def can_read(
        self, path: Path, root: tree.Node, auth: Auth, now_ms: int, query: dict | None = None
    ) -> bool:
        if auth.admin:
            return True
        for depth, node, bindings in self._walk(path):
            if node.read is None:
                continue
            scope = {
                "auth": auth.variable,
                "now": now_ms,
                "root": RuleSnapshot(root, ()),
                "data": RuleSnapshot(root, path[:depth]),
                "query": query or _NO_QUERY,
                **bindings,
            }
            if node.read.evaluate(scope):
                return True
        return False

    def can_write(
        self,
        paths: list[Path],
        old_root: tree.Node,
        new_root: tree.Node,
        auth: Auth,
        now_ms: int,
    ) -> bool:
        if auth.admin:
            return True
        return all(self._can_write_one(path, old_root, new_root, auth, now_ms) for path in paths)

    def _can_write_one(
        self, path: Path, old_root: tree.Node, new_root: tree.Node, auth: Auth, now_ms: int
    ) -> bool:
        base_scope = {"auth": auth.variable, "now": now_ms, "root": RuleSnapshot(old_root, ())}
        permitted = False
        for depth, node, bindings in self._walk(path):
            location = path[:depth]
            new_exists = tree.get(new_root, location) is not None
            if permitted and not new_exists:
                break
            scope = {
                **base_scope,
                **bindings,
                "data": RuleSnapshot(old_root, location),
                "newData": RuleSnapshot(new_root, location),
            }
            if not permitted and node.write is not None:
                permitted = node.write.evaluate(scope)
            if new_exists and node.validate is not None and not node.validate.evaluate(scope):
                return False
        if not permitted:
            return False
        return self._validate_below(path, old_root, new_root, base_scope)

    def _validate_below(
        self, path: Path, old_root: tree.Node, new_root: tree.Node, base_scope: dict
    ) -> bool:
        start, bindings = self._node_at(path)
        if start is None:
            return True
        pending = [(path, start, bindings)]
        while pending:
            location, rules, bound = pending.pop()
            for key in tree.children(tree.get(new_root, location)):
                child_rules, variable = rules.child(key)
                if child_rules is None:
                    continue
                child_location = (*location, key)
                child_bound = {**bound, variable: key} if variable else bound
                if child_rules.validate is not None:
                    scope = {
                        **base_scope,
                        **child_bound,
                        "data": RuleSnapshot(old_root, child_location),
                        "newData": RuleSnapshot(new_root, child_location),
                    }
                    if not child_rules.validate.evaluate(scope):
                        return False
                pending.append((child_location, child_rules, child_bound))
        return True


_NO_QUERY = {
    "orderByKey": False,
    "orderByPriority": False,
    "orderByValue": False,
    "orderByChild": None,
    "startAt": None,
    "endAt": None,
    "equalTo": None,
    "limitToFirst": None,
    "limitToLast": None,
}


def query_variable(spec: query_module.QuerySpec | None) -> dict:
    """The ``query`` variable of read rules for a QuerySpec."""
    if spec is None or spec.is_default:
        return dict(_NO_QUERY)
    result = dict(_NO_QUERY)
    if spec.index == query_module.KEY_INDEX:
        result["orderByKey"] = True
    elif spec.index == query_module.VALUE_INDEX:
        result["orderByValue"] = True
    elif spec.index == query_module.PRIORITY_INDEX:
        result["orderByPriority"] = True
    else:
        result["orderByChild"] = spec.index
    if spec.start is not None:
        result["startAt"] = spec.start.value
    if spec.end is not None:
        result["endAt"] = spec.end.value
    if spec.start is not None and spec.end is not None and spec.start == spec.end:
        result["equalTo"] = spec.start.value
    if spec.limit is not None:
        result["limitToFirst" if spec.from_left else "limitToLast"] = spec.limit
    return result


def _build(spec: Any, where: tuple[str, ...], wildcards: tuple[str, ...]) -> RuleNode:
    location = "/".join(where)
    if not isinstance(spec, dict):
        raise RulesError(f"{location}: expected an object of rules")
    node = RuleNode()
    for key, value in spec.items():
        if key.startswith("."):
            if key not in RULE_KINDS:
                raise RulesError(f"{location}: unknown rule type {key}")
            if key == ".indexOn":
                node.index_on = _index_on(value, location)
                continue
            rule = _compile(value, f"{location}/{key}", wildcards, is_read=key == ".read")
            setattr(node, {".read": "read", ".write": "write", ".validate": "validate"}[key], rule)
        elif key.startswith("$"):
            if node.wildcard is not None:
                raise RulesError(f"{location}: only one $wildcard child is allowed per level")
            if key in wildcards:
                raise RulesError(f"{location}: {key} is already used above")
            node.wildcard = key
            node.wild_child = _build(value, (*where, key), (*wildcards, key))
        else:
            node.children[key] = _build(value, (*where, key), wildcards)
    return node


def _index_on(value: Any, location: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise RulesError(f"{location}/.indexOn: expected a string or an array of strings")


_KNOWN_NAMES = {"auth", "now", "root", "data", "newData", "query"}


def _compile(value: Any, location: str, wildcards: tuple[str, ...], *, is_read: bool) -> Rule:
    if isinstance(value, bool):
        return Rule(str(value).lower(), value, {})
    if not isinstance(value, str):
        raise RulesError(f"{location}: a rule must be a boolean or a string expression")
    try:
        expression = parser.parse(value)
    except parser.RuleSyntaxError as exc:
        raise RulesError(f"{location}: {exc}") from None
    allowed = (_KNOWN_NAMES - ({"newData"} if is_read else {"query"})) | set(wildcards)
    unknown = parser.identifiers(expression) - allowed
    if unknown:
        raise RulesError(f"{location}: unknown variable(s) {', '.join(sorted(unknown))}")
    if not _may_be_boolean(expression):
        raise RulesError(f"{location}: Expression must evaluate to a boolean")
    regexes: dict[parser.Regex, CompiledRegex] = {}
    try:
        _collect_regexes(expression, regexes)
    except ValueError as exc:
        raise RulesError(f"{location}: {exc}") from None
    return Rule(value, expression, regexes)


_BOOLEAN_METHODS = {
    "exists",
    "hasChild",
    "hasChildren",
    "isNumber",
    "isString",
    "isBoolean",
    "contains",
    "beginsWith",
    "endsWith",
    "matches",
}
_NON_BOOLEAN_METHODS = {"child", "parent", "replace", "toLowerCase", "toUpperCase"}


def _may_be_boolean(node: Any) -> bool:
    """False when an expression can only produce a non-boolean (a number, a string, a
    snapshot...): Google refuses such a rule when the rules are loaded."""
    if isinstance(node, parser.Literal):
        return isinstance(node.value, bool)
    if isinstance(node, parser.Binary):
        return node.operator not in ("+", "-", "*", "/", "%")
    if isinstance(node, parser.Unary):
        return node.operator == "!"
    if isinstance(node, parser.Logical):
        return _may_be_boolean(node.left) and _may_be_boolean(node.right)
    if isinstance(node, parser.Conditional):
        return _may_be_boolean(node.consequent) and _may_be_boolean(node.alternate)
    if isinstance(node, parser.Call) and isinstance(node.callee, parser.Member):
        return node.callee.name not in _NON_BOOLEAN_METHODS
    if isinstance(node, parser.Member) and not node.computed:
        return node.name != "length"
    if isinstance(node, parser.Identifier):
        return node.name == "auth" or node.name == "query"
    return not isinstance(node, parser.Regex | parser.Array)


def _collect_regexes(node: Any, found: dict) -> None:
    if isinstance(node, parser.Regex):
        found[node] = compile_regex(node.pattern, node.flags)
        return
    for value in getattr(node, "__dict__", {}).values():
        if isinstance(value, tuple):
            for item in value:
                _collect_regexes(item, found)
        elif hasattr(value, "__dataclass_fields__"):
            _collect_regexes(value, found)


def strip_comments(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments outside strings (the rules file allows them)."""
    result: list[str] = []
    index, in_string = 0, False
    while index < len(text):
        char = text[index]
        if in_string:
            result.append(char)
            if char == "\\" and index + 1 < len(text):
                result.append(text[index + 1])
                index += 2
                continue
            if char == '"':
                in_string = False
            index += 1
            continue
        if char == '"':
            in_string = True
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = len(text) if end == -1 else end
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end == -1 else end + 2
            continue
        result.append(char)
        index += 1
    return "".join(result)
