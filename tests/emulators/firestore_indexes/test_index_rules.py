"""Which queries production can serve from firestore.indexes.json, decided by IndexGate
(emulators/firestore/indexes.py) on compiled queries; no server."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from google.cloud.firestore_admin_v1.types import Field, Index
from google.protobuf import json_format

from emulators.firestore import protos
from emulators.firestore.errors import Code, FirestoreError
from emulators.firestore.indexes import IndexGate
from emulators.firestore.paths import parse_parent
from emulators.firestore.queries import CompiledQuery

ROOT = Path(__file__).resolve().parents[3]
DATABASE = "projects/demo-p/databases/(default)"
INDEXES = {
    "indexes": [
        {
            "collectionGroup": "posts",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "author", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
            ],
        },
        {
            "collectionGroup": "posts",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "tags", "arrayConfig": "CONTAINS"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
                {"fieldPath": "__name__", "order": "DESCENDING"},
            ],
        },
        {
            "collectionGroup": "posts",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "room", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
            ],
        },
        {
            "collectionGroup": "posts",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "likes", "order": "ASCENDING"},
                {"fieldPath": "score", "order": "ASCENDING"},
            ],
        },
        {
            "collectionGroup": "members",
            "queryScope": "COLLECTION_GROUP",
            "fields": [
                {"fieldPath": "uid", "order": "ASCENDING"},
                {"fieldPath": "joinedAt", "order": "ASCENDING"},
            ],
        },
    ],
    "fieldOverrides": [
        {
            "collectionGroup": "typing",
            "fieldPath": "expiresAt",
            "ttl": True,
            "indexes": [{"order": "ASCENDING", "queryScope": "COLLECTION"}],
        },
        {
            "collectionGroup": "members",
            "fieldPath": "uid",
            "indexes": [
                {"order": "ASCENDING", "queryScope": "COLLECTION"},
                {"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"},
            ],
        },
        {"collectionGroup": "posts", "fieldPath": "body", "indexes": []},
        {"collectionGroup": "posts", "fieldPath": "meta", "indexes": []},
    ],
}


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> IndexGate:
    path = tmp_path_factory.mktemp("indexes") / "firestore.indexes.json"
    path.write_text(json.dumps(INDEXES))
    return IndexGate(path)


def field_filter(path: str, op: str, value) -> dict:
    return {"fieldFilter": {"field": {"fieldPath": path}, "op": op, "value": value}}


def query(
    collection: str, *filters: dict, order=(), group=False, disjunction=False
) -> CompiledQuery:
    structured: dict = {"from": [{"collectionId": collection, "allDescendants": group}]}
    if filters:
        op = "OR" if disjunction else "AND"
        structured["where"] = {"compositeFilter": {"op": op, "filters": list(filters)}}
    structured["orderBy"] = [
        {"field": {"fieldPath": path}, "direction": direction} for path, direction in order
    ]
    parent = parse_parent(f"{DATABASE}/documents" if group else f"{DATABASE}/documents/users/u1")
    return CompiledQuery(parent, json_format.ParseDict(structured, protos.StructuredQuery()))


S = {"stringValue": "x"}
N = {"integerValue": "1"}
ARRAY = {"arrayValue": {"values": [S]}}

SERVED = {
    "no filter": query("anything"),
    "equalities on any fields (merged single-field indexes)": query(
        "anything", field_filter("a", "EQUAL", S), field_filter("b", "EQUAL", N)
    ),
    "array-contains and equality": query(
        "anything", field_filter("tags", "ARRAY_CONTAINS", S), field_filter("b", "EQUAL", N)
    ),
    "one ordering, either direction": query("anything", order=[("a", "DESCENDING")]),
    "a range and its own ordering": query(
        "anything", field_filter("a", "GREATER_THAN", N), order=[("a", "ASCENDING")]
    ),
    "not-equal on one field": query("anything", field_filter("a", "NOT_EQUAL", N)),
    "ordering on a field fixed by equality": query(
        "anything", field_filter("a", "EQUAL", N), order=[("a", "DESCENDING")]
    ),
    "equality then ordering, with its index": query(
        "posts", field_filter("author", "EQUAL", S), order=[("createdAt", "DESCENDING")]
    ),
    "array-contains then ordering, with its CONTAINS index": query(
        "posts", field_filter("tags", "ARRAY_CONTAINS", S), order=[("createdAt", "DESCENDING")]
    ),
    "two equalities merged from two indexes with the same ordering": query(
        "posts",
        field_filter("author", "EQUAL", S),
        field_filter("room", "EQUAL", S),
        order=[("createdAt", "DESCENDING")],
    ),
    "two ranges, ordered as the index (implicitly by field name)": query(
        "posts", field_filter("score", "GREATER_THAN", N), field_filter("likes", "LESS_THAN", N)
    ),
    "each branch of an OR with its own index": query(
        "posts",
        field_filter("author", "EQUAL", S),
        field_filter("room", "EQUAL", S),
        order=[("createdAt", "DESCENDING")],
        disjunction=True,
    ),
    "an override keeps the ascending index": query("typing", order=[("expiresAt", "ASCENDING")]),
    "collection group: no filter": query("members", group=True),
    "collection group: an exemption enables the field": query(
        "members", field_filter("uid", "EQUAL", S), group=True
    ),
    "collection group: its composite index": query(
        "members", field_filter("uid", "EQUAL", S), order=[("joinedAt", "ASCENDING")], group=True
    ),
}


@pytest.mark.parametrize("compiled", SERVED.values(), ids=SERVED.keys())
def test_served(gate, compiled):
    gate.check(compiled)


REFUSED = {
    "equality then ordering, no index": query(
        "anything", field_filter("a", "EQUAL", S), order=[("b", "ASCENDING")]
    ),
    "equality then ordering, index in the other direction": query(
        "posts", field_filter("author", "EQUAL", S), order=[("createdAt", "ASCENDING")]
    ),
    "a range on one field, ordered by another": query(
        "posts", field_filter("likes", "GREATER_THAN", N), order=[("createdAt", "DESCENDING")]
    ),
    "two ranges, no index": query(
        "anything", field_filter("a", "GREATER_THAN", N), field_filter("b", "LESS_THAN", N)
    ),
    "equality with a range on another field": query(
        "anything", field_filter("a", "EQUAL", S), field_filter("b", "LESS_THAN", N)
    ),
    "an equality the indexes do not cover": query(
        "posts",
        field_filter("author", "EQUAL", S),
        field_filter("lang", "EQUAL", S),
        order=[("createdAt", "DESCENDING")],
    ),
    "one OR branch without its index": query(
        "posts",
        field_filter("author", "EQUAL", S),
        field_filter("lang", "EQUAL", S),
        order=[("createdAt", "DESCENDING")],
        disjunction=True,
    ),
    "array-contains then ordering, no CONTAINS index": query(
        "anything", field_filter("tags", "ARRAY_CONTAINS", S), order=[("b", "ASCENDING")]
    ),
}


@pytest.mark.parametrize("compiled", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_a_composite_index_link(gate, compiled):
    with pytest.raises(FirestoreError) as refused:
        gate.check(compiled)
    assert refused.value.code == Code.FAILED_PRECONDITION
    prefix = (
        "The query requires an index. You can create it here: "
        "https://console.firebase.google.com/v1/r/project/demo-p/firestore/indexes"
        "?create_composite="
    )
    assert refused.value.message.startswith(prefix)


def decoded(message: str, marker: str, kind):
    encoded = message.split(marker, 1)[1]
    return kind.deserialize(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_the_link_creates_the_index_the_query_needs(gate):
    compiled = query(
        "posts",
        field_filter("lang", "EQUAL", S),
        field_filter("tags", "ARRAY_CONTAINS", S),
        order=[("createdAt", "DESCENDING")],
    )
    with pytest.raises(FirestoreError) as refused:
        gate.check(compiled)
    index = decoded(refused.value.message, "create_composite=", Index)
    assert index.name == f"{DATABASE}/collectionGroups/posts/indexes/_"
    assert index.query_scope == Index.QueryScope.COLLECTION
    fields = [(f.field_path, f.order.name, f.array_config.name) for f in index.fields]
    assert fields == [
        ("lang", "ASCENDING", "ARRAY_CONFIG_UNSPECIFIED"),
        ("tags", "ORDER_UNSPECIFIED", "CONTAINS"),
        ("createdAt", "DESCENDING", "ARRAY_CONFIG_UNSPECIFIED"),
        ("__name__", "DESCENDING", "ARRAY_CONFIG_UNSPECIFIED"),
    ]


SINGLE_FIELD = {
    "collection group: no automatic single-field index": (
        query("messages", field_filter("author", "EQUAL", S), group=True),
        "COLLECTION_GROUP_ASC",
        "messages",
        "author",
    ),
    "collection group: no automatic ordering either": (
        query("messages", order=[("createdAt", "DESCENDING")], group=True),
        "COLLECTION_GROUP_DESC",
        "messages",
        "createdAt",
    ),
    "an override without the descending index": (
        query("typing", order=[("expiresAt", "DESCENDING")]),
        "COLLECTION_DESC",
        "typing",
        "expiresAt",
    ),
    "a field exempted from indexing": (
        query("posts", field_filter("body", "EQUAL", S)),
        "COLLECTION_ASC",
        "posts",
        "body",
    ),
    "a map's exemption covers its fields": (
        query("posts", field_filter("meta.lang", "EQUAL", S)),
        "COLLECTION_ASC",
        "posts",
        "meta.lang",
    ),
    "an exemption applies to array-contains": (
        query("posts", field_filter("body", "ARRAY_CONTAINS", S)),
        "COLLECTION_CONTAINS",
        "posts",
        "body",
    ),
}


@pytest.mark.parametrize(
    ("compiled", "kind", "group", "field"), SINGLE_FIELD.values(), ids=SINGLE_FIELD.keys()
)
def test_refused_with_a_single_field_index_link(gate, compiled, kind, group, field):
    with pytest.raises(FirestoreError) as refused:
        gate.check(compiled)
    assert refused.value.code == Code.FAILED_PRECONDITION
    message = refused.value.message
    assert message.startswith(
        f"The query requires a {kind} index for collection {group} and field {field}. "
        "You can create it here: https://console.firebase.google.com/v1/r/project/demo-p/"
        "firestore/indexes?create_exemption="
    )
    exemption = decoded(message, "create_exemption=", Field)
    assert exemption.name == f"{DATABASE}/collectionGroups/{group}/fields/{field}"
    [index] = exemption.index_config.indexes
    assert [f.field_path for f in index.fields] == [field]


def test_disabled_gate_runs_everything(tmp_path):
    gate = IndexGate(tmp_path / "missing.json", enabled=False)
    gate.check(REFUSED["two ranges, no index"])
    gate.check(SINGLE_FIELD["a field exempted from indexing"][0])


def test_no_indexes_file_means_no_composite_indexes(tmp_path):
    gate = IndexGate(tmp_path / "missing.json")
    gate.check(SERVED["one ordering, either direction"])
    with pytest.raises(FirestoreError):
        gate.check(SERVED["equality then ordering, with its index"])


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "firestore.indexes.json"
    path.write_text(json.dumps({"indexes": []}))
    gate = IndexGate(path)
    compiled = SERVED["equality then ordering, with its index"]
    with pytest.raises(FirestoreError):
        gate.check(compiled)
    path.write_text(json.dumps(INDEXES))
    gate.check(compiled)
    path.write_text("{ not json")  # a broken edit keeps the indexes last read
    gate.check(compiled)


def test_every_index_of_the_project_file_parses():
    gate = IndexGate(ROOT / "firestore.indexes.json")
    gate.check(query("typing", order=[("expiresAt", "ASCENDING")]))
    gate.check(
        query(
            "notifications",
            field_filter("read", "EQUAL", {"booleanValue": False}),
            order=[("createdAt", "DESCENDING")],
        )
    )
