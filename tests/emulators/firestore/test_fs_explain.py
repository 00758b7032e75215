"""Query explain (``explain_options``) with the Python client, in the shapes
python-firestore's system tests expect of production (test_*_w_explain_options_*, skipped
there on Google's emulator: "Query profile not supported in emulator")."""

from __future__ import annotations

import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.query_profile import ExplainOptions, QueryExplainError


@pytest.fixture
def docs(col):
    for a in range(3):
        for b in range(2):
            col.document(f"d{a}{b}").set({"a": a, "b": b})
    return col


def test_plan_only_returns_no_documents(docs):
    results = docs.get(explain_options=ExplainOptions(analyze=False))
    assert list(results) == []
    metrics = results.get_explain_metrics()
    assert metrics.plan_summary.indexes_used == [
        {"query_scope": "Collection", "properties": "(__name__ ASC)"}
    ]
    with pytest.raises(QueryExplainError, match="execution_stats not available"):
        assert metrics.execution_stats is None  # raises before comparing


def test_analyze_returns_documents_then_statistics(docs):
    query = docs.where(filter=FieldFilter("a", "in", [1, 2]))
    results = query.stream(explain_options=ExplainOptions(analyze=True))
    with pytest.raises(QueryExplainError, match="not available until query is complete"):
        results.get_explain_metrics()
    ids = sorted(snapshot.id for snapshot in results)
    assert ids == ["d10", "d11", "d20", "d21"]
    metrics = results.get_explain_metrics()
    assert metrics.plan_summary.indexes_used == [
        {"query_scope": "Collection", "properties": "(a ASC, __name__ ASC)"}
    ]
    stats = metrics.execution_stats
    assert stats.results_returned == 4
    assert stats.read_operations == 4
    assert 0 < stats.execution_duration.total_seconds() < 1
    assert {"billing_details", "documents_scanned", "index_entries_scanned"} <= set(
        stats.debug_stats
    )


def test_index_descriptions(db, docs):
    def properties(query):
        metrics = query.get(explain_options=ExplainOptions(analyze=False)).get_explain_metrics()
        return [(i["query_scope"], i["properties"]) for i in metrics.plan_summary.indexes_used]

    ordered = docs.where(filter=FieldFilter("a", "==", 1)).order_by("b", direction="DESCENDING")
    assert properties(ordered) == [("Collection", "(a ASC, b DESC, __name__ DESC)")]
    merged = docs.where(filter=FieldFilter("a", "==", 1)).where(filter=FieldFilter("b", "==", 0))
    assert properties(merged) == [
        ("Collection", "(a ASC, __name__ ASC)"),
        ("Collection", "(b ASC, __name__ ASC)"),
    ]
    group = db.collection_group(docs.id).where(filter=FieldFilter("a", ">", 0))
    assert properties(group) == [("Collection group", "(a ASC, __name__ ASC)")]


def test_aggregation_plan_and_analyze(docs):
    count = docs.count(alias="n")
    planned = count.get(explain_options=ExplainOptions(analyze=False))
    assert list(planned) == []
    assert planned.get_explain_metrics().plan_summary.indexes_used
    analyzed = count.get(explain_options=ExplainOptions(analyze=True))
    assert analyzed[0][0].value == 6
    stats = analyzed.get_explain_metrics().execution_stats
    assert stats.results_returned == 1
    assert stats.read_operations == 1  # one read per 1000 index entries


def test_in_a_transaction(db, docs):
    query = docs.where(filter=FieldFilter("a", "==", 1))

    @firestore.transactional
    def run(transaction):
        plain = query.get(transaction=transaction)
        with pytest.raises(QueryExplainError, match="explain_options not set"):
            plain.get_explain_metrics()
        explained = query.get(transaction=transaction, explain_options=ExplainOptions(analyze=True))
        return len(explained), explained.get_explain_metrics().execution_stats.results_returned

    assert run(db.transaction()) == (2, 2)


def test_get_all_answers_a_repeated_document_once(db, docs):
    # python-firestore's test_get_all: "Get 2 colliding documents".
    snapshots = list(db.get_all([docs.document("d00"), docs.document("d00")]))
    assert [snapshot.id for snapshot in snapshots] == ["d00"]
