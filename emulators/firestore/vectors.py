"""Vector search: ``StructuredQuery.find_nearest`` (the Python client's ``find_nearest``).

From google/firestore/v1/query.proto (``FindNearest``) and
firebase.google.com/docs/firestore/vector-search: the query's filters pick the candidates;
only documents whose field holds a vector of the query vector's dimension can be returned;
results are ordered by distance (EUCLIDEAN and COSINE ascending, DOT_PRODUCT descending,
since its value grows with similarity), cut by ``distance_threshold`` (``<=`` for
EUCLIDEAN and COSINE, ``>=`` for DOT_PRODUCT) and by ``limit`` (1 to 1000, required); the
query vector has at most 2048 dimensions. ``distance_result_field`` names a field of the
returned documents that receives the distance. Documents at the same distance come in
name order (the proto leaves that order unspecified). Google's emulator runs these
queries too (firebase-tools#8077 reports on its handling of nested vector fields).

Vector search does not run in listeners in production ("vector queries cannot be
listened to" is our wording; the clients offer no listener for them), so a Listen target
with ``find_nearest`` is INVALID_ARGUMENT here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from emulators.firestore import protos, values
from emulators.firestore.errors import invalid
from emulators.firestore.paths import FieldPath, parse_field_path

MAX_LIMIT = 1000
MAX_DIMENSION = 2048
EUCLIDEAN, COSINE, DOT_PRODUCT = 1, 2, 3
MEASURES = {EUCLIDEAN: "EUCLIDEAN", COSINE: "COSINE", DOT_PRODUCT: "DOT_PRODUCT"}


def vector_numbers(value) -> list[float] | None:
    """The numbers of a vector value, or None when ``value`` is not a vector of numbers."""
    items = values.vector_items(value)
    if items is None:
        return None
    numbers = []
    for item in items:
        which = item.WhichOneof("value_type")
        if which == "integer_value":
            numbers.append(float(item.integer_value))
        elif which == "double_value":
            numbers.append(item.double_value)
        else:
            return None
    return numbers


@dataclass
class Nearest:
    """A compiled ``FindNearest``; ``distances`` holds the distance of each returned path."""

    path: FieldPath
    vector: list[float]
    measure: int
    limit: int
    threshold: float | None
    result_field: FieldPath | None
    distances: dict[str, float] = field(default_factory=dict)

    @classmethod
    def compile(cls, find_nearest) -> Nearest:
        if not find_nearest.vector_field.field_path:
            raise invalid("FindNearest needs a vector_field")
        path = parse_field_path(find_nearest.vector_field.field_path)
        vector = vector_numbers(find_nearest.query_vector)
        if vector is None:
            raise invalid("FindNearest.query_vector must be a vector value")
        if not vector:
            raise invalid("FindNearest.query_vector must have at least one dimension")
        if len(vector) > MAX_DIMENSION:
            raise invalid(
                f"FindNearest.query_vector has {len(vector)} dimensions; at most "
                f"{MAX_DIMENSION} are allowed"
            )
        measure = find_nearest.distance_measure
        if measure not in MEASURES:
            raise invalid("FindNearest.distance_measure must be EUCLIDEAN, COSINE or DOT_PRODUCT")
        if not find_nearest.HasField("limit"):
            raise invalid("FindNearest.limit is required")
        limit = find_nearest.limit.value
        if not 0 < limit <= MAX_LIMIT:
            raise invalid(f"FindNearest.limit must be between 1 and {MAX_LIMIT}, got {limit}")
        threshold = (
            find_nearest.distance_threshold.value
            if find_nearest.HasField("distance_threshold")
            else None
        )
        result_field = None
        if find_nearest.distance_result_field:
            result_field = parse_field_path(find_nearest.distance_result_field)
        return cls(path, vector, measure, limit, threshold, result_field)

    def distance(self, other: list[float]) -> float | None:
        """The distance to ``other`` (None when it cannot be measured: COSINE of a zero
        vector)."""
        if self.measure == EUCLIDEAN:
            return math.sqrt(sum((a - b) ** 2 for a, b in zip(self.vector, other, strict=True)))
        dot = sum(a * b for a, b in zip(self.vector, other, strict=True))
        if self.measure == DOT_PRODUCT:
            return dot
        norms = math.sqrt(sum(a * a for a in self.vector)) * math.sqrt(sum(b * b for b in other))
        if norms == 0:
            return None
        return 1.0 - dot / norms

    def select(self, entries, value_of) -> list:
        """The nearest of ``entries`` (already filtered), nearest first; ``value_of(entry,
        path)`` reads the vector field."""
        scored = []
        for entry in entries:
            numbers = vector_numbers(value_of(entry, self.path) or protos.Value())
            if numbers is None or len(numbers) != len(self.vector):
                continue
            distance = self.distance(numbers)
            if distance is None or math.isnan(distance):
                continue
            if self.threshold is not None:
                if self.measure == DOT_PRODUCT and distance < self.threshold:
                    continue
                if self.measure != DOT_PRODUCT and distance > self.threshold:
                    continue
            scored.append((distance, values.reference_key(entry.doc.name), entry))
        descending = self.measure == DOT_PRODUCT
        scored.sort(key=lambda item: ((-item[0] if descending else item[0]), item[1]))
        chosen = scored[: self.limit]
        self.distances = {entry.path: distance for distance, _, entry in chosen}
        return [entry for _, _, entry in chosen]

    def annotate(self, doc, path: str):
        """``doc`` with the distance in ``distance_result_field``, when the query asks."""
        if self.result_field is None or path not in self.distances:
            return doc
        annotated = protos.Document()
        annotated.CopyFrom(doc)
        values.set_field(
            annotated.fields, self.result_field, protos.Value(double_value=self.distances[path])
        )
        return annotated
