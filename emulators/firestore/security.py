"""Who is calling, and the Security Rules the engine consults for client requests.

``RulesGate`` loads ``firestore.rules`` (reloading it when it changes) and evaluates one
request; ``DocumentRules`` is the engine's adapter over it: it puts get, list and write
requests in the rules' terms (paths, documents as plain values, the query of a list) and
serves the rules' ``get()``/``exists()``/``getAfter()`` from the store, billed as reads.

``Authorization: Bearer owner`` is an admin (rules bypassed), as with Google's emulator.
Any other Bearer token must be a Firebase ID token for the emulator's project, checked by
the shared verifier (``emulators.auth.idtokens``) as production checks it, signatures
aside; no token means an unauthenticated client, still subject to the rules.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulators.auth import idtokens
from emulators.firestore import values
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.paths import DocumentName, format_field_path
from emulators.firestore.queries import CompiledQuery, disjunctive_normal_form
from emulators.firestore.store import DocumentStore, Entry
from emulators.firestore.usage import UsageCounter
from emulators.rules_support import WatchedFile

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 0.2


@dataclass(frozen=True)
class Caller:
    admin: bool
    claims: dict[str, Any] | None = None

    @property
    def auth(self) -> dict[str, Any] | None:
        """``request.auth`` for the rules: ``{"uid": ..., "token": claims}`` or None."""
        if self.claims is None:
            return None
        return {"uid": self.claims["uid"], "token": self.claims}


ADMIN = Caller(admin=True)
ANONYMOUS = Caller(admin=False)


def caller_from_authorization(header: str | None, project: str) -> Caller:
    if not header:
        return ANONYMOUS
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise FirestoreError(Code.UNAUTHENTICATED, "Authorization header must be 'Bearer <token>'")
    token = token.strip()
    if token == "owner":
        return ADMIN
    try:
        claims = idtokens.verify(token, project, accept_mock_user_tokens=True)
    except idtokens.InvalidIdToken as exc:
        raise FirestoreError(Code.UNAUTHENTICATED, f"Invalid ID token: {exc}") from None
    return Caller(admin=False, claims=claims)


class RulesGate:
    """Loads ``firestore.rules``, reloads it when the file changes, and evaluates requests.

    With no rules file configured every request is allowed (Google's emulator does the
    same and warns). A file that fails to parse keeps the previous ruleset; if there is
    none, client requests are denied.
    """

    def __init__(self, rules_path: Path | None) -> None:
        self.path = rules_path
        self._lock = threading.Lock()
        self._ruleset = None
        self.generation = 0  # bumped on every (re)load, so listeners can re-check
        self._file = WatchedFile(rules_path) if rules_path is not None else None
        self._checked = 0.0
        self.error: str | None = None
        if rules_path is None:
            log.warning("No Firestore rules file configured: all reads and writes are allowed")
        else:
            self._reload_if_changed(force=True)

    def refresh(self) -> int:
        """Reloads the rules if the file changed (checked at most every 0.2 s); returns
        the current generation."""
        if self.path is not None:
            self._reload_if_changed()
        return self.generation

    def _reload_if_changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < RELOAD_CHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            if self._file is None or not self._file.changed():
                return
            try:
                from emulators.firestore.rules import Ruleset

                self._ruleset = Ruleset.from_file(self.path)
                self.generation += 1
                self.error = None
                log.info("Loaded Firestore rules from %s", self.path)
            except Exception as exc:  # syntax errors and a missing rules engine alike
                self.error = f"rules not loaded from {self.path}: {exc}"
                log.error("%s", self.error)

    def check(
        self,
        caller: Caller,
        method: str,
        path: str,
        *,
        resource=None,
        request_resource=None,
        query=None,
        access=None,
        collection_group: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Raises PERMISSION_DENIED unless the rules allow ``method`` on ``path``."""
        if caller.admin or self.path is None:
            return
        self._reload_if_changed()
        ruleset = self._ruleset
        if ruleset is None:
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions: {method} on {path} denied "
                f"({self.error or 'no rules loaded'})",
            )
        try:
            decision = ruleset.evaluate(
                method=method,
                path=path,
                auth=caller.auth,
                resource=resource,
                request_resource=request_resource,
                time=now or datetime.now(UTC),
                query=query,
                access=access,
                collection_group=collection_group,
            )
        except FirestoreError:
            raise
        except Exception as exc:  # a failure inside the evaluator denies, like an error
            log.exception("rules evaluation failed for %s on %s", method, path)
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions. false for '{method}' @ {path}: "
                f"rules evaluation failed ({exc})",
            ) from None
        if not decision.allowed:
            reason = f": {decision.reason}" if decision.reason else ""
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions. false for '{method}' @ {path}{reason}",
            )


def _rules_path(name: DocumentName) -> str:
    base = f"/databases/{name.database_id}/documents"
    return f"{base}/{name.path}" if name.path else base


def _accessed_paths(access) -> set[str]:
    """Document paths (relative to the documents root) a rules decision read."""
    return {path.split("/documents/", 1)[-1].strip("/") for path in access.accessed}


class DocumentRules:
    """The engine's requests checked against the rules. Admin callers are never checked.

    ``check_get`` and ``check_list`` return the paths the decision read (get()/exists()),
    so a listener can be re-checked when they change. Runs with the engine's lock held.
    """

    def __init__(
        self,
        rules_path: Path | None,
        store: Callable[[str], DocumentStore],
        usage: UsageCounter,
    ) -> None:
        self.gate = RulesGate(rules_path)
        self._store = store
        self._usage = usage

    @property
    def generation(self) -> int:
        return self.gate.generation

    def refresh(self) -> int:
        return self.gate.refresh()

    def check_get(self, caller: Caller, name: DocumentName, entry: Entry | None = None) -> set[str]:
        """Raises PERMISSION_DENIED unless the rules allow the get."""
        if caller.admin:
            return set()
        if entry is None:
            entry = self._store(name.database).get(name.path)
        access = self._access(name.database, None, 10)
        self.gate.check(
            caller,
            "get",
            _rules_path(name),
            resource=_rules_document(entry, name),
            access=access,
        )
        return _accessed_paths(access)

    def check_list(self, caller: Caller, query: CompiledQuery) -> set[str]:
        """Like ``check_get`` for a query (rules see the query, not the results)."""
        if caller.admin:
            return set()
        from emulators.firestore.rules import ListQuery

        parent = query.parent
        if not query.collection_id:
            # No rule can match a query of every collection (the JS SDK cannot send one).
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                "Missing or insufficient permissions: a query with no collection id "
                "needs admin credentials",
            )
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
        self.gate.check(
            caller,
            "list",
            path,
            query=list_query,
            access=access,
            collection_group=group,
        )
        return _accessed_paths(access)

    def check_writes(
        self,
        caller: Caller,
        database: str,
        paths: list[str],
        before: dict[str, Entry | None],
        after: dict[str, Entry | None],
        write_count: int,
        commit_us: int,
    ) -> None:
        """Raises PERMISSION_DENIED unless the rules allow every write of a commit (create,
        update or delete of each path in ``paths``); getAfter() sees ``after``."""
        if caller.admin:
            return
        access = self._access(database, after, 10 if write_count == 1 else 20)
        now = datetime.fromtimestamp(commit_us // 1_000_000, UTC) + timedelta(
            microseconds=commit_us % 1_000_000
        )
        for path in dict.fromkeys(paths):
            name = DocumentName(database, tuple(path.split("/")))
            old, new = before[path], after[path]
            if new is None:
                method = "delete"
            elif old is None:
                method = "create"
            else:
                method = "update"
            self.gate.check(
                caller,
                method,
                _rules_path(name),
                resource=_rules_document(old, name),
                request_resource=_rules_document(new, name),
                access=access,
                now=now,
            )

    def _access(self, database: str, after: dict[str, Entry | None] | None, budget: int):
        """DocumentAccess for get()/exists() (and getAfter() with the commit's results);
        each access is billed as a read, as Firestore bills rules reads."""
        from emulators.firestore.rules import DocumentAccess

        store = self._store(database)

        def lookup(path: str, overlay: dict[str, Entry | None] | None):
            relative = path.split("/documents/", 1)[-1].strip("/")
            self._usage.count(database, "reads")
            if overlay is not None and relative in overlay:
                entry = overlay[relative]
            else:
                entry = store.get(relative)
            if entry is None:
                return None
            name = DocumentName(database, tuple(relative.split("/")))
            return _rules_document(entry, name)

        return DocumentAccess(
            before=lambda path: lookup(path, None),
            after=lambda path: lookup(path, after),
            budget=budget,
        )


def _rules_document(entry: Entry | None, name: DocumentName):
    if entry is None:
        return None
    from emulators.firestore.rules import Document

    return Document(_rules_path(name), values.fields_to_python(entry.doc.fields))
