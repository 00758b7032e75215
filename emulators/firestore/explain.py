"""Query explain (``explain_options`` of RunQuery and RunAggregationQuery).

From google/firestore/v1/query_profile.proto and firebase.google.com/docs/firestore/
query-explain, with the shapes python-firestore's system tests expect of production
(test_*_w_explain_options_*): with ``analyze`` false the query is planned, not run: the
answer is one response carrying only ``explain_metrics.plan_summary``; with ``analyze``
true the results come as usual and the last response also carries ``execution_stats``
(``results_returned``, ``execution_duration``, ``read_operations``, ``debug_stats`` with
``billing_details``, ``documents_scanned``, ``index_entries_scanned``).

``plan_summary.indexes_used`` names the index each branch of the query reads, as
production writes it: ``{"query_scope": "Collection", "properties": "(a ASC, __name__
ASC)"}``: the equality fields, the orderings, then ``__name__``; for a vector search the
equality fields, ``__name__ ASC``, then ``field VECTOR<dimension>``; equalities alone on
several fields read one single-field index per field (index merging). Which of several
possible indexes production's planner picks is not modelled.
"""

from __future__ import annotations

from emulators.firestore.indexes import CONTAINS, query_needs
from emulators.firestore.paths import format_field_path
from emulators.firestore.queries import NAME, CompiledQuery


def indexes_used(query: CompiledQuery) -> list[dict]:
    scope = "Collection group" if query.all_descendants else "Collection"
    name_direction = "DESC" if query.orderings and query.orderings[-1].descending else "ASC"
    entries: list[str] = []
    for equalities, order in query_needs(query):
        leading = [
            f"{format_field_path(path)} {'CONTAINS' if kind == CONTAINS else 'ASC'}"
            for path, kind in equalities
        ]
        if query.nearest is not None:
            vector = f"{format_field_path(query.nearest.path)} VECTOR<{len(query.nearest.vector)}>"
            candidates = [[*leading, "__name__ ASC", vector]]
        elif not order and len(leading) > 1:
            candidates = [[field, f"__name__ {name_direction}"] for field in leading]
        else:
            ordered = [
                f"{format_field_path(o.path)} {'DESC' if o.mode == 'DESCENDING' else 'ASC'}"
                for o in order
                if o.path != NAME
            ]
            candidates = [[*leading, *ordered, f"__name__ {name_direction}"]]
        for fields in candidates:
            properties = f"({', '.join(fields)})"
            if properties not in entries:
                entries.append(properties)
    return [{"query_scope": scope, "properties": properties} for properties in entries]


def fill(metrics, query: CompiledQuery, analyze: bool, stats: dict | None = None) -> None:
    """Fills an ``ExplainMetrics`` message. ``stats`` (when ``analyze``): results,
    read_operations, scanned, seconds."""
    for entry in indexes_used(query):
        metrics.plan_summary.indexes_used.add().update(entry)
    if not analyze or stats is None:
        return
    execution = metrics.execution_stats
    execution.results_returned = stats["results"]
    execution.read_operations = stats["read_operations"]
    execution.execution_duration.FromNanoseconds(max(1000, int(stats["seconds"] * 1e9)))
    execution.debug_stats.update(
        {
            "billing_details": {
                "documents_billable": str(stats["read_operations"]),
                "index_entries_billable": "0",
                "small_ops": "0",
                "min_query_cost": "1" if stats["results"] == 0 else "0",
            },
            "documents_scanned": str(stats["scanned"]),
            "index_entries_scanned": str(stats["scanned"]),
        }
    )
