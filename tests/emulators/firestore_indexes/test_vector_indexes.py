"""Vector search needs a vector index (firebase.google.com/docs/firestore/vector-search):
a single-field vector index of the query vector's dimension, or with a pre-filter a
composite index of the filtered fields then the vector field. IndexGate on compiled
queries; no server. The indexes are those python-firestore's system tests deploy
(tests/system/util/bootstrap_vector_index.py), in firestore.indexes.json form."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format

from emulators.firestore import protos
from emulators.firestore.errors import Code, FirestoreError
from emulators.firestore.indexes import IndexGate
from emulators.firestore.paths import parse_parent
from emulators.firestore.queries import CompiledQuery

DATABASE = "projects/demo-p/databases/(default)"
VECTOR3 = {"fieldPath": "embedding", "vectorConfig": {"dimension": 3, "flat": {}}}
INDEXES = {
    "indexes": [
        {"collectionGroup": "vs", "queryScope": "COLLECTION", "fields": [VECTOR3]},
        {
            "collectionGroup": "vs",
            "queryScope": "COLLECTION",
            "fields": [{"fieldPath": "color", "order": "ASCENDING"}, VECTOR3],
        },
        {"collectionGroup": "vs", "queryScope": "COLLECTION_GROUP", "fields": [VECTOR3]},
        {
            "collectionGroup": "posts",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "author", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
            ],
        },
    ]
}


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> IndexGate:
    path = tmp_path_factory.mktemp("indexes") / "firestore.indexes.json"
    path.write_text(json.dumps(INDEXES))
    return IndexGate(path)


def nearest(collection="vs", dimension=3, where=None, group=False, field="embedding"):
    vector = {"arrayValue": {"values": [{"doubleValue": 1.0}] * dimension}}
    structured: dict = {
        "from": [{"collectionId": collection, "allDescendants": group}],
        "findNearest": {
            "vectorField": {"fieldPath": field},
            "queryVector": {
                "mapValue": {"fields": {"__type__": {"stringValue": "__vector__"}, "value": vector}}
            },
            "distanceMeasure": "EUCLIDEAN",
            "limit": 5,
        },
    }
    if where:
        structured["where"] = {
            "fieldFilter": {
                "field": {"fieldPath": where},
                "op": "EQUAL",
                "value": {"stringValue": "x"},
            }
        }
    parent = parse_parent(f"{DATABASE}/documents")
    return CompiledQuery(parent, json_format.ParseDict(structured, protos.StructuredQuery()))


@pytest.mark.parametrize(
    "query",
    [nearest(), nearest(where="color"), nearest(group=True)],
    ids=["single-field vector index", "pre-filter with its composite", "collection group"],
)
def test_served(gate, query):
    gate.check(query)


@pytest.mark.parametrize(
    "query, expected",
    [
        (nearest(dimension=4), "field-path=embedding"),
        (nearest(where="size"), "--field-config=order=ASCENDING,field-path=size"),
        (nearest(field="other"), "field-path=other"),
        (nearest(collection="elsewhere"), "--collection-group=elsewhere"),
        (nearest(where="color", group=True), "--query-scope=COLLECTION_GROUP"),
    ],
    ids=["other dimension", "filter not indexed", "other field", "other collection", "group"],
)
def test_refused_with_the_command_that_creates_it(gate, query, expected):
    with pytest.raises(FirestoreError) as caught:
        gate.check(query)
    assert caught.value.code == Code.FAILED_PRECONDITION
    message = caught.value.message
    assert message.startswith("Missing vector index configuration.")
    assert "gcloud firestore indexes composite create --project=demo-p" in message
    assert expected in message


def test_ordinary_queries_still_use_the_other_indexes(gate):
    # The vector entries parse beside the ordinary ones (before, a vectorConfig field made
    # the whole file fail to load).
    structured = {
        "from": [{"collectionId": "posts"}],
        "where": {
            "fieldFilter": {
                "field": {"fieldPath": "author"},
                "op": "EQUAL",
                "value": {"stringValue": "a"},
            }
        },
        "orderBy": [{"field": {"fieldPath": "createdAt"}, "direction": "DESCENDING"}],
    }
    parent = parse_parent(f"{DATABASE}/documents")
    gate.check(CompiledQuery(parent, json_format.ParseDict(structured, protos.StructuredQuery())))
