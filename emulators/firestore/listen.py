"""Listen streams: targets, their results, and the changes each commit sends.

Message order follows google/firestore/v1/firestore.proto (ListenResponse, TargetChange):
on ADD the server sends TargetChange(ADD), a DocumentChange per matching document,
TargetChange(CURRENT) with a resume token, then a global TargetChange(NO_CHANGE) with no
target ids and a read_time, which tells the client the snapshot is consistent. After
each commit that touches a target, the session sends the document changes of *all* its
targets and then one global NO_CHANGE at the commit time, so a commit touching several
documents arrives as one snapshot.

``Listeners`` subscribes to the engine's commits (the engine does not know it) and hands
each commit to the sessions of its database. That happens with the engine lock held, so
snapshots are delivered in commit order; ``send`` must not block (transports put
messages on a queue). A running emulator has one ``Listeners``, shared by its transports.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import math
import time
from collections.abc import Callable

from emulators.firestore import protos
from emulators.firestore.commits import Change
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.paths import parse_database, parse_document, parse_parent
from emulators.firestore.queries import CompiledQuery
from emulators.firestore.security import Caller
from emulators.firestore.store import Entry
from emulators.firestore.writes import micros_of, set_time

log = logging.getLogger(__name__)

_TC = protos.TargetChange

# Production's Watch stops tracking a query a few seconds after its listener goes away; a
# resume after that gets an ExistenceFilter (the count, and a bloom filter of the names
# still matching) instead of deletes and removes for the documents that left the results
# (the JS SDK's api_internal/query.test.ts: "Wait for 10 seconds, during which Watch will
# stop tracking the query and will send an existence filter rather than 'delete' events";
# documents updated so as not to match are left to the filter too). Ours forgets the
# documents that left the results longer ago than this.
FORGET_AFTER_US = 5 * 1_000_000
BLOOM_FALSE_POSITIVE_RATE = 0.01


def bloom_filter(names: list[str]):
    """``google.firestore.v1.BloomFilter`` of ``names`` (full document names), as the SDKs
    read it (bloom_filter.ts, BloomFilter.java): MD5 of the UTF-8 name split into two
    little-endian unsigned 64-bit halves h1, h2; bit i of ``hash_count`` is
    ``(h1 + i * h2) mod 2**64 mod bit_count``, least significant bit of each byte first;
    ``padding`` unused bits at the end of the bitmap. Sized for a 1% false positive rate."""
    message = protos.ListenResponse().filter.unchanged_names
    if not names:
        return message
    bits = max(8, math.ceil(-len(names) * math.log(BLOOM_FALSE_POSITIVE_RATE) / math.log(2) ** 2))
    if bits % 8 == 0:
        bits += 1  # production's filters are not byte-aligned (the SDK's tests check padding > 0)
    hash_count = max(1, round(bits / len(names) * math.log(2)))
    bitmap = bytearray((bits + 7) // 8)
    for name in names:
        digest = hashlib.md5(name.encode()).digest()
        h1 = int.from_bytes(digest[:8], "little")
        h2 = int.from_bytes(digest[8:], "little")
        for i in range(hash_count):
            index = ((h1 + i * h2) % 2**64) % bits
            bitmap[index // 8] |= 1 << (index % 8)
    message.bits.bitmap = bytes(bitmap)
    message.bits.padding = len(bitmap) * 8 - bits
    message.hash_count = hash_count
    return message


def resume_token(commit_us: int, incarnation: bytes) -> bytes:
    """The commit time, then the engine's incarnation (which history the time is in)."""
    return commit_us.to_bytes(8, "big") + incarnation


def target_change(kind: str, target_ids=(), *, cause=None):
    response = protos.ListenResponse()
    change = response.target_change
    change.target_change_type = _TC.TargetChangeType.Value(kind)
    change.target_ids.extend(target_ids)
    if cause is not None:
        change.cause.code = int(cause.code)
        change.cause.message = cause.message
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
        self.rule_reads = engine.rules.check_list(caller, self.query)

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
            reads |= engine.rules.check_get(caller, parse_document(name))
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


def _resume_time(target, incarnation: bytes) -> int | None:
    """The commit time a target resumes from (its resume token or read_time), if any."""
    if target.HasField("read_time"):
        return micros_of(target.read_time)
    if target.resume_token:
        token = target.resume_token
        # A token we did not mint, or minted by another history (an emulator restarted
        # without its data), resumes from "unknown": RESET.
        if len(token) != 8 + len(incarnation) or token[8:] != incarnation:
            return -1
        return int.from_bytes(token[:8], "big")
    return None


class Listeners:
    """The open Listen sessions of one engine, by database, fed every commit."""

    def __init__(self, engine: FirestoreEngine) -> None:
        self.engine = engine
        self._sessions: dict[str, set[ListenSession]] = collections.defaultdict(set)
        engine.add_commit_observer(self._on_commit)

    def open(self, caller: Caller, send: Callable[[object], None]) -> ListenSession:
        """A Listen stream: feed it requests with ``handle``, end it with ``close``."""
        return ListenSession(self, caller, send)

    def attach(self, session: ListenSession) -> None:
        parse_database(session.database)
        with self.engine.cond:
            self._sessions[session.database].add(session)

    def detach(self, session: ListenSession) -> None:
        with self.engine.cond:
            if session.database is not None:
                self._sessions[session.database].discard(session)

    def _on_commit(self, database: str, changes: list[Change], commit_us: int) -> None:
        cache: dict = {}
        for session in list(self._sessions.get(database, ())):
            try:
                session.on_commit(changes, commit_us, cache)
            except Exception:  # the commit is applied; one broken listener must not fail it
                log.exception("Firestore listener failed; removing its targets")
                session.fail(FirestoreError(Code.INTERNAL, "internal error in Listen"))


class ListenSession:
    """One Listen stream. ``handle`` takes ListenRequests; ``send`` gets ListenResponses."""

    def __init__(
        self, listeners: Listeners, caller: Caller, send: Callable[[object], None]
    ) -> None:
        self.listeners = listeners
        self.engine = listeners.engine
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
            self.listeners.attach(self)
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
        self.listeners.detach(self)

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
        resume_from = _resume_time(target, self.engine.incarnation)
        if resume_from is not None:
            delta = self._delta_since(built, resume_from, messages, commit_us)
            if delta is None:
                # The history does not reach back that far: start over from the full state.
                self.send(target_change("RESET", [target_id]))
            else:
                items, reads = delta
        for message in items:
            self.send(message)
        self._send_consistent(target_change("CURRENT", [target_id]), commit_us)
        self._send_consistent(target_change("NO_CHANGE"), commit_us)
        self.engine.usage.count(self.database, "listener_reads", reads)
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
        forget_before = max(commit_us, time.time_ns() // 1000) - FORGET_AFTER_US
        forgotten = False
        for path in sorted(relevant):
            if path not in held:
                current = store.get(path)
                if isinstance(built, QueryTarget):
                    # When it left the results (deleted, or changed so as not to match).
                    left_us = store.tombstones.get(path) if current is None else current.update_us
                    if left_us is not None and left_us < forget_before:
                        forgotten = True  # Watch no longer knows: the existence filter tells
                        continue
                removals.gone(f"{root}{path}", built.id, current is None, commit_us)
        if forgotten:
            response = protos.ListenResponse()
            response.filter.target_id = built.id
            response.filter.count = len(held)
            names = [f"{root}{path}" for path in held]
            response.filter.unchanged_names.CopyFrom(bloom_filter(names))
            removals.items.append(response)
        return items + removals.items, len(items)

    def _build(self, target_id: int, target):
        which = target.WhichOneof("target_type")
        if which == "query":
            parent = parse_parent(target.query.parent)
            if parent.database != self.database:
                raise invalid("Target is not in the stream's database")
            query = CompiledQuery(parent, target.query.structured_query)
            if query.nearest is not None:
                raise invalid("Vector search (find_nearest) queries cannot be listened to")
            self.engine.indexes.check(query)
            built = QueryTarget(target_id, query)
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
        self._send_consistent(target_change("NO_CHANGE"), commit_us)
        self.engine.usage.count(self.database, "listener_reads", messages.document_reads)

    def _send_consistent(self, response, commit_us: int) -> None:
        """Sends a CURRENT or NO_CHANGE stamped with the commit time and a resume token."""
        change = response.target_change
        change.resume_token = resume_token(commit_us, self.engine.incarnation)
        set_time(change.read_time, commit_us)
        self.send(response)
