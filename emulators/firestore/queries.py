"""Running a ``StructuredQuery`` and aggregations over a DocumentStore.

Behaviour from firebase.google.com/docs/firestore/query-data/{queries,order-limit-data,
query-cursors,aggregation-queries,multiple-range-fields}:
- a document missing a field in the ordering is not returned;
- ``!=``/``not-in`` exclude documents where the field is missing or null;
- range filters only match values of the same type as the operand;
- inequality fields not already ordered are ordered implicitly (lexicographically), and
  ``__name__`` last, in the direction of the last ordering;
- ``in``/``array-contains-any`` never match null or NaN (firebase-js-sdk query.test.ts);
- a selector with no collection id and ``all_descendants`` (the Python client's
  ``recursive()``) reads every document under the parent.
Aggregations (count/sum/avg) order by their sum/avg fields too, so documents missing one of
them are left out of every aggregation of the query and ``limit`` keeps the lowest values
(python-firestore system tests ``test_sum_query_get_with_limit``; firebase-js-sdk
aggregation.test.ts "performs sum only on numeric fields").
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from emulators.firestore import protos, values
from emulators.firestore.errors import invalid
from emulators.firestore.ordered import MIN_DOCUMENTS, OrderedIndex
from emulators.firestore.paths import DocumentName, FieldPath, is_reserved_id, parse_field_path
from emulators.firestore.store import DocumentStore, Entry
from emulators.firestore.vectors import Nearest

NAME: FieldPath = ("__name__",)
MAX_DISJUNCTION = 30

_Op = protos.StructuredQuery.FieldFilter.Operator
_Unary = protos.StructuredQuery.UnaryFilter.Operator
_Composite = protos.StructuredQuery.CompositeFilter.Operator
_DESCENDING = protos.StructuredQuery.Direction.Value("DESCENDING")

INEQUALITY_OPS = {
    _Op.Value("LESS_THAN"),
    _Op.Value("LESS_THAN_OR_EQUAL"),
    _Op.Value("GREATER_THAN"),
    _Op.Value("GREATER_THAN_OR_EQUAL"),
    _Op.Value("NOT_EQUAL"),
    _Op.Value("NOT_IN"),
}
OP_SYMBOLS = {
    _Op.Value("LESS_THAN"): "<",
    _Op.Value("LESS_THAN_OR_EQUAL"): "<=",
    _Op.Value("GREATER_THAN"): ">",
    _Op.Value("GREATER_THAN_OR_EQUAL"): ">=",
    _Op.Value("EQUAL"): "==",
    _Op.Value("NOT_EQUAL"): "!=",
    _Op.Value("ARRAY_CONTAINS"): "array-contains",
    _Op.Value("IN"): "in",
    _Op.Value("ARRAY_CONTAINS_ANY"): "array-contains-any",
    _Op.Value("NOT_IN"): "not-in",
}

Predicate = Callable[[Entry], bool]


def field_value(entry: Entry, path: FieldPath):
    if path == NAME:
        return protos.Value(reference_value=entry.doc.name)
    return values.get_field(entry.doc.fields, path)


_UNSET = object()
NULL_KEY = (values.NULL,)
NAN_KEY = (values.NUMBER, 0)


def key_of(entry: Entry, path: FieldPath):
    """The sort key of the value at ``path`` (None when absent), memoized on the entry:
    filters, orderings and cursors all compare keys."""
    keys = entry.keys
    key = keys.get(path, _UNSET)
    if key is _UNSET:
        if path == NAME:
            key = (values.REFERENCE, values.reference_key(entry.doc.name))
        else:
            value = values.get_field(entry.doc.fields, path)
            key = None if value is None else values.sort_key(value)
        keys[path] = key
    return key


@dataclass
class Ordering:
    path: FieldPath
    descending: bool


class CompiledQuery:
    """A validated query: its scope, predicate, ordering, cursors and limits."""

    def __init__(self, parent: DocumentName, query, aggregated: Iterable[FieldPath] = ()) -> None:
        """``aggregated``: the fields of sum/avg aggregations, ordered implicitly."""
        self.parent = parent
        self.query = query
        selectors = query.from_
        if len(selectors) != 1:
            raise invalid("A query must select exactly one collection")
        selector = selectors[0]
        if not selector.collection_id and not selector.all_descendants:
            raise invalid("A query must name a collection id")
        if is_reserved_id(selector.collection_id):
            raise invalid(f"Collection id {selector.collection_id!r} is reserved (__.*__)")
        self.collection_id = selector.collection_id
        self.all_descendants = selector.all_descendants
        self.inequality_paths: list[FieldPath] = []
        self.key_equality = False
        self.predicate = (
            self._compile_filter(query.where, top=True) if query.HasField("where") else None
        )
        if self.key_equality and self.inequality_paths and NAME not in self.inequality_paths:
            raise invalid(
                "Equality on key is not allowed if there are other inequality fields and key "
                "does not appear in inequalities."
            )
        self.orderings = self._orderings(aggregated)
        self.start = query.start_at if query.HasField("start_at") else None
        self.end = query.end_at if query.HasField("end_at") else None
        for cursor in (self.start, self.end):
            if cursor is not None and len(cursor.values) > len(self.orderings):
                raise invalid("Too many cursor values specified. The specified order by fields")
            if cursor is not None:
                for position, value in enumerate(cursor.values):
                    if self.orderings[position].path == NAME:
                        self._check_name_cursor(value)
        self._cursor_keys = {
            id(cursor): [values.sort_key(value) for value in cursor.values]
            for cursor in (self.start, self.end)
            if cursor is not None
        }
        if query.offset < 0:
            raise invalid("offset must be non-negative")
        self.offset = query.offset
        self.limit = query.limit.value if query.HasField("limit") else None
        if self.limit is not None and self.limit < 0:
            raise invalid("limit must be non-negative")
        self.projection = (
            [parse_field_path(f.field_path) for f in query.select.fields]
            if query.HasField("select")
            else None
        )
        self.nearest = (
            Nearest.compile(query.find_nearest) if query.HasField("find_nearest") else None
        )

    # scope -----------------------------------------------------------------------------
    def in_scope(self, path: str) -> bool:
        parent = self.parent.path
        collection, _, _ = path.rpartition("/")
        if not self.collection_id:  # every document under the parent
            return not parent or collection.startswith(parent + "/")
        if not self.all_descendants:
            expected = f"{parent}/{self.collection_id}" if parent else self.collection_id
            return collection == expected
        if collection.rsplit("/", 1)[-1] != self.collection_id:
            return False
        return not parent or collection.startswith(parent + "/")

    def matches(self, entry: Entry) -> bool:
        """Whether a document belongs in the result ignoring offset and limit."""
        return self.in_scope(entry.path) and self.matches_in_scope(entry)

    def matches_in_scope(self, entry: Entry) -> bool:
        if self.predicate is not None and not self.predicate(entry):
            return False
        for ordering in self.orderings:
            if key_of(entry, ordering.path) is None:
                return False
        if self.start is not None:
            position = self._compare_cursor(entry, self.start)
            if position < 0 or (position == 0 and not self.start.before):
                return False
        if self.end is not None:
            position = self._compare_cursor(entry, self.end)
            if position > 0 or (position == 0 and self.end.before):
                return False
        return True

    @property
    def windowed(self) -> bool:
        """Results depend on other documents (limit/offset), not just on each document."""
        return self.limit is not None or self.offset > 0 or self.nearest is not None

    def candidates(self, store: DocumentStore, read_us: int | None = None) -> Iterable[Entry]:
        return store.scan(self.parent.path, self.collection_id, self.all_descendants, read_us)

    def run(self, store: DocumentStore, read_us: int | None = None) -> list[Entry]:
        if self.nearest is not None:  # its ordering supersedes order_by (query.proto)
            found = [e for e in self.candidates(store, read_us) if self.matches_in_scope(e)]
            found = self.nearest.select(found, field_value)[self.offset :]
            return found if self.limit is None else found[: self.limit]
        if read_us is None and self.limit is not None:
            ordered = self._ordered_candidates(store)
            if ordered is not None:
                matching = (entry for entry in ordered if self.matches_in_scope(entry))
                return list(itertools.islice(matching, self.offset, self.offset + self.limit))
        found = [e for e in self.candidates(store, read_us) if self.matches_in_scope(e)]
        if self.limit is not None:
            found = self.first(found, self.offset + self.limit)
        else:
            self.sort(found)
        found = found[self.offset :]
        if self.limit is not None:
            found = found[: self.limit]
        return found

    def _ordered_candidates(self, store: DocumentStore) -> Iterable[Entry] | None:
        """The collection's documents in query order from a sorted index (``ordered``),
        narrowed to the query's top-level equality filters; None when the query does not
        fit one (collection groups, mixed directions) or the collection is small."""
        if self.all_descendants or not self._uniform_direction():
            return None
        parent = self.parent.path
        collection = f"{parent}/{self.collection_id}" if parent else self.collection_id
        members = store.collections.get(collection)
        if members is None or len(members) < MIN_DOCUMENTS:
            return None
        equalities = sorted(_top_level_equalities(self.query), key=lambda item: item[0])
        paths = [path for path, _ in equalities] + [o.path for o in self.orderings]
        shape = tuple(paths)
        indexes = store.ordered.setdefault(collection, {})
        index = indexes.get(shape)
        if index is None:

            def index_key(entry: Entry) -> tuple | None:
                key = tuple(key_of(entry, path) for path in paths)
                return None if None in key else key

            index = indexes[shape] = OrderedIndex(index_key, iter(members.values()))
        prefix = tuple(key for _, key in equalities)
        return index.range(prefix, self.orderings[0].descending)

    def _uniform_direction(self) -> bool:
        return len({ordering.descending for ordering in self.orderings}) == 1

    def _composite_key(self, entry: Entry) -> tuple:
        return tuple(key_of(entry, ordering.path) for ordering in self.orderings)

    def first(self, entries: list[Entry], count: int) -> list[Entry]:
        """The first ``count`` entries in query order."""
        if not self._uniform_direction() or count * 4 > len(entries):
            self.sort(entries)
            return entries[:count]
        pick = heapq.nlargest if self.orderings[0].descending else heapq.nsmallest
        return pick(count, entries, key=self._composite_key)

    def sort(self, entries: list[Entry]) -> None:
        if self._uniform_direction():
            entries.sort(key=self._composite_key, reverse=self.orderings[0].descending)
            return
        for ordering in reversed(self.orderings):
            path = ordering.path
            entries.sort(key=lambda e: key_of(e, path), reverse=ordering.descending)

    def project(self, entry: Entry):
        doc = entry.doc if self.projection is None else project(entry.doc, self.projection)
        if self.nearest is not None:
            doc = self.nearest.annotate(doc, entry.path)
        return doc

    # compilation -----------------------------------------------------------------------
    def _orderings(self, aggregated: Iterable[FieldPath]) -> list[Ordering]:
        orderings: list[Ordering] = []
        for order in self.query.order_by:
            path = parse_field_path(order.field.field_path)
            orderings.append(Ordering(path, order.direction == _DESCENDING))
        explicit = {ordering.path for ordering in orderings}
        last_descending = orderings[-1].descending if orderings else False
        implicit = sorted(set(self.inequality_paths) - {NAME}) + sorted(set(aggregated) - {NAME})
        for path in implicit:
            if path not in explicit:
                orderings.append(Ordering(path, last_descending))
                explicit.add(path)
        if NAME not in explicit:
            orderings.append(Ordering(NAME, last_descending))
        if orderings[-1].path != NAME:
            # composite_index_query.test.ts: "inequality query will reject if document key
            # is not the last orderBy field".
            raise invalid("order by clause cannot contain more fields after the key __name__")
        return orderings

    def _compile_filter(self, where, top: bool = False) -> Predicate:
        which = where.WhichOneof("filter_type")
        if which == "composite_filter":
            composite = where.composite_filter
            parts = [self._compile_filter(f, top=False) for f in composite.filters]
            if not parts:
                return lambda entry: True
            if composite.op == _Composite.Value("OR"):
                return lambda entry: any(part(entry) for part in parts)
            if composite.op != _Composite.Value("AND"):
                raise invalid("Composite filter needs AND or OR")
            return lambda entry: all(part(entry) for part in parts)
        if which == "field_filter":
            return self._compile_field_filter(where.field_filter)
        if which == "unary_filter":
            return self._compile_unary_filter(where.unary_filter)
        raise invalid("Filter has no filter_type")

    def _compile_unary_filter(self, unary) -> Predicate:
        path = parse_field_path(unary.field.field_path)
        op = unary.op
        if op == _Unary.Value("IS_NULL"):
            return lambda e: key_of(e, path) == NULL_KEY
        if op == _Unary.Value("IS_NAN"):
            return lambda e: key_of(e, path) == NAN_KEY
        if op == _Unary.Value("IS_NOT_NULL"):
            self.inequality_paths.append(path)
            return lambda e: (k := key_of(e, path)) is not None and k != NULL_KEY
        if op == _Unary.Value("IS_NOT_NAN"):
            self.inequality_paths.append(path)
            return lambda e: (k := key_of(e, path)) is not None and k not in (NULL_KEY, NAN_KEY)
        raise invalid("Unary filter needs an operator")

    def _compile_field_filter(self, field_filter) -> Predicate:
        path = parse_field_path(field_filter.field.field_path)
        op = field_filter.op
        operand = field_filter.value
        if op not in OP_SYMBOLS:
            raise invalid("Field filter needs an operator")
        values.kind(operand) or _raise(invalid("Filter value is not set"))
        if path == NAME:
            self._check_name_operand(op, operand)
            self.key_equality = self.key_equality or op == _Op.Value("EQUAL")
        if op in INEQUALITY_OPS:
            self.inequality_paths.append(path)

        if op in (_Op.Value("IN"), _Op.Value("NOT_IN"), _Op.Value("ARRAY_CONTAINS_ANY")):
            if values.kind(operand) != "array_value":
                raise invalid(f"A '{OP_SYMBOLS[op]}' filter needs an array value")
            items = operand.array_value.values
            if not items:
                raise invalid(f"A '{OP_SYMBOLS[op]}' filter needs a non-empty array")
            if len(items) > MAX_DISJUNCTION:
                raise invalid(
                    f"A '{OP_SYMBOLS[op]}' filter supports at most {MAX_DISJUNCTION} elements"
                )
            keys = {values.sort_key(item) for item in items}
            if op == _Op.Value("IN"):
                keys -= {NULL_KEY, NAN_KEY}
                return lambda e: key_of(e, path) in keys
            if op == _Op.Value("NOT_IN"):
                if NULL_KEY in keys:
                    return lambda e: False  # no value is both non-null and not null
                return lambda e: (
                    (k := key_of(e, path)) is not None and k != NULL_KEY and k not in keys
                )
            keys -= {NULL_KEY, NAN_KEY}
            return lambda e: (
                (k := key_of(e, path)) is not None
                and k[0] == values.ARRAY
                and any(item in keys for item in k[1])
            )

        key = values.sort_key(operand)
        if op == _Op.Value("EQUAL"):
            return lambda e: key_of(e, path) == key
        if op == _Op.Value("NOT_EQUAL"):
            return lambda e: (k := key_of(e, path)) is not None and k != NULL_KEY and k != key
        if op == _Op.Value("ARRAY_CONTAINS"):
            return lambda e: (
                (k := key_of(e, path)) is not None and k[0] == values.ARRAY and key in k[1]
            )

        # range filters match only values of the operand's type; NaN and null match nothing
        if values.is_null(operand) or values.is_nan(operand):
            return lambda e: False
        rank = key[0]
        compare = {
            _Op.Value("LESS_THAN"): lambda k: k < key,
            _Op.Value("LESS_THAN_OR_EQUAL"): lambda k: k <= key,
            _Op.Value("GREATER_THAN"): lambda k: k > key,
            _Op.Value("GREATER_THAN_OR_EQUAL"): lambda k: k >= key,
        }[op]
        return lambda e: (
            (k := key_of(e, path)) is not None and k[0] == rank and k != NAN_KEY and compare(k)
        )

    def _check_name_operand(self, op, operand) -> None:
        items = operand.array_value.values if values.kind(operand) == "array_value" else [operand]
        for item in items:
            if values.kind(item) != "reference_value":
                raise invalid(
                    "__key__ filter value must be a Key"
                    if op != _Op.Value("ARRAY_CONTAINS")
                    else "__name__ cannot be used with array-contains"
                )

    def _check_name_cursor(self, value) -> None:
        if values.kind(value) != "reference_value":
            raise invalid("The cursor value for __name__ must be a document reference")

    def _compare_cursor(self, entry: Entry, cursor) -> int:
        for ordering, theirs in zip(self.orderings, self._cursor_keys[id(cursor)], strict=False):
            mine = key_of(entry, ordering.path)
            if mine != theirs:
                result = -1 if mine < theirs else 1
                return -result if ordering.descending else result
        return 0


def _top_level_equalities(query) -> list[tuple[FieldPath, tuple]]:
    """(field, sort key) of the ``==`` filters the query's filter requires of every
    result: the filter itself, or the direct parts of a top-level AND."""
    if not query.HasField("where"):
        return []
    where = query.where
    if where.WhichOneof("filter_type") == "composite_filter":
        if where.composite_filter.op != _Composite.Value("AND"):
            return []
        parts = list(where.composite_filter.filters)
    else:
        parts = [where]
    return [
        (
            parse_field_path(part.field_filter.field.field_path),
            values.sort_key(part.field_filter.value),
        )
        for part in parts
        if part.WhichOneof("filter_type") == "field_filter"
        and part.field_filter.op == _Op.Value("EQUAL")
    ]


def _raise(error: Exception):
    raise error


def project(doc, paths: list[FieldPath]):
    """A copy of ``doc`` holding only ``paths`` (a ``select``/mask)."""
    projected = protos.Document()
    projected.name = doc.name
    projected.create_time.CopyFrom(doc.create_time)
    projected.update_time.CopyFrom(doc.update_time)
    for path in paths:
        if path == NAME:
            continue
        value = values.get_field(doc.fields, path)
        if value is not None:
            values.set_field(projected.fields, path, value)
    return projected


MAX_AGGREGATIONS = 5


def aggregated_fields(aggregations) -> list[FieldPath]:
    """Checks the aggregations as Firestore does (messages from python-firestore's system
    tests and firebase-js-sdk aggregation.test.ts); returns the fields of sum and avg."""
    if not aggregations:
        raise invalid("Aggregations can not be empty")
    if len(aggregations) > MAX_AGGREGATIONS:
        raise invalid(
            f"The query has {len(aggregations)} aggregations; the maximum number of "
            f"aggregations is {MAX_AGGREGATIONS}"
        )
    seen: set[str] = set()
    fields = []
    for position, aggregation in enumerate(aggregations):
        alias = aggregation.alias or f"field_{position + 1}"
        if alias in seen:
            raise invalid(f"Aggregation aliases contain duplicate alias {alias}")
        seen.add(alias)
        which = aggregation.WhichOneof("operator")
        if which in ("sum", "avg"):
            fields.append(parse_field_path(getattr(aggregation, which).field.field_path))
    return fields


def aggregate(aggregations, entries: list[Entry]):
    """The AggregationResult for count/sum/avg over the query's results."""
    result = protos.AggregationResult()
    for position, aggregation in enumerate(aggregations):
        alias = aggregation.alias or f"field_{position + 1}"
        which = aggregation.WhichOneof("operator")
        if which == "count":
            count = len(entries)
            if aggregation.count.HasField("up_to"):
                if aggregation.count.up_to.value < 1:
                    raise invalid("count up_to must be positive")
                count = min(count, aggregation.count.up_to.value)
            result.aggregate_fields[alias].integer_value = count
        elif which in ("sum", "avg"):
            path = parse_field_path(getattr(aggregation, which).field.field_path)
            numbers = []
            for entry in entries:
                value = field_value(entry, path)
                if value is not None and values.is_number(value):
                    numbers.append(values.number(value))
            result.aggregate_fields[alias].CopyFrom(_sum_or_average(which, numbers))
        else:
            raise invalid("Aggregation needs count, sum or avg")
    return result


def _sum_or_average(which: str, numbers: list[int | float]):
    if which == "avg":
        if not numbers:
            return protos.Value(null_value=0)
        return values.make_number(_float_sum(numbers) / len(numbers))
    if all(isinstance(n, int) for n in numbers):
        total = sum(numbers)
        if values.INT64_MIN <= total <= values.INT64_MAX:
            return values.make_number(total)
        return values.make_number(float(total))
    return values.make_number(_float_sum(numbers))


def _float_sum(numbers: list[int | float]) -> float:
    """An exact sum when it fits in a double; past the double range Firestore answers
    ±Infinity (firebase-js-sdk aggregation.test.ts "performs sum that is positive infinity",
    "performs average that overflows IEEE754 during accumulation"), where ``math.fsum``
    raises OverflowError."""
    if all(not isinstance(n, float) or math.isfinite(n) for n in numbers):
        try:
            return math.fsum(numbers)
        except OverflowError:
            pass
    total = 0.0
    for n in numbers:
        total += float(n)
    return total


RulesFilter = tuple[str, str, object]  # (field path, operator, Value)
MAX_RULES_BRANCHES = 30


def disjunctive_normal_form(where) -> list[list[RulesFilter]] | None:
    """The filter as an OR of ANDs of simple filters, for the rules' view of a query;
    None if it would exceed 30 branches (Firestore's own limit on disjunctions)."""
    which = where.WhichOneof("filter_type")
    if which == "field_filter":
        field_filter = where.field_filter
        return [[(field_filter.field.field_path, OP_SYMBOLS[field_filter.op], field_filter.value)]]
    if which == "unary_filter":
        unary = where.unary_filter
        path = unary.field.field_path
        op = unary.op
        if op == _Unary.Value("IS_NULL"):
            return [[(path, "==", protos.Value(null_value=0))]]
        if op == _Unary.Value("IS_NAN"):
            return [[(path, "==", values.make_number(math.nan))]]
        if op == _Unary.Value("IS_NOT_NULL"):
            return [[(path, "!=", protos.Value(null_value=0))]]
        return [[(path, "!=", values.make_number(math.nan))]]
    composite = where.composite_filter
    parts = [disjunctive_normal_form(child) for child in composite.filters]
    if any(part is None for part in parts):
        return None
    if composite.op == _Composite.Value("OR"):
        branches = [branch for part in parts for branch in part]
    else:
        branches = [[]]
        for part in parts:
            branches = [left + right for left in branches for right in part]
            if len(branches) > MAX_RULES_BRANCHES:
                return None
    return branches if len(branches) <= MAX_RULES_BRANCHES else None
