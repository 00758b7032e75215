"""The Firestore engine: every operation of google.firestore.v1.Firestore, transport-free.

Methods take and return google.firestore.v1 protobuf messages (see ``protos``) and a
``Caller``; they raise ``FirestoreError``. The transports (``transports/``: gRPC, REST,
WebChannel) call them; the engine imports none of them, nor ``listen``.

One condition variable (``cond``) guards all state. Commits apply their writes and
publish them (``commits``: Listen sessions, triggers and the rest subscribe with
``add_commit_observer``) while holding it, so every reader sees whole commits. A
``journal`` (the data directory's, see ``persistence``) records each commit before it is
applied; a commit it cannot record fails and changes nothing. Security Rules are checked
through ``security.DocumentRules``; what each project used is counted in ``usage``.
"""

from __future__ import annotations

import functools
import logging
import secrets
import string
import threading
import time
from collections.abc import Callable
from pathlib import Path

from emulators.firestore import explain as explained
from emulators.firestore import protos
from emulators.firestore.commits import Change, CommitFeed, CommitObserver
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.indexes import IndexGate
from emulators.firestore.paths import (
    DocumentName,
    parse_database,
    parse_document,
    parse_field_path,
    parse_parent,
)
from emulators.firestore.queries import CompiledQuery, aggregate, aggregated_fields, project
from emulators.firestore.security import Caller, DocumentRules
from emulators.firestore.store import DocumentStore, Entry
from emulators.firestore.transactions import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_LIFETIME,
    Transaction,
    TransactionManager,
)
from emulators.firestore.usage import UsageCounter
from emulators.firestore.writes import apply_write, micros_of, set_time, target_name

log = logging.getLogger(__name__)

# cloud.google.com/firestore/quotas: "Maximum API request size 10 MiB". Commits are not
# limited to 500 writes any more, only by size.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
_AUTO_ID_ALPHABET = string.ascii_letters + string.digits

# PartitionQuery: the fewest documents a partition holds.
PARTITION_MIN_SIZE = 128


def _holds_writer_back(write_method):
    """After a client's write, ``after_write`` may hold the client back. Admin writes (the
    functions, the tools) never wait: the functions' writes are how trigger queues drain."""

    @functools.wraps(write_method)
    def write(self: FirestoreEngine, request, caller: Caller):
        try:
            return write_method(self, request, caller)
        finally:
            if self.after_write is not None and not caller.admin:
                self.after_write()

    return write


def auto_id() -> str:
    return "".join(secrets.choice(_AUTO_ID_ALPHABET) for _ in range(20))


def _check_request_size(request) -> None:
    size = request.ByteSize()
    if size > MAX_REQUEST_BYTES:
        raise invalid(f"Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes.")


def _is_verify(write) -> bool:
    return write.WhichOneof("operation") == "verify"


def _check_not_deleted_earlier(write, name: DocumentName, deleted_here: set[str]) -> None:
    """Production answers INVALID_ARGUMENT (not NOT_FOUND) for an update that must find a
    document an earlier write of the same commit deleted (firebase-js-sdk
    transactions.test.ts, "runs transactions on existing document": delete1, update2)."""
    which = write.WhichOneof("operation")
    if which == "delete":
        deleted_here.add(name.path)
    elif which in ("update", "transform"):
        condition = write.current_document
        must_exist = condition.WhichOneof("condition_type") == "exists" and condition.exists
        if must_exist and name.path in deleted_here:
            raise invalid(
                f"Cannot update document {name.full}: it was deleted earlier in this commit"
            )
        deleted_here.discard(name.path)


class FirestoreEngine:
    def __init__(
        self,
        rules_path: Path | None = None,
        *,
        project: str,
        transaction_idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        transaction_max_lifetime: float = DEFAULT_MAX_LIFETIME,
        indexes: IndexGate | None = None,
    ) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.project = project  # ID tokens must be for this project
        self.usage = UsageCounter()
        self.rules = DocumentRules(rules_path, self.store, self.usage)
        self.indexes = indexes or IndexGate(None, enabled=False)
        self.transactions = TransactionManager(
            self.cond, transaction_idle_timeout, transaction_max_lifetime
        )
        self._stores: dict[str, DocumentStore] = {}
        self._commits = CommitFeed()
        self.last_commit_us = 0
        self._commits_since_prune = 0
        # Identifies this engine's history in resume tokens: a token minted by another
        # history (an emulator restarted without its data) makes the listener start over.
        # The persistence layer replaces it with the one saved in the data directory.
        self.incarnation = secrets.token_bytes(8)
        self.journal: Callable[[str, list[Change], int], None] | None = None
        # Called after each client (not admin) write request, with ``cond`` released: the
        # functions host holds writers back there while its trigger queues are full.
        self.after_write: Callable[[], None] | None = None

    # state ------------------------------------------------------------------------------
    def store(self, database: str) -> DocumentStore:
        store = self._stores.get(database)
        if store is None:
            store = self._stores[database] = DocumentStore(parse_database(database))
        return store

    def databases(self) -> list[str]:
        """Names of the databases that have been used."""
        return list(self._stores)

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
            self.apply(database, changes, commit_us)

    def apply(self, database: str, changes: list[Change], commit_us: int) -> None:
        """Records ``changes`` in the journal, stores them and publishes them to the
        commit observers. Runs with ``cond`` held."""
        if not changes:
            return
        if self.journal is not None:
            try:
                self.journal(database, changes, commit_us)
            except Exception as exc:
                log.exception("Firestore journal write failed; the commit is refused")
                raise FirestoreError(
                    Code.UNAVAILABLE, f"could not record the commit: {exc}"
                ) from None
        store = self.store(database)
        for path, _before, after in changes:
            store.put(path, after, commit_us)
        self._commits.publish(database, changes, commit_us)

    def add_commit_observer(self, observer: CommitObserver) -> None:
        """Calls ``observer(database, changes, commit_us)`` after every commit that changed
        documents, in commit order, with the engine lock held (so: queue, do not block).
        ``changes`` are ``(path, before, after)`` with ``Entry`` or None; ``entry.doc`` is
        the Document message. Listen sessions (``listen.Listeners``), the hot-document
        monitor and the functions host's Firestore triggers subscribe here."""
        with self.cond:
            self._commits.subscribe(observer)

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
            self.rules.check_get(caller, name, entry)
            self.usage.count(name.database, "reads")
        if entry is None:
            raise FirestoreError(Code.NOT_FOUND, f'Document "{request.name}" not found.')
        return self._masked(entry.doc, request)

    def _masked(self, doc, request):
        if request.HasField("mask"):
            return project(doc, [parse_field_path(p) for p in request.mask.field_paths])
        return doc

    def batch_get_documents(self, request, caller: Caller) -> list:
        database = parse_database(request.database)
        # A document asked for twice is answered once (production; python-firestore's
        # test_get_all: "Get 2 colliding documents").
        names = [parse_document(name) for name in dict.fromkeys(request.documents)]
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
                self.rules.check_get(caller, name, entry)
            self.usage.count(database, "reads", len(names))
        # Found documents first, then the missing ones, each in request order: production's
        # order, on which python-firestore's test_get_all relies (the API leaves the order
        # open; Google's emulator answers in request order and that test skips it).
        pairs = sorted(zip(names, entries, strict=True), key=lambda pair: pair[1] is None)
        for position, (name, entry) in enumerate(pairs):
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
        self.indexes.check(query)
        explain = request.explain_options if request.HasField("explain_options") else None
        started = time.perf_counter()
        with self.cond:
            transaction, read_us, new_id = self._read_context(parent.database, request)
            self.rules.check_list(caller, query)
            if explain is not None and not explain.analyze:  # planned, not run
                response = protos.RunQueryResponse(transaction=new_id or b"")
                explained.fill(response.explain_metrics, query, analyze=False)
                return [response]
            results = self._run_locked(query, transaction, read_us)
            now_us = read_us if read_us is not None else self._read_time()
            billed = max(1, len(results))
            self.usage.count(parent.database, "reads", billed)
        responses = []
        for entry in results:
            response = protos.RunQueryResponse()
            response.document.CopyFrom(query.project(entry))
            set_time(response.read_time, now_us)
            responses.append(response)
        if not responses or explain is not None:
            response = protos.RunQueryResponse()
            set_time(response.read_time, now_us)
            responses.append(response)
        if explain is not None:
            stats = {
                "results": len(results),
                "read_operations": billed,
                "scanned": len(results),
                "seconds": time.perf_counter() - started,
            }
            explained.fill(responses[-1].explain_metrics, query, analyze=True, stats=stats)
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
        fields = aggregated_fields(aggregation.aggregations)
        query = CompiledQuery(parent, aggregation.structured_query, aggregated=fields)
        self.indexes.check(query)
        explain = request.explain_options if request.HasField("explain_options") else None
        started = time.perf_counter()
        with self.cond:
            transaction, read_us, new_id = self._read_context(parent.database, request)
            self.rules.check_list(caller, query)
            if explain is not None and not explain.analyze:  # planned, not run
                response = protos.RunAggregationQueryResponse(transaction=new_id or b"")
                explained.fill(response.explain_metrics, query, analyze=False)
                return [response]
            results = self._run_locked(query, transaction, read_us)
            now_us = read_us if read_us is not None else self._read_time()
            # Billed one read per batch of up to 1000 index entries.
            billed = max(1, (len(results) + 999) // 1000)
            self.usage.count(parent.database, "reads", billed)
        response = protos.RunAggregationQueryResponse()
        response.result.CopyFrom(aggregate(aggregation.aggregations, results))
        set_time(response.read_time, now_us)
        if explain is not None:
            stats = {
                "results": 1,
                "read_operations": billed,
                "scanned": len(results),
                "seconds": time.perf_counter() - started,
            }
            explained.fill(response.explain_metrics, query, analyze=True, stats=stats)
        if new_id:
            response.transaction = new_id
        return [response]

    def partition_query(self, request, caller: Caller):
        """Split points of a collection group query (google/firestore/v1/firestore.proto
        PartitionQuery): at most ``partition_count - 1`` cursors on ``__name__``, each
        partition holding at least 128 documents (python-firestore's system tests: "Minimum
        partition size is 128"), fewer when there are fewer documents. The query may only
        be a collection group query ordered by ``__name__`` ascending, without filters."""
        parent = parse_parent(request.parent)
        if not request.HasField("structured_query"):
            raise invalid("PartitionQueryRequest needs a structured_query")
        structured = request.structured_query
        if request.partition_count <= 0:
            raise invalid("partition_count must be positive")
        if not structured.from_ or not structured.from_[0].all_descendants:
            raise invalid("Partition queries require a collection group query")
        if (
            structured.HasField("where")
            or structured.HasField("start_at")
            or structured.HasField("end_at")
            or structured.HasField("limit")
            or structured.offset
            or structured.HasField("find_nearest")
        ):
            raise invalid("Partition queries support no filters, cursors, limit or offset")
        orders = [(o.field.field_path, o.direction) for o in structured.order_by]
        if orders not in ([], [("__name__", 1)]):
            raise invalid("Partition queries must be ordered by __name__ ascending only")
        if not caller.admin:
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                "Missing or insufficient permissions: PartitionQuery needs admin credentials",
            )
        query = CompiledQuery(parent, structured)
        with self.cond:
            _, read_us, _ = self._read_context(parent.database, request)
            results = query.run(self.store(parent.database), read_us)
            self.usage.count(parent.database, "reads", max(1, (len(results) + 999) // 1000))
        size = max(PARTITION_MIN_SIZE, -(-len(results) // request.partition_count))
        names = [results[i].doc.name for i in range(size, len(results), size)]
        start = int(request.page_token) if request.page_token.isdigit() else 0
        end = start + request.page_size if request.page_size > 0 else len(names)
        response = protos.PartitionQueryResponse()
        for name in names[start:end]:
            response.partitions.add().values.add(reference_value=name)
        if end < len(names):
            response.next_page_token = str(end)
        return response

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
                self.rules.check_list(caller, CompiledQuery(parent, query))
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
            self.usage.count(parent.database, "reads", max(1, len(entries)))
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
            _, read_us, _ = self._read_context(parent.database, request)
            ids = self.store(parent.database).collection_ids(parent.path, read_us)
            self.usage.count(parent.database, "reads")
        if request.page_token:
            ids = [i for i in ids if i > request.page_token]
        response = protos.ListCollectionIdsResponse()
        page = ids[: request.page_size] if request.page_size > 0 else ids
        response.collection_ids.extend(page)
        if request.page_size > 0 and len(ids) > request.page_size:
            response.next_page_token = page[-1]
        return response

    # writes -----------------------------------------------------------------------------
    @_holds_writer_back
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

    @_holds_writer_back
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

    @_holds_writer_back
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

    @_holds_writer_back
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

    @_holds_writer_back
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
            deleted_here: set[str] = set()
            results = []
            for write, name in zip(writes, names, strict=True):
                if name.path not in before:
                    before[name.path] = store.get(name.path)
                _check_not_deleted_earlier(write, name, deleted_here)
                current = after.get(name.path, before[name.path])
                updated, result = apply_write(write, name.full, name.path, current, commit_us)
                after[name.path] = updated
                results.append(result)
            written = [n for w, n in zip(writes, names, strict=True) if not _is_verify(w)]
            if not caller.admin:
                self.rules.check_writes(
                    caller,
                    database,
                    [name.path for name in written],
                    before,
                    after,
                    len(writes),
                    commit_us,
                )
                # A verify needs read access to its document (write.proto: Write.verify).
                written_paths = {name.path for name in written}
                verified = {n.path: n for n in names if n.path not in written_paths}
                for name in verified.values():
                    self.rules.check_get(caller, name, before[name.path])
            changes: list[Change] = [
                (path, before[path], entry)
                for path, entry in after.items()
                if entry is not before[path]  # else unchanged, or a delete of nothing
            ]
            self.apply(database, changes, commit_us)
            for write in writes:
                which = write.WhichOneof("operation")
                if which != "verify":
                    self.usage.count(database, "deletes" if which == "delete" else "writes")
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
