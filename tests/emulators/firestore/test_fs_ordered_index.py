"""Queries answered from a sorted index (``emulators/firestore/ordered.py``) return what a
full scan returns: same documents, same order, before and after the collection changes.
A real engine applies the writes; each query runs both ways on the same store."""

from __future__ import annotations

import random

import pytest

from emulators.firestore import protos, values
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.ordered import MIN_DOCUMENTS
from emulators.firestore.paths import parse_parent
from emulators.firestore.queries import CompiledQuery
from emulators.firestore.security import Caller

ROOT = "projects/demo-ordered/databases/(default)"
Q = protos.StructuredQuery
Op = Q.FieldFilter.Operator


def _value(python):
    if python is None:
        return protos.Value(null_value=0)
    if isinstance(python, str):
        return protos.Value(string_value=python)
    return values.make_number(python)


def _write(engine: FirestoreEngine, path: str, fields: dict | None) -> None:
    name = f"{ROOT}/documents/{path}"
    if fields is None:
        write = protos.Write(delete=name)
    else:
        document = protos.Document(name=name)
        for key, python in fields.items():
            document.fields[key].CopyFrom(_value(python))
        write = protos.Write(update=document)
    engine.commit(protos.CommitRequest(database=ROOT, writes=[write]), Caller(admin=True))


def _random_fields(rng: random.Random) -> dict:
    fields = {"room": rng.choice(["a", "b", "c"]), "kind": rng.choice(["text", "system"])}
    # the ordered field: mostly numbers (with ties), sometimes a string, null or missing
    roll = rng.random()
    if roll < 0.8:
        fields["at"] = rng.choice([rng.randrange(50), rng.random() * 50])
    elif roll < 0.9:
        fields["at"] = rng.choice(["x", "y"])
    elif roll < 0.95:
        fields["at"] = None
    return fields


def _query(
    equalities: dict, order: str, descending: bool, limit: int, offset: int = 0, **extra
) -> object:
    query = Q(limit={"value": limit}, offset=offset)
    query.from_.add(collection_id="messages")
    filters = [
        Q.Filter(field_filter=Q.FieldFilter(field={"field_path": k}, op=Op.EQUAL, value=_value(v)))
        for k, v in equalities.items()
    ]
    if "above" in extra:
        filters.append(
            Q.Filter(
                field_filter=Q.FieldFilter(
                    field={"field_path": order}, op=Op.GREATER_THAN, value=_value(extra["above"])
                )
            )
        )
    if len(filters) == 1:
        query.where.CopyFrom(filters[0])
    elif filters:
        query.where.composite_filter.op = Q.CompositeFilter.Operator.AND
        query.where.composite_filter.filters.extend(filters)
    direction = Q.Direction.DESCENDING if descending else Q.Direction.ASCENDING
    query.order_by.add(field={"field_path": order}, direction=direction)
    if "start_after" in extra:
        query.start_at.values.append(_value(extra["start_after"]))
        query.start_at.before = False
    return query


QUERIES = [
    _query({"room": "a"}, "at", True, 1),  # superseded(): the newest of a room
    _query({"room": "b"}, "at", False, 10, offset=3),
    _query({"room": "c", "kind": "text"}, "at", True, 7),
    _query({}, "at", True, 25),
    _query({"kind": "system"}, "at", False, 5, above=20),
    _query({"room": "a"}, "at", False, 8, start_after=10),
    _query({"room": "nobody"}, "at", True, 3),
]


def _scan(compiled: CompiledQuery, store) -> list[str]:
    found = [e for e in store.collections.get("rooms/r/messages", {}).values()]
    found = [e for e in found if compiled.matches_in_scope(e)]
    compiled.sort(found)
    return [e.path for e in found[compiled.offset : compiled.offset + compiled.limit]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indexed_queries_match_a_scan_through_writes(seed):
    rng = random.Random(seed)
    engine = FirestoreEngine(project="demo-ordered")
    store = engine.store(ROOT)
    parent = parse_parent(f"{ROOT}/documents/rooms/r")
    paths = [f"rooms/r/messages/m{number:03d}" for number in range(MIN_DOCUMENTS * 3)]
    for path in paths:
        _write(engine, path, _random_fields(rng))

    for _ in range(4):
        for query in QUERIES:
            compiled = CompiledQuery(parent, query)
            assert [e.path for e in compiled.run(store)] == _scan(compiled, store)
        assert store.ordered["rooms/r/messages"], "the queries were answered from indexes"
        # change, move and delete documents under the indexes built so far
        for path in rng.sample(paths, 40):
            _write(engine, path, None if rng.random() < 0.3 else _random_fields(rng))


def test_small_collections_are_scanned_without_an_index():
    engine = FirestoreEngine(project="demo-ordered")
    store = engine.store(ROOT)
    for number in range(MIN_DOCUMENTS - 1):
        _write(engine, f"rooms/r/messages/m{number}", {"room": "a", "at": number})
    compiled = CompiledQuery(parse_parent(f"{ROOT}/documents/rooms/r"), QUERIES[0])
    assert [e.path for e in compiled.run(store)] == [f"rooms/r/messages/m{MIN_DOCUMENTS - 2}"]
    assert store.ordered == {}
