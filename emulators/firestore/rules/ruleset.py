"""The public face of the rules engine: parse a ruleset, decide a request.

``Ruleset.evaluate`` finds the ``match`` blocks whose path equals the request path,
keeps the ``allow`` statements naming the request's method (read = get + list,
write = create + update + delete), and grants the request if any condition is true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulators.firestore.rules import nodes
from emulators.firestore.rules.errors import AccessLimitExceeded, EvaluationError
from emulators.firestore.rules.evaluator import EvaluationContext, Evaluator, Scope
from emulators.firestore.rules.matcher import (
    ANY_DOCUMENT_ID,
    ANY_PARENTS,
    MatchedBlock,
    find_matches,
)
from emulators.firestore.rules.parser import parse
from emulators.firestore.rules.queries import resources_to_check as list_resources
from emulators.firestore.rules.values import (
    RulesPath,
    Timestamp,
    from_python,
)

METHODS = ("get", "list", "create", "update", "delete")
METHOD_GROUPS = {"read": ("get", "list"), "write": ("create", "update", "delete")}
SINGLE_DOCUMENT_BUDGET = 10
BATCH_BUDGET = 20


@dataclass(frozen=True)
class Document:
    """A document as rules see it: its full path and its fields (plain Python values)."""

    path: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
    """The constraints of a list (query) request.

    ``filters`` are (field path, operator, value) with Firestore operators
    (``==``, ``in``, ``<``, ``array-contains``...), all of which hold; ``order_by`` is
    (field, direction) with ASCENDING/DESCENDING (or ASC/DESC). ``any_of`` describes an
    OR query: one list of filters per branch, each combined with ``filters``; the query
    is allowed only if every branch is."""

    filters: list[tuple[str, str, Any]] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    order_by: list[tuple[str, str]] = field(default_factory=list)
    any_of: list[list[tuple[str, str, Any]]] = field(default_factory=list)


class DocumentAccess:
    """Reads for ``get``/``exists`` (``before``) and ``getAfter``/``existsAfter``
    (``after``), counted against a budget: 10 for a single-document request, 20 for a
    batch or transaction, whose writes share one instance. Each distinct document path
    counts once; going past the budget denies the request."""

    def __init__(
        self,
        before: Callable[[str], Document | None] | None = None,
        after: Callable[[str], Document | None] | None = None,
        budget: int = SINGLE_DOCUMENT_BUDGET,
    ) -> None:
        self.before = before or (lambda path: None)
        self.after = after or self.before
        self.budget = budget
        self.accessed: list[str] = []
        self._cache: dict[tuple[str, str], Document | None] = {}

    @property
    def count(self) -> int:
        return len(self.accessed)

    def read(self, kind: str, path: str) -> Document | None:
        """``kind`` is "before" or "after"."""
        if path not in self.accessed:
            if len(self.accessed) >= self.budget:
                raise AccessLimitExceeded(
                    f"more than {self.budget} document accesses (the next one was {path})"
                )
            self.accessed.append(path)
        key = (kind, path)
        if key not in self._cache:
            reader = self.before if kind == "before" else self.after
            self._cache[key] = reader(path)
        return self._cache[key]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    trace: list[str]


class Ruleset:
    def __init__(self, rules: nodes.RulesFile, source: str = "") -> None:
        self.rules = rules
        self.source = source
        self.services = [s for s in rules.services if s.name == "cloud.firestore"]

    @classmethod
    def parse(cls, source: str) -> Ruleset:
        return cls(parse(source), source)

    @classmethod
    def from_file(cls, path: str | Path) -> Ruleset:
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    @property
    def version(self) -> str:
        return self.rules.version

    def evaluate(
        self,
        method: str,
        path: str,
        auth: dict[str, Any] | None = None,
        resource: Document | None = None,
        request_resource: Document | None = None,
        time: dt.datetime | None = None,
        query: ListQuery | None = None,
        access: DocumentAccess | None = None,
        collection_group: str | None = None,
    ) -> Decision:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
        segments = split_path(path)
        what = f"{method} on {'/' + '/'.join(segments)}" + (
            f" (collection group '{collection_group}')" if collection_group else ""
        )
        request_segments: list[str] = list(segments)
        if method == "list":
            if collection_group:
                request_segments += [ANY_PARENTS, collection_group, ANY_DOCUMENT_ID]
            else:
                request_segments.append(ANY_DOCUMENT_ID)
        trace: list[str] = []
        candidates = self.candidates(request_segments, method, trace)
        if not candidates:
            return Decision(False, f"denied {what}: no allow statement matches", trace)

        access = access or DocumentAccess()
        when = time or dt.datetime.now(dt.UTC)
        context = EvaluationContext(lambda name, p: read_document(access, name, p))
        request = build_request(method, segments, auth, request_resource, when, query)
        last_grant = ""
        try:
            for label, existing in resources_to_check(method, resource, query):
                granted = self.try_candidates(candidates, request, existing, context, trace, label)
                if granted is None:
                    trace.extend(context.debug_log)
                    suffix = f" {label}" if label else ""
                    return Decision(
                        False, f"denied {what}: no allow statement granted it{suffix}", trace
                    )
                last_grant = granted
        except AccessLimitExceeded as error:
            trace.extend(context.debug_log)
            trace.append(f"  access limit: {error}")
            return Decision(False, f"denied {what}: {error}", trace)
        trace.extend(context.debug_log)
        return Decision(True, f"allowed {what} by {last_grant}", trace)

    def candidates(
        self, request_segments: list[str], method: str, trace: list[str]
    ) -> list[tuple[MatchedBlock, nodes.Allow, nodes.Service]]:
        """The allow statements for ``method`` in every match block reaching the path."""
        found = []
        for service in self.services:
            for matched in find_matches(service.matches, request_segments, self.version):
                statements = [
                    a for a in matched.block.allows if method in expand_methods(a.methods)
                ]
                if not statements:
                    trace.append(
                        f"  match {matched.pattern_text} (line {matched.block.line}):"
                        f" no allow statement for {method}"
                    )
                found.extend((matched, allow, service) for allow in statements)
        return found

    def try_candidates(
        self,
        candidates: list[tuple[MatchedBlock, nodes.Allow, nodes.Service]],
        request: dict[str, Any],
        existing: Any,
        context: EvaluationContext,
        trace: list[str],
        label: str,
    ) -> str | None:
        """The description of the first allow statement granting the request, or None."""
        root = Scope({"request": request, "resource": existing}, self.rules.functions)
        if label:
            trace.append(f"query {label}:")
        for matched, allow, service in candidates:
            scope = Scope(functions=service.functions, parent=root)
            for block, bindings in matched.chain:
                scope = Scope(dict(bindings), block.functions, scope)
            where = (
                f"'allow {', '.join(allow.methods)}' at line {allow.line} "
                f"in match {matched.pattern_text}"
            )
            if allow.condition is None:
                trace.append(f"  {where}: no condition -> true")
                return where
            try:
                result = Evaluator(context).boolean(allow.condition, scope)
            except EvaluationError as error:
                trace.append(f"  {where}: if {allow.condition_text} -> error: {error}")
                continue
            trace.append(f"  {where}: if {allow.condition_text} -> {str(result).lower()}")
            if result:
                return where
        return None


def expand_methods(methods: tuple[str, ...]) -> set[str]:
    expanded: set[str] = set()
    for method in methods:
        expanded.update(METHOD_GROUPS.get(method, (method,)))
    return expanded


def split_path(path: str) -> list[str]:
    """Segments of ``/databases/(default)/documents/...`` (``projects/p/`` is dropped)."""
    segments = [s for s in path.strip().split("/") if s]
    if len(segments) >= 2 and segments[0] == "projects":
        segments = segments[2:]
    if len(segments) < 3 or segments[0] != "databases" or segments[2] != "documents":
        raise ValueError(
            f"not a Firestore path: {path!r} (expected /databases/{{db}}/documents/...)"
        )
    return segments


def resource_value(document: Document | None) -> dict[str, Any] | None:
    if document is None:
        return None
    segments = split_path(document.path)
    return {
        "data": from_python(document.data),
        "id": segments[-1],
        "__name__": RulesPath(tuple(segments)),
    }


def build_request(
    method: str,
    segments: list[str],
    auth: dict[str, Any] | None,
    request_resource: Document | None,
    time: dt.datetime,
    query: ListQuery | None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "auth": None if auth is None else {"token": {}, **from_python(auth)},
        "method": method,
        "path": RulesPath(tuple(segments)),
        "time": Timestamp.from_datetime(time),
    }
    if method in ("create", "update") and request_resource is not None:
        request["resource"] = resource_value(request_resource)
    if method == "list":
        request["query"] = query_value(query or ListQuery())
    return request


def query_value(query: ListQuery) -> dict[str, Any]:
    """``request.query``: limit and offset when set, orderBy as {field: 'ASC'|'DESC'}."""
    value: dict[str, Any] = {}
    if query.limit is not None:
        value["limit"] = query.limit
    if query.offset is not None:
        value["offset"] = query.offset
    order_by = {}
    for field_path, direction in query.order_by:
        order_by[field_path] = "DESC" if direction.upper().startswith("DESC") else "ASC"
    value["orderBy"] = order_by
    return value


def resources_to_check(
    method: str, resource: Document | None, query: ListQuery | None
) -> list[tuple[str, Any]]:
    """The ``resource`` values a request must be allowed for, with a label for the trace."""
    if method in ("get", "update", "delete"):
        return [("", resource_value(resource))]
    if method == "create":
        return [("", None)]
    query = query or ListQuery()
    if not query.any_of:
        return list_resources(query.filters)
    return [check for branch in query.any_of for check in list_resources([*query.filters, *branch])]


def read_document(access: DocumentAccess, function: str, path: RulesPath) -> Any:
    segments = path.require_bound()
    if (
        len(segments) < 5
        or segments[0] != "databases"
        or segments[2] != "documents"
        or (len(segments) - 3) % 2
    ):
        raise EvaluationError(f"{function}() needs a document path, got {path}")
    kind = "after" if function.endswith("After") else "before"
    document = access.read(kind, str(path))
    if function.startswith("exists"):
        return document is not None
    if document is None:
        return None
    return resource_value(Document(str(path), document.data))
