"""Listen streams: targets, their results, and the changes each commit sends.

Message order follows google/firestore/v1/firestore.proto (ListenResponse, TargetChange):
on ADD the server sends TargetChange(ADD), a DocumentChange per matching document,
TargetChange(CURRENT) with a resume token, then a global TargetChange(NO_CHANGE) with no
target ids and a read_time, which tells the client the snapshot is consistent. After
each commit that touches a target, the session sends the document changes of *all* its
targets and then one global NO_CHANGE at the commit time, so a commit touching several
documents arrives as one snapshot.

The engine calls ``on_commit`` with its lock held, so snapshots are delivered in commit
order; ``send`` must not block (transports put messages on a queue).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from emulators.firestore import protos
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.paths import parse_document, parse_parent
from emulators.firestore.queries import CompiledQuery
from emulators.firestore.security import Caller
from emulators.firestore.store import Entry
from emulators.firestore.writes import micros_of, set_time

if TYPE_CHECKING:
    from emulators.firestore.engine import FirestoreEngine

_TC = protos.TargetChange
Change = tuple[str, Entry | None, Entry | None]  # (path, before, after)


def resume_token(commit_us: int) -> bytes:
    return commit_us.to_bytes(8, "big")


def target_change(kind: str, target_ids=(), *, commit_us: int | None = None, cause=None):
    response = protos.ListenResponse()
    change = response.target_change
    change.target_change_type = _TC.TargetChangeType.Value(kind)
    change.target_ids.extend(target_ids)
    if commit_us is not None:
        change.resume_token = resume_token(commit_us)
        set_time(change.read_time, commit_us)
    if cause is not None:
        change.cause.code = int(cause.code)
        change.cause.message = cause.message
    if kind == "ADD" or kind == "REMOVE":
        change.ClearField("resume_token")
    return response


class _Messages:
    """The messages of one commit for one session, sharing DocumentChange messages
    between sessions of the same commit (the gRPC layer caches their serialization)."""

    def __init__(self, cache: dict) -> None:
        self.cache = cache
        self.items: list = []
        self.document_reads = 0

    def changed(self, doc, target_id: int) -> None:
        key = ("change", id(doc), target_id)
        response = self.cache.get(key)
        if response is None:
            response = protos.ListenResponse()
            response.document_change.document.CopyFrom(doc)
            response.document_change.target_ids.append(target_id)
            self.cache[key] = (response, doc)
        else:
            response = response[0]
        self.items.append(response)
        self.document_reads += 1

    def gone(self, name: str, target_id: int, deleted: bool, commit_us: int) -> None:
        response = protos.ListenResponse()
        if deleted:
            response.document_delete.document = name
            response.document_delete.removed_target_ids.append(target_id)
            set_time(response.document_delete.read_time, commit_us)
        else:
            response.document_remove.document = name
            response.document_remove.removed_target_ids.append(target_id)
            set_time(response.document_remove.read_time, commit_us)
        self.items.append(response)


class QueryTarget:
    def __init__(self, target_id: int, query: CompiledQuery) -> None:
        self.id = target_id
        self.query = query
        self.results: dict[str, Entry] = {}
        self.rule_reads: set[str] = set()  # documents the rules decision depended on
        self.rules_generation = -1

    def recheck(self, engine: FirestoreEngine, caller: Caller) -> None:
        self.rules_generation = engine.rules.generation
        self.rule_reads = engine.check_list_rules(caller, self.query)

    def initial(self, engine: FirestoreEngine, messages: _Messages) -> None:
        store = engine.store(self.query.parent.database)
        for entry in self.query.run(store):
            self.results[entry.path] = entry
            messages.changed(self.query.project(entry), self.id)

    def collect(self, engine: FirestoreEngine, changes: list[Change], messages, commit_us):
        query = self.query
        relevant = [change for change in changes if query.in_scope(change[0])]
        if not relevant:
            return
        if query.windowed:
            fresh = {entry.path: entry for entry in query.run(engine.store(query.parent.database))}
            for path, old in self.results.items():
                if path not in fresh:
                    current = engine.store(query.parent.database).get(path)
                    messages.gone(old.doc.name, self.id, current is None, commit_us)
            for path, entry in fresh.items():
                if self.results.get(path) is not entry:
                    messages.changed(query.project(entry), self.id)
            self.results = fresh
            return
        for path, _before, after in relevant:
            held = self.results.get(path)
            if after is not None and query.matches(after):
                if held is not after:
                    self.results[path] = after
                    messages.changed(query.project(after), self.id)
            elif held is not None:
                del self.results[path]
                messages.gone(held.doc.name, self.id, after is None, commit_us)


class DocumentsTarget:
    def __init__(self, target_id: int, database: str, names: list[str]) -> None:
        self.id = target_id
        self.database = database
        self.paths = {parse_document(name).path: name for name in names}
        self.present: set[str] = set()
        self.rule_reads: set[str] = set()
        self.rules_generation = -1

    def recheck(self, engine: FirestoreEngine, caller: Caller) -> None:
        self.rules_generation = engine.rules.generation
        reads: set[str] = set(self.paths)  # a get rule may read resource.data
        for name in self.paths.values():
            reads |= engine.check_get_rules(caller, parse_document(name))
        self.rule_reads = reads

    def initial(self, engine: FirestoreEngine, messages: _Messages) -> None:
        store = engine.store(self.database)
        for path in self.paths:
            entry = store.get(path)
            if entry is not None:
                self.present.add(path)
                messages.changed(entry.doc, self.id)

    def collect(self, engine: FirestoreEngine, changes: list[Change], messages, commit_us):
        for path, _before, after in changes:
            if path not in self.paths:
                continue
            if after is not None:
                self.present.add(path)
                messages.changed(after.doc, self.id)
            elif path in self.present:
                self.present.discard(path)
                messages.gone(self.paths[path], self.id, True, commit_us)


def _resume_time(target) -> int | None:
    """The commit time a target resumes from (its resume token or read_time), if any."""
    if target.HasField("read_time"):
        return micros_of(target.read_time)
    if target.resume_token:
        token = target.resume_token
        # A token we did not mint (or from another run) resumes from "unknown": RESET.
        return int.from_bytes(token, "big") if len(token) == 8 else -1
    return None


class ListenSession:
    """One Listen stream. ``handle`` takes ListenRequests; ``send`` gets ListenResponses."""

    def __init__(
        self, engine: FirestoreEngine, caller: Caller, send: Callable[[object], None]
    ) -> None:
        self.engine = engine
        self.caller = caller
        self.send = send
        self.database: str | None = None
        self.targets: dict[int, QueryTarget | DocumentsTarget] = {}
        self.closed = False

    def handle(self, request) -> None:
        """Applies one ListenRequest; raises FirestoreError for a malformed stream."""
        if not request.database:
            raise invalid("ListenRequest.database is required")
        if self.database is None:
            self.database = request.database
            self.engine.attach_listener(self)
        elif request.database != self.database:
            raise invalid("A Listen stream serves one database")
        which = request.WhichOneof("target_change")
        with self.engine.cond:
            if which == "add_target":
                self._add(request.add_target)
            elif which == "remove_target":
                self._remove(request.remove_target)

    def close(self) -> None:
        self.closed = True
        self.engine.detach_listener(self)

    def fail(self, error: FirestoreError) -> None:
        """Removes every target with ``error`` as the cause (the client sees an error)."""
        for target_id in list(self.targets):
            del self.targets[target_id]
            self.send(target_change("REMOVE", [target_id], cause=error))

    def _add(self, target) -> None:
        target_id = target.target_id or self._free_id()
        if target_id in self.targets:
            raise invalid(f"Target id {target_id} is already in use")
        messages = _Messages({})
        try:
            built = self._build(target_id, target)
            built.initial(self.engine, messages)
        except FirestoreError as error:
            self.send(target_change("ADD", [target_id]))
            self.send(target_change("REMOVE", [target_id], cause=error))
            return
        self.targets[target_id] = built
        commit_us = self.engine.last_commit_us
        self.send(target_change("ADD", [target_id]))
        items, reads = messages.items, messages.document_reads
        resume_from = _resume_time(target)
        if resume_from is not None:
            delta = self._delta_since(built, resume_from, messages, commit_us)
            if delta is None:
                # The history does not reach back that far: start over from the full state.
                self.send(target_change("RESET", [target_id]))
            else:
                items, reads = delta
        for message in items:
            self.send(message)
        self.send(target_change("CURRENT", [target_id], commit_us=commit_us))
        self.send(target_change("NO_CHANGE", commit_us=commit_us))
        self.engine.count_listener_reads(self.database, reads)
        if target.once:
            del self.targets[target_id]
            self.send(target_change("REMOVE", [target_id]))

    def _delta_since(self, built, since_us: int, messages: _Messages, commit_us: int):
        """For a resumed target: only what changed after ``since_us`` (changes for
        documents in the results, removals for the others), with the reads it costs;
        None when that cannot be known (history pruned, or a limit/offset query)."""
        if isinstance(built, QueryTarget) and built.query.windowed:
            return None
        store = self.engine.store(self.database)
        changed = store.changed_since(since_us)
        if changed is None:
            return None
        root = f"{store.root}/"
        items = [
            m for m in messages.items if m.document_change.document.name[len(root) :] in changed
        ]
        if isinstance(built, QueryTarget):
            held, relevant = built.results, [p for p in changed if built.query.in_scope(p)]
        else:
            held, relevant = built.present, [p for p in changed if p in built.paths]
        removals = _Messages({})
        for path in sorted(relevant):
            if path not in held:
                removals.gone(f"{root}{path}", built.id, store.get(path) is None, commit_us)
        return items + removals.items, len(items)

    def _build(self, target_id: int, target):
        which = target.WhichOneof("target_type")
        if which == "query":
            parent = parse_parent(target.query.parent)
            if parent.database != self.database:
                raise invalid("Target is not in the stream's database")
            built = QueryTarget(target_id, CompiledQuery(parent, target.query.structured_query))
        elif which == "documents":
            names = list(target.documents.documents)
            for name in names:
                if parse_document(name).database != self.database:
                    raise invalid("Target is not in the stream's database")
            built = DocumentsTarget(target_id, self.database, names)
        else:
            raise invalid("Target needs a query or documents")
        built.recheck(self.engine, self.caller)
        return built

    def _remove(self, target_id: int) -> None:
        if self.targets.pop(target_id, None) is None:
            error = FirestoreError(Code.INVALID_ARGUMENT, f"Unknown target id {target_id}")
            self.send(target_change("REMOVE", [target_id], cause=error))
            return
        self.send(target_change("REMOVE", [target_id]))

    def _free_id(self) -> int:
        candidate = 1
        while candidate in self.targets:
            candidate += 2
        return candidate

    def _recheck_rules(self, changes: list[Change]) -> None:
        """Re-evaluates the rules of targets whose decision read a changed document (a
        member removed from a room stops receiving its messages), or all of them when the
        rules file changed: denied targets are removed with PERMISSION_DENIED."""
        changed = {path for path, _, _ in changes}
        generation = self.engine.rules.refresh()
        for target_id, target in list(self.targets.items()):
            if target.rules_generation == generation and not target.rule_reads & changed:
                continue
            try:
                target.recheck(self.engine, self.caller)
            except FirestoreError as error:
                del self.targets[target_id]
                self.send(target_change("REMOVE", [target_id], cause=error))

    def on_commit(self, changes: list[Change], commit_us: int, cache: dict) -> None:
        if self.closed or not self.targets:
            return
        if not self.caller.admin:
            self._recheck_rules(changes)
        messages = _Messages(cache)
        for target in self.targets.values():
            target.collect(self.engine, changes, messages, commit_us)
        if not messages.items:
            return
        for message in messages.items:
            self.send(message)
        self.send(target_change("NO_CHANGE", commit_us=commit_us))
        self.engine.count_listener_reads(self.database, messages.document_reads)
