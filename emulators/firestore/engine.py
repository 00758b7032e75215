"""The Firestore engine: every operation of google.firestore.v1.Firestore, transport-free.

Methods take and return google.firestore.v1 protobuf messages (see ``protos``) and a
``Caller``; they raise ``FirestoreError``. The gRPC servicer is one transport over this;
REST and WebChannel can be others (``google.protobuf.json_format`` converts the messages).

One condition variable (``cond``) guards all state. Commits apply their writes and
notify listeners while holding it, so every reader sees whole commits.
"""

from __future__ import annotations

import collections
import logging
import secrets
import string
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emulators.firestore import protos, values
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.listen import Change, ListenSession
from emulators.firestore.paths import (
    DocumentName,
    format_field_path,
    parse_database,
    parse_document,
    parse_field_path,
    parse_parent,
)
from emulators.firestore.queries import (
    CompiledQuery,
    aggregate,
    disjunctive_normal_form,
    project,
)
from emulators.firestore.security import Caller, RulesGate
from emulators.firestore.store import DocumentStore, Entry
from emulators.firestore.transactions import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_LIFETIME,
    Transaction,
    TransactionManager,
)
from emulators.firestore.writes import apply_write, micros_of, set_time, target_name

log = logging.getLogger(__name__)

# cloud.google.com/firestore/quotas: "Maximum API request size 10 MiB". Commits are not
# limited to 500 writes any more, only by size.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
_AUTO_ID_ALPHABET = string.ascii_letters + string.digits
USAGE_KEYS = ("reads", "writes", "deletes", "listener_reads")


def auto_id() -> str:
    return "".join(secrets.choice(_AUTO_ID_ALPHABET) for _ in range(20))


def _check_request_size(request) -> None:
    size = request.ByteSize()
    if size > MAX_REQUEST_BYTES:
        raise invalid(f"Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes.")


def _accessed_paths(access) -> set[str]:
    """Document paths (relative to the documents root) a rules decision read."""
    return {path.split("/documents/", 1)[-1].strip("/") for path in access.accessed}


def _rules_path(name: DocumentName) -> str:
    base = f"/databases/{name.database_id}/documents"
    return f"{base}/{name.path}" if name.path else base


class FirestoreEngine:
    def __init__(
        self,
        rules_path: Path | None = None,
        *,
        transaction_idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        transaction_max_lifetime: float = DEFAULT_MAX_LIFETIME,
    ) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.rules = RulesGate(rules_path)
        self.transactions = TransactionManager(
            self.cond, transaction_idle_timeout, transaction_max_lifetime
        )
        self._stores: dict[str, DocumentStore] = {}
        self._listeners: dict[str, set[ListenSession]] = collections.defaultdict(set)
        # Called with (database, changes, commit_us) after each commit, with ``cond`` held
        # (the launcher's event bus: the functions host feeds triggers from it).
        self.commit_observers: list[Callable[[str, list[Change], int], None]] = []
        self._usage: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.last_commit_us = 0
        self._commits_since_prune = 0

    # state ------------------------------------------------------------------------------
    def store(self, database: str) -> DocumentStore:
        store = self._stores.get(database)
        if store is None:
            store = self._stores[database] = DocumentStore(parse_database(database))
        return store

    def next_commit_time(self) -> int:
        """A commit time in microseconds, strictly increasing."""
        now = time.time_ns() // 1000
        self.last_commit_us = max(now, self.last_commit_us + 1)
        return self.last_commit_us

    def _read_time(self) -> int:
        return max(self.last_commit_us, time.time_ns() // 1000)

    def clear(self, database: str) -> None:
        """Deletes every document (listeners see them removed) and ends transactions."""
        with self.cond:
            store = self.store(database)
            for transaction in list(self.transactions.active.values()):
                if transaction.database == database:
                    self._finish(transaction)
            commit_us = self.next_commit_time()
            changes = [(path, entry, None) for path, entry in store.docs.items()]
            store.clear()
            self.notify(database, changes, commit_us)

    def usage(self, project: str) -> dict[str, int]:
        with self.cond:
            counter = self._usage[project]
            return {key: counter[key] for key in USAGE_KEYS}

    def reset_usage(self, project: str) -> None:
        with self.cond:
            self._usage.pop(project, None)

    def _count(self, database: str, key: str, amount: int = 1) -> None:
        if amount:
            self._usage[database.split("/")[1]][key] += amount

    def count_listener_reads(self, database: str, amount: int) -> None:
        self._count(database, "listener_reads", amount)

    # rules ------------------------------------------------------------------------------
    def _rules_document(self, entry: Entry | None, name: DocumentName):
        if entry is None:
            return None
        from emulators.firestore.rules import Document

        return Document(_rules_path(name), values.fields_to_python(entry.doc.fields))

    def check_get_rules(
        self, caller: Caller, name: DocumentName, entry: Entry | None = None
    ) -> set[str]:
        """Raises PERMISSION_DENIED unless the rules allow the get; returns the paths the
        decision read (get()/exists()), so a listener can be re-checked when they change."""
        if caller.admin:
            return set()
        if entry is None:
            entry = self.store(name.database).get(name.path)
        access = self._access(name.database, None, 10)
        self.rules.check(
            caller,
            "get",
            _rules_path(name),
            resource=self._rules_document(entry, name),
            access=access,
        )
        return _accessed_paths(access)

    def check_list_rules(self, caller: Caller, query: CompiledQuery) -> set[str]:
        """Like ``check_get_rules`` for a query (rules see the query, not the results)."""
        if caller.admin:
            return set()
        from emulators.firestore.rules import ListQuery

        parent = query.parent
        if query.all_descendants:
            path, group = _rules_path(parent), query.collection_id
        else:
            collection = (
                f"{parent.path}/{query.collection_id}" if parent.path else query.collection_id
            )
            path, group = (
                _rules_path(DocumentName(parent.database, tuple(collection.split("/")))),
                None,
            )
        dnf = disjunctive_normal_form(query.query.where) if query.query.HasField("where") else [[]]
        if dnf is None:
            raise invalid("The query's filters are too complex to check against security rules")

        def plain(filters):
            return [(field, op, values.to_python(value)) for field, op, value in filters]

        list_query = ListQuery(
            filters=plain(dnf[0]) if len(dnf) == 1 else [],
            any_of=[plain(branch) for branch in dnf] if len(dnf) > 1 else [],
            limit=query.limit,
            offset=query.offset or None,
            order_by=[
                (format_field_path(o.path), "DESCENDING" if o.descending else "ASCENDING")
                for o in query.orderings
            ],
        )
        access = self._access(parent.database, None, 10)
        self.rules.check(
            caller,
            "list",
            path,
            query=list_query,
            access=access,
            collection_group=group,
        )
        return _accessed_paths(access)

    def _access(self, database: str, after: dict[str, Entry | None] | None, budget: int):
        """DocumentAccess for get()/exists() (and getAfter() with the commit's results);
        each access is billed as a read, as Firestore bills rules reads."""
        from emulators.firestore.rules import DocumentAccess

        store = self.store(database)

        def lookup(path: str, overlay: dict[str, Entry | None] | None):
            relative = path.split("/documents/", 1)[-1].strip("/")
            self._count(database, "reads")
            if overlay is not None and relative in overlay:
                entry = overlay[relative]
            else:
                entry = store.get(relative)
            if entry is None:
                return None
            name = DocumentName(database, tuple(relative.split("/")))
            return self._rules_document(entry, name)

        return DocumentAccess(
            before=lambda path: lookup(path, None),
            after=lambda path: lookup(path, after),
            budget=budget,
        )

    # transactions -----------------------------------------------------------------------
    def begin_transaction(self, request, caller: Caller):
        database = parse_database(request.database)
        with self.cond:
            transaction = self._begin(database, request.options)
            return protos.BeginTransactionResponse(transaction=transaction.id)

    def _begin(self, database: str, options) -> Transaction:
        mode = options.WhichOneof("mode") if options is not None else None
        if mode == "read_only":
            read_us = (
                micros_of(options.read_only.read_time)
                if options.read_only.HasField("read_time")
                else self._read_time()
            )
            transaction = self.transactions.begin(database, read_only=True, read_us=read_us)
            self.store(database).pinned[read_us] += 1
            return transaction
        retry_of = options.read_write.retry_transaction if mode == "read_write" else None
        return self.transactions.begin(database, read_only=False, retry_of=retry_of or None)

    def _finish(self, transaction: Transaction) -> None:
        if transaction.finished:
            return
        if transaction.read_only and transaction.read_us is not None:
            store = self.store(transaction.database)
            store.pinned[transaction.read_us] -= 1
            if store.pinned[transaction.read_us] <= 0:
                del store.pinned[transaction.read_us]
        self.transactions.finish(transaction)

    def rollback(self, request, caller: Caller) -> None:
        database = parse_database(request.database)
        with self.cond:
            transaction = self.transactions.active.get(request.transaction)
            # Rolling back a transaction that already ended is harmless (clients do it
            # after a failed commit).
            if transaction is not None and transaction.database == database:
                self._finish(transaction)

    def _read_context(self, database: str, request):
        """(transaction or None, read time or None, new transaction id or None)."""
        which = request.WhichOneof("consistency_selector")
        if which == "transaction":
            transaction = self.transactions.lookup(request.transaction, database)
            return transaction, transaction.read_us, None
        if which == "new_transaction":
            transaction = self._begin(database, request.new_transaction)
            return transaction, transaction.read_us, transaction.id
        if which == "read_time":
            return None, micros_of(request.read_time), None
        return None, None, None

    # reads ------------------------------------------------------------------------------
    def get_document(self, request, caller: Caller):
        name = parse_document(request.name)
        with self.cond:
            transaction, read_us, _ = self._read_context(name.database, request)
            if transaction is not None and not transaction.read_only:
                self.transactions.lock(transaction, [name.path])
            entry = self.store(name.database).get(name.path, read_us)
            self.check_get_rules(caller, name, entry)
            self._count(name.database, "reads")
        if entry is None:
            raise FirestoreError(Code.NOT_FOUND, f'Document "{request.name}" not found.')
        return self._masked(entry.doc, request)

    def _masked(self, doc, request):
        if request.HasField("mask"):
            return project(doc, [parse_field_path(p) for p in request.mask.field_paths])
        return doc

    def batch_get_documents(self, request, caller: Caller) -> list:
        database = parse_database(request.database)
        names = [parse_document(name) for name in request.documents]
        for name in names:
            if name.database != database:
                raise invalid(f"Document {name.full} is not in database {database}")
        responses = []
        with self.cond:
            transaction, read_us, new_id = self._read_context(database, request)
            if transaction is not None and not transaction.read_only:
                self.transactions.lock(transaction, [name.path for name in names])
            store = self.store(database)
            now_us = read_us if read_us is not None else self._read_time()
            entries = [store.get(name.path, read_us) for name in names]
            for name, entry in zip(names, entries, strict=True):
                self.check_get_rules(caller, name, entry)
            self._count(database, "reads", len(names))
        for position, (name, entry) in enumerate(zip(names, entries, strict=True)):
            response = protos.BatchGetDocumentsResponse()
            if entry is None:
                response.missing = name.full
            else:
                response.found.CopyFrom(self._masked(entry.doc, request))
            set_time(response.read_time, now_us)
            if position == 0 and new_id:
                response.transaction = new_id
            responses.append(response)
        if not responses and new_id:
            responses.append(protos.BatchGetDocumentsResponse(transaction=new_id))
        return responses

    def run_query(self, request, caller: Caller) -> list:
        parent = parse_parent(request.parent)
        if not request.HasField("structured_query"):
            raise invalid("RunQueryRequest needs a structured_query")
        query = CompiledQuery(parent, request.structured_query)
        with self.cond:
            transaction, read_us, new_id = self._read_context(parent.database, request)
            self.check_list_rules(caller, query)
            results = self._run_locked(query, transaction, read_us)
            now_us = read_us if read_us is not None else self._read_time()
            self._count(parent.database, "reads", max(1, len(results)))
        responses = []
        for entry in results:
            response = protos.RunQueryResponse()
            response.document.CopyFrom(query.project(entry))
            set_time(response.read_time, now_us)
            responses.append(response)
        if not responses:
            response = protos.RunQueryResponse()
            set_time(response.read_time, now_us)
            responses.append(response)
        if new_id:
            responses[0].transaction = new_id
        return responses

    def _run_locked(self, query: CompiledQuery, transaction, read_us) -> list[Entry]:
        store = self.store(query.parent.database)
        if transaction is None or transaction.read_only:
            return query.run(store, read_us)
        # Lock what the query returns; if the results moved while we waited, lock again.
        for _ in range(10):
            results = query.run(store)
            self.transactions.lock(transaction, [entry.path for entry in results])
            again = query.run(store)
            if [e.path for e in again] == [e.path for e in results]:
                break
        transaction.queries.append((query, [(e.path, e.update_us) for e in again]))
        return again

    def run_aggregation_query(self, request, caller: Caller) -> list:
        parent = parse_parent(request.parent)
        if not request.HasField("structured_aggregation_query"):
            raise invalid("RunAggregationQueryRequest needs a structured_aggregation_query")
        aggregation = request.structured_aggregation_query
        query = CompiledQuery(parent, aggregation.structured_query)
        if not aggregation.aggregations:
            raise invalid("An aggregation query needs at least one aggregation")
        with self.cond:
            transaction, read_us, new_id = self._read_context(parent.database, request)
            self.check_list_rules(caller, query)
            results = self._run_locked(query, transaction, read_us)
            now_us = read_us if read_us is not None else self._read_time()
            # Billed one read per batch of up to 1000 index entries.
            self._count(parent.database, "reads", max(1, (len(results) + 999) // 1000))
        response = protos.RunAggregationQueryResponse()
        response.result.CopyFrom(aggregate(aggregation.aggregations, results))
        set_time(response.read_time, now_us)
        if new_id:
            response.transaction = new_id
        return [response]

    def list_documents(self, request, caller: Caller):
        parent = parse_parent(request.parent)
        if not request.collection_id:
            raise invalid("ListDocuments needs a collection_id")
        collection = (
            f"{parent.path}/{request.collection_id}" if parent.path else request.collection_id
        )
        with self.cond:
            if not caller.admin:
                query = protos.StructuredQuery()
                query.from_.add(collection_id=request.collection_id)
                self.check_list_rules(caller, CompiledQuery(parent, query))
            _, read_us, _ = self._read_context(parent.database, request)
            store = self.store(parent.database)
            entries = {
                e.path: e for e in store.scan(parent.path, request.collection_id, False, read_us)
            }
            missing = store.missing_parents(collection) if request.show_missing else set()
        names = sorted(set(entries) | missing, key=lambda p: tuple(p.split("/")))
        if request.page_token:
            after = tuple(request.page_token.split("/"))
            names = [p for p in names if tuple(p.split("/")) > after]
        response = protos.ListDocumentsResponse()
        page = names[: request.page_size] if request.page_size > 0 else names
        for path in page:
            entry = entries.get(path)
            if entry is None:
                response.documents.add(name=f"{parent.root}/{path}")
            else:
                response.documents.append(self._masked(entry.doc, request))
        if request.page_size > 0 and len(names) > request.page_size:
            response.next_page_token = page[-1]
        with self.cond:
            self._count(parent.database, "reads", max(1, len(entries)))
        return response

    def list_collection_ids(self, request, caller: Caller):
        parent = parse_parent(request.parent)
        if not caller.admin:
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions: listCollectionIds on {request.parent} "
                "needs admin credentials",
            )
        with self.cond:
            ids = self.store(parent.database).collection_ids(parent.path)
            self._count(parent.database, "reads")
        if request.page_token:
            ids = [i for i in ids if i > request.page_token]
        response = protos.ListCollectionIdsResponse()
        page = ids[: request.page_size] if request.page_size > 0 else ids
        response.collection_ids.extend(page)
        if request.page_size > 0 and len(ids) > request.page_size:
            response.next_page_token = page[-1]
        return response

    # writes -----------------------------------------------------------------------------
    def commit(self, request, caller: Caller):
        database = parse_database(request.database)
        _check_request_size(request)
        with self.cond:
            transaction = None
            if request.transaction:
                transaction = self.transactions.lookup(request.transaction, database)
                if transaction.read_only:
                    self._finish(transaction)
                    if request.writes:
                        raise invalid("Cannot modify entities in a read-only transaction")
                    response = protos.CommitResponse()
                    set_time(response.commit_time, self._read_time())
                    return response
            try:
                results, commit_us = self._commit_writes(
                    database, list(request.writes), caller, transaction
                )
            finally:
                if transaction is not None:
                    self._finish(transaction)
        response = protos.CommitResponse()
        response.write_results.extend(results)
        set_time(response.commit_time, commit_us)
        return response

    def batch_write(self, request, caller: Caller):
        """Applies each write on its own (not atomically), with a status per write."""
        database = parse_database(request.database)
        _check_request_size(request)
        response = protos.BatchWriteResponse()
        for write in request.writes:
            status = response.status.add()
            with self.cond:
                try:
                    results, _ = self._commit_writes(database, [write], caller, None)
                    response.write_results.append(results[0])
                except FirestoreError as error:
                    status.code = int(error.code)
                    status.message = error.message
                    response.write_results.add()
        return response

    def create_document(self, request, caller: Caller):
        parent = parse_parent(request.parent)
        document_id = request.document_id or auto_id()
        path = "/".join(filter(None, (parent.path, request.collection_id, document_id)))
        name = f"{parent.root}/{path}"
        parse_document(name)
        write = protos.Write()
        write.update.CopyFrom(request.document)
        write.update.name = name
        write.current_document.exists = False
        with self.cond:
            self._commit_writes(parent.database, [write], caller, None)
            entry = self.store(parent.database).get(path)
        return self._masked(entry.doc, request)

    def update_document(self, request, caller: Caller):
        name = parse_document(request.document.name)
        write = protos.Write()
        write.update.CopyFrom(request.document)
        if request.HasField("update_mask"):
            write.update_mask.CopyFrom(request.update_mask)
        if request.HasField("current_document"):
            write.current_document.CopyFrom(request.current_document)
        with self.cond:
            self._commit_writes(name.database, [write], caller, None)
            entry = self.store(name.database).get(name.path)
        return self._masked(entry.doc, request)

    def delete_document(self, request, caller: Caller) -> None:
        name = parse_document(request.name)
        write = protos.Write(delete=request.name)
        if request.HasField("current_document"):
            write.current_document.CopyFrom(request.current_document)
        with self.cond:
            self._commit_writes(name.database, [write], caller, None)

    def _commit_writes(self, database: str, writes: list, caller: Caller, transaction):
        """Locks, checks and applies ``writes`` atomically. Runs with ``cond`` held."""
        names = []
        for write in writes:
            name = parse_document(target_name(write))
            if name.database != database:
                raise invalid(f"Document {name.full} is not in database {database}")
            names.append(name)
        owner = transaction or self.transactions.ephemeral(database)
        try:
            self.transactions.lock(owner, sorted({name.path for name in names}))
            if transaction is not None:
                self.transactions.check_commit(transaction)
                self._check_phantoms(transaction)
            store = self.store(database)
            commit_us = self.next_commit_time()
            before: dict[str, Entry | None] = {}
            after: dict[str, Entry | None] = {}
            results = []
            for write, name in zip(writes, names, strict=True):
                if name.path not in before:
                    before[name.path] = store.get(name.path)
                current = after.get(name.path, before[name.path])
                updated, result = apply_write(write, name.full, name.path, current, commit_us)
                after[name.path] = updated
                results.append(result)
            if not caller.admin:
                self._check_write_rules(database, names, before, after, caller, len(writes))
            changes: list[Change] = []
            for path, entry in after.items():
                if entry is before[path]:
                    continue  # unchanged document or a delete of nothing
                store.put(path, entry, commit_us)
                changes.append((path, before[path], entry))
            for write in writes:
                self._count(
                    database, "deletes" if write.WhichOneof("operation") == "delete" else "writes"
                )
            self.notify(database, changes, commit_us)
            self._commits_since_prune += 1
            if self._commits_since_prune >= 256:
                self._commits_since_prune = 0
                for each in self._stores.values():
                    each.prune(commit_us)
            return results, commit_us
        finally:
            if transaction is None:
                self.transactions.release(owner)

    def _check_phantoms(self, transaction: Transaction) -> None:
        store = self.store(transaction.database)
        for query, seen in transaction.queries:
            now = [(e.path, e.update_us) for e in query.run(store)]
            if now != seen:
                raise FirestoreError(
                    Code.ABORTED,
                    "Transaction aborted: the results of a query it ran have changed.",
                )

    def _check_write_rules(self, database, names, before, after, caller, count) -> None:
        access = self._access(database, after, 10 if count == 1 else 20)
        commit_us = self.last_commit_us
        now = datetime.fromtimestamp(commit_us // 1_000_000, UTC) + timedelta(
            microseconds=commit_us % 1_000_000
        )
        for path in dict.fromkeys(name.path for name in names):
            name = DocumentName(database, tuple(path.split("/")))
            old, new = before[path], after[path]
            if new is None:
                method = "delete"
            elif old is None:
                method = "create"
            else:
                method = "update"
            self.rules.check(
                caller,
                method,
                _rules_path(name),
                resource=self._rules_document(old, name),
                request_resource=self._rules_document(new, name),
                access=access,
                now=now,
            )

    # listen -----------------------------------------------------------------------------
    def open_listen(self, caller: Caller, send: Callable[[object], None]) -> ListenSession:
        """A Listen stream: feed it requests with ``handle``, end it with ``close``."""
        return ListenSession(self, caller, send)

    def attach_listener(self, session: ListenSession) -> None:
        parse_database(session.database)
        with self.cond:
            self._listeners[session.database].add(session)

    def detach_listener(self, session: ListenSession) -> None:
        with self.cond:
            if session.database is not None:
                self._listeners[session.database].discard(session)

    def add_commit_observer(self, observer: Callable[[str, list[Change], int], None]) -> None:
        """Calls ``observer(database, changes, commit_us)`` after every commit that changed
        documents, in commit order, with the engine lock held (so: queue, do not block).
        ``changes`` are ``(path, before, after)`` with ``Entry`` or None; ``entry.doc`` is
        the Document message. The functions host uses this for Firestore triggers."""
        with self.cond:
            self.commit_observers.append(observer)

    def notify(self, database: str, changes: list[Change], commit_us: int) -> None:
        if not changes:
            return
        cache: dict = {}
        for session in list(self._listeners.get(database, ())):
            try:
                session.on_commit(changes, commit_us, cache)
            except Exception:  # the commit is applied; one broken listener must not fail it
                log.exception("Firestore listener failed; removing its targets")
                session.fail(FirestoreError(Code.INTERNAL, "internal error in Listen"))
        for observer in self.commit_observers:
            try:
                observer(database, changes, commit_us)
            except Exception:  # the commit is applied; an observer must not undo it
                log.exception("Firestore commit observer failed")
