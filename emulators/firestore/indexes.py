"""Index enforcement: a query production would refuse for want of an index is refused here.

Production serves every query from an index (firebase.google.com/docs/firestore/query-data/
index-overview). Single-field indexes (ascending, descending, array-contains) exist by
default for every field at collection scope, none at collection-group scope; a
``fieldOverrides`` entry of ``firestore.indexes.json`` replaces them for its field (and the
fields inside it, if a map). Equalities alone are served by merging single-field indexes;
one ordered field alone by its single-field index; anything else (equalities plus an
ordering, or two ordered fields) needs composite indexes ending with the query's orderings,
whose leading fields cover the equalities. Production answers FAILED_PRECONDITION with a
console link that creates the missing index; so do we, with the same link format.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.paths import FieldPath, format_field_path, parse_field_path
from emulators.firestore.queries import NAME, CompiledQuery, disjunctive_normal_form
from emulators.rules_support import WatchedFile

log = logging.getLogger(__name__)

ASCENDING, DESCENDING, CONTAINS = "ASCENDING", "DESCENDING", "CONTAINS"
VECTOR = "VECTOR"
COLLECTION, COLLECTION_GROUP = "COLLECTION", "COLLECTION_GROUP"
EQUALITY_OPS = {"==", "in"}
CONTAINS_OPS = {"array-contains", "array-contains-any"}
CONSOLE = "https://console.firebase.google.com/v1/r/project/{project}/firestore/indexes"


@dataclass(frozen=True)
class IndexField:
    path: FieldPath
    mode: str  # ASCENDING, DESCENDING, CONTAINS or VECTOR
    dimension: int = 0  # of a VECTOR field


@dataclass(frozen=True)
class CompositeIndex:
    collection_group: str
    scope: str
    fields: tuple[IndexField, ...]  # without a trailing __name__


# What a query needs of one field: equality (either order serves) or array membership.
Equality = tuple[FieldPath, str]  # (path, "eq" | CONTAINS)


class IndexConfig:
    """The indexes of one ``firestore.indexes.json``."""

    def __init__(
        self,
        composites: list[CompositeIndex],
        overrides: dict[tuple[str, FieldPath], set[tuple[str, str]]],
    ) -> None:
        self.composites = composites
        self.overrides = overrides  # (collection group, path) -> {(scope, mode)}

    @classmethod
    def parse(cls, data: dict) -> IndexConfig:
        composites = []
        for entry in data.get("indexes", []):
            fields = tuple(_index_field(field) for field in entry["fields"])
            if fields and fields[-1].path == NAME:
                fields = fields[:-1]
            scope = entry.get("queryScope", COLLECTION)
            composites.append(CompositeIndex(entry["collectionGroup"], scope, fields))
        overrides = {}
        for entry in data.get("fieldOverrides", []):
            key = (entry["collectionGroup"], parse_field_path(entry["fieldPath"]))
            overrides[key] = {
                (index.get("queryScope", COLLECTION), index.get("order") or index["arrayConfig"])
                for index in entry.get("indexes", [])
            }
        return cls(composites, overrides)

    def single_field(self, group: str, path: FieldPath, scope: str, mode: str) -> bool:
        """Whether a single-field index on ``path`` in ``mode`` exists."""
        for length in range(len(path), 0, -1):  # a map's override covers its fields
            override = self.overrides.get((group, path[:length]))
            if override is not None:
                return (scope, mode) in override
        return scope == COLLECTION

    def missing(self, group: str, scope: str, equalities: list[Equality], order: list[IndexField]):
        """The index the query lacks, as an admin ``Index``/``Field`` description, or None."""
        if not order:
            for path, kind in equalities:
                modes = [ASCENDING, DESCENDING] if kind == "eq" else [CONTAINS]
                if not any(self.single_field(group, path, scope, m) for m in modes):
                    return SingleFieldNeed(group, scope, IndexField(path, modes[0]))
            return None
        if not equalities and len(order) == 1:
            if self.single_field(group, order[0].path, scope, order[0].mode):
                return None
            return SingleFieldNeed(group, scope, order[0])
        usable = []  # indexes ending with the ordering whose leading fields are all fixed
        for index in self.composites:
            if index.collection_group != group or index.scope != scope:
                continue
            prefix, suffix = index.fields[: -len(order)], index.fields[-len(order) :]
            leading = {(f.path, CONTAINS if f.mode == CONTAINS else "eq") for f in prefix}
            if list(suffix) == order and leading <= set(equalities):
                usable.append(leading)
        if usable and set(equalities) <= set().union(*usable):
            return None
        wanted = [IndexField(p, CONTAINS if k == CONTAINS else ASCENDING) for p, k in equalities]
        return CompositeNeed(group, scope, (*wanted, *order))

    def missing_vector(self, group: str, scope: str, filtered: set[FieldPath], vector: IndexField):
        """A vector search needs a composite index of its scope ending with the vector field
        (same dimension) whose other fields are exactly the filtered fields
        (firebase.google.com/docs/firestore/vector-search: a pre-filter needs a composite
        vector index with the filtered fields)."""
        for index in self.composites:
            if index.collection_group != group or index.scope != scope or not index.fields:
                continue
            *prefix, last = index.fields
            if last == vector and {f.path for f in prefix} == filtered:
                return None
        return VectorNeed(group, scope, tuple(sorted(filtered)), vector)


def _index_field(field: dict) -> IndexField:
    if "vectorConfig" in field:  # {"dimension": 3, "flat": {}}
        dimension = int(field["vectorConfig"]["dimension"])
        return IndexField(parse_field_path(field["fieldPath"]), VECTOR, dimension)
    mode = field.get("order") or field.get("arrayConfig")
    if mode not in (ASCENDING, DESCENDING, CONTAINS):
        raise invalid(f"index field {field!r} needs an order or arrayConfig CONTAINS")
    return IndexField(parse_field_path(field["fieldPath"]), mode)


@dataclass(frozen=True)
class CompositeNeed:
    group: str
    scope: str
    fields: tuple[IndexField, ...]

    def error(self, database: str) -> FirestoreError:
        from google.cloud.firestore_admin_v1.types import Index

        last = self.fields[-1].mode
        fields = [*self.fields, IndexField(NAME, last if last != CONTAINS else ASCENDING)]
        index = Index(
            name=f"{database}/collectionGroups/{self.group}/indexes/_",
            query_scope=self.scope,
            fields=[_admin_field(field) for field in fields],
        )
        link = _link(database, "create_composite", Index.serialize(index))
        return FirestoreError(
            Code.FAILED_PRECONDITION,
            f"The query requires an index. You can create it here: {link}",
        )


@dataclass(frozen=True)
class SingleFieldNeed:
    group: str
    scope: str
    field: IndexField

    def error(self, database: str) -> FirestoreError:
        from google.cloud.firestore_admin_v1.types import Field, Index

        path = format_field_path(self.field.path)
        config = Field.IndexConfig(
            indexes=[Index(query_scope=self.scope, fields=[_admin_field(self.field)])]
        )
        exemption = Field(
            name=f"{database}/collectionGroups/{self.group}/fields/{path}", index_config=config
        )
        link = _link(database, "create_exemption", Field.serialize(exemption))
        kind = {ASCENDING: "ASC", DESCENDING: "DESC", CONTAINS: "CONTAINS"}[self.field.mode]
        return FirestoreError(
            Code.FAILED_PRECONDITION,
            f"The query requires a {self.scope}_{kind} index for collection {self.group} and "
            f"field {path}. You can create it here: {link}",
        )


@dataclass(frozen=True)
class VectorNeed:
    group: str
    scope: str
    filtered: tuple[FieldPath, ...]
    vector: IndexField

    def error(self, database: str) -> FirestoreError:
        # Production names the gcloud command that creates the index (the wording is
        # modelled on public reports, not measured).
        project = database.split("/")[1]
        configs = [
            f"--field-config=order=ASCENDING,field-path={format_field_path(p)}"
            for p in self.filtered
        ]
        config = f'{{"dimension":"{self.vector.dimension}","flat": "{{}}"}}'
        configs.append(
            f"--field-config=vector-config='{config}',field-path={format_field_path(self.vector.path)}"
        )
        named = database.rsplit("/", 1)[1]
        command = (
            f"gcloud firestore indexes composite create --project={project} "
            f"--collection-group={self.group} --query-scope={self.scope} "
            + " ".join(configs)
            + ("" if named == "(default)" else f" --database={named}")
        )
        return FirestoreError(
            Code.FAILED_PRECONDITION,
            "Missing vector index configuration. Please create the required index with the "
            f"following gcloud command: {command}",
        )


def _admin_field(field: IndexField):
    from google.cloud.firestore_admin_v1.types import Index

    path = format_field_path(field.path)
    if field.mode == CONTAINS:
        return Index.IndexField(field_path=path, array_config="CONTAINS")
    return Index.IndexField(field_path=path, order=field.mode)


def _link(database: str, action: str, message: bytes) -> str:
    encoded = base64.urlsafe_b64encode(message).decode().rstrip("=")
    return f"{CONSOLE.format(project=database.split('/')[1])}?{action}={encoded}"


def query_needs(query: CompiledQuery) -> list[tuple[list[Equality], list[IndexField]]]:
    """For each branch of the query's disjunction: its equalities and its orderings (the
    explicit ones, then the inequality fields, without ``__name__`` or equality fields)."""
    where = query.query.where if query.query.HasField("where") else None
    branches = disjunctive_normal_form(where) if where is not None else [[]]
    if branches is None:
        return []  # over 30 disjunctions: refused by the query itself
    needs = []
    for branch in branches:
        equalities: list[Equality] = []
        for field_path, op, _ in branch:
            path = parse_field_path(field_path)
            kind = "eq" if op in EQUALITY_OPS else CONTAINS if op in CONTAINS_OPS else None
            if kind and path != NAME and (path, kind) not in equalities:
                equalities.append((path, kind))
        fixed = {path for path, kind in equalities if kind == "eq"}
        order = [
            IndexField(o.path, DESCENDING if o.descending else ASCENDING)
            for o in query.orderings
            if o.path != NAME and o.path not in fixed
        ]
        needs.append((equalities, order))
    return needs


class IndexGate:
    """Loads ``firestore.indexes.json`` (reloading it when it changes) and refuses queries
    it cannot serve. Disabled, it lets every query run, as Google's emulator does."""

    def __init__(self, path: Path | None, enabled: bool = True) -> None:
        self.path = path
        self.enabled = enabled
        self._lock = threading.Lock()
        self._file = WatchedFile(path) if path is not None else None
        self._config = IndexConfig([], {})
        if enabled:
            self._reload_if_changed()

    def check(self, query: CompiledQuery) -> None:
        if not self.enabled:
            return
        config = self._reload_if_changed()
        group = query.collection_id
        scope = COLLECTION_GROUP if query.all_descendants else COLLECTION
        if query.nearest is not None:
            vector = IndexField(query.nearest.path, VECTOR, len(query.nearest.vector))
            filtered = (
                {
                    parse_field_path(path)
                    for branch in (disjunctive_normal_form(query.query.where) or [])
                    for path, _, _ in branch
                }
                - {NAME}
                if query.query.HasField("where")
                else set()
            )
            need = config.missing_vector(group, scope, filtered, vector)
            if need is not None:
                raise need.error(query.parent.database)
            return
        for equalities, order in query_needs(query):
            need = config.missing(group, scope, equalities, order)
            if need is not None:
                raise need.error(query.parent.database)

    def _reload_if_changed(self) -> IndexConfig:
        with self._lock:
            if self._file is None or not self._file.changed():
                return self._config
            try:
                text = self._file.path.read_text()
            except FileNotFoundError:
                self._config = IndexConfig([], {})  # no file: the default indexes only
                return self._config
            try:
                self._config = IndexConfig.parse(json.loads(text))
                log.info("Firestore indexes loaded from %s", self.path)
            except (ValueError, KeyError, TypeError, FirestoreError) as exc:
                log.error("%s not loaded (keeping the previous indexes): %s", self.path, exc)
            return self._config
