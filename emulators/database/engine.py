"""The database engine: one tree per namespace, rules checks, commits and observers.

Both wire protocols call into this; neither knows about the other. Every committed write
is reported to protocol observers (to push data to listeners) and to in-process write
subscribers (the functions host delivers ``db_fn.on_value_written`` from these). A
``journal`` (the data directory's, see ``persistence``) records each write before it is
applied; a write it cannot record fails and changes nothing.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulators.database import hashing, paths, tree
from emulators.database.paths import Path
from emulators.database.query import QuerySpec
from emulators.database.rules.ruleset import Auth, Ruleset, query_variable

log = logging.getLogger(__name__)

NULL_ETAG = "null_etag"


class PermissionDenied(Exception):
    pass


class Stale(Exception):
    """A compare-and-set write lost: the transaction hash or ETag no longer matches."""

    def __init__(self, current: tree.Node) -> None:
        super().__init__("data changed since it was read")
        self.current = current


@dataclass(frozen=True)
class CommittedWrite:
    """One location changed by a committed write, as the functions host needs it.

    ``before``/``after`` are plain JSON values (no priorities) at ``path``; ``auth`` is the
    ``auth`` variable of the writer (None for signed-out clients and for admins, see
    ``admin``). One operation (a multi-path update) yields several of these with the same
    ``operation_id``; ``value_before``/``value_after`` read any other location in the
    database as it was just before and just after that operation.
    """

    namespace: str
    path: str
    before: Any
    after: Any
    auth: dict | None
    admin: bool
    operation_id: int
    timestamp_ms: int
    _before_root: tree.Node = field(repr=False, compare=False)
    _after_root: tree.Node = field(repr=False, compare=False)

    def value_before(self, path: str) -> Any:
        return tree.to_plain(tree.get(self._before_root, paths.parse(path)))

    def value_after(self, path: str) -> Any:
        return tree.to_plain(tree.get(self._after_root, paths.parse(path)))


WriteCallback = Callable[[CommittedWrite], None]
# (namespace, root before, root after, changed paths, location of a multi-path update or
# None for a set)
Observer = Callable[[str, tree.Node, tree.Node, list[Path], Path | None], None]
# (namespace, root after, written paths)
Journal = Callable[[str, tree.Node, list[Path]], None]


@dataclass
class Namespace:
    name: str
    rules: Ruleset
    root: tree.Node = None
    rules_from_settings: bool = False  # set by PUT /.settings/rules.json


@dataclass
class _Subscription:
    callback: WriteCallback
    path: Path
    namespace: str | None


def etag_of(node: tree.Node) -> str:
    return hashing.node_hash(node) if node is not None else NULL_ETAG


class DatabaseEngine:
    def __init__(self, rules: Ruleset, project: str) -> None:
        self.project = project  # ID tokens must be for this project
        self.default_namespace = f"{project}-default-rtdb"
        self._file_rules = rules
        self._namespaces: dict[str, Namespace] = {}
        self._lock = threading.RLock()
        self._observers: list[Observer] = []
        self._subscriptions: list[_Subscription] = []
        self._operation_ids = itertools.count(1)
        self.journal: Journal | None = None
        # (connection id, namespace, its onDisconnect operations, [] once they ran)
        self.on_disconnect_journal: Callable[[str, str, list], None] | None = None

    # --- clock, namespaces, rules --------------------------------------------------------

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    def namespace(self, name: str | None) -> Namespace:
        name = name or self.default_namespace
        with self._lock:
            if name not in self._namespaces:
                self._namespaces[name] = Namespace(name, self._file_rules)
            return self._namespaces[name]

    def rules_for(self, namespace: str | None) -> Ruleset:
        return self.namespace(namespace).rules

    def set_file_rules(self, rules: Ruleset) -> None:
        """Rules from database.rules.json (start-up and every change of the file); a
        namespace given its own rules by PUT /.settings/rules.json keeps them."""
        with self._lock:
            self._file_rules = rules
            for state in self._namespaces.values():
                if not state.rules_from_settings:
                    state.rules = rules

    def set_namespace_rules(self, namespace: str | None, rules: Ruleset) -> None:
        with self._lock:
            state = self.namespace(namespace)
            state.rules = rules
            state.rules_from_settings = True

    def reset(self, namespace: str | None = None) -> None:
        """Drop all data (of one namespace, or of all) and rules set through
        /.settings/rules.json; listeners see the deletion."""
        with self._lock:
            names = [namespace] if namespace else list(self._namespaces)
            for name in names:
                state = self.namespace(name)
                state.rules = self._file_rules
                state.rules_from_settings = False
                if state.root is not None:
                    self._commit(state, None, [()], Auth(admin=True), self.now_ms())

    def roots(self) -> dict[str, tree.Node]:
        """Every namespace's data (nodes are immutable: safe to keep and read later)."""
        with self._lock:
            return {name: state.root for name, state in self._namespaces.items()}

    def load(self, roots: dict[str, tree.Node]) -> None:
        """Sets namespaces' data as saved, without events (nobody is connected yet)."""
        with self._lock:
            for name, root in roots.items():
                self.namespace(name).root = root

    def keep_on_disconnect(self, connection: str, namespace: str, operations: list) -> None:
        """A connection's onDisconnect operations changed (or ran: ``[]``)."""
        if self.on_disconnect_journal is not None:
            self.on_disconnect_journal(connection, namespace, operations)

    # --- reads ---------------------------------------------------------------------------

    def snapshot(self, namespace: str | None) -> tree.Node:
        return self.namespace(namespace).root

    def can_read(
        self, namespace: str | None, path: Path, auth: Auth, spec: QuerySpec | None = None
    ) -> bool:
        state = self.namespace(namespace)
        return state.rules.can_read(
            path, state.root, auth, self.now_ms(), query_variable(spec) if spec else None
        )

    def read(
        self, namespace: str | None, path: Path, auth: Auth, spec: QuerySpec | None = None
    ) -> tree.Node:
        with self._lock:
            if not self.can_read(namespace, path, auth, spec):
                raise PermissionDenied()
            node = tree.get(self.namespace(namespace).root, path)
            return spec.filter(node) if spec is not None else node

    def index_defined(self, namespace: str | None, path: Path, spec: QuerySpec) -> bool:
        needed = spec.needs_index()
        if needed is None:
            return True
        return needed in self.rules_for(namespace).index_on(path)

    # --- writes --------------------------------------------------------------------------

    def set(
        self,
        namespace: str | None,
        path: Path,
        value: Any,
        auth: Auth,
        *,
        expected_hash: str | None = None,
        expected_etag: str | None = None,
    ) -> tree.Node:
        """Replace the value at ``path``; returns the stored node."""
        with self._lock:
            state = self.namespace(namespace)
            now = self.now_ms()
            current = tree.get(state.root, path)
            if expected_hash is not None and hashing.node_hash(current) != expected_hash:
                raise Stale(current)
            if expected_etag is not None and etag_of(current) != expected_etag:
                raise Stale(current)
            new_root, node = self._apply_set(state.root, path, value, now)
            self._check_write(state, [path], new_root, auth, now)
            self._commit(state, new_root, [path], auth, now)
            return node

    def update(self, namespace: str | None, path: Path, values: dict, auth: Auth) -> None:
        """A multi-path update: ``values`` maps paths relative to ``path`` to new values."""
        with self._lock:
            state = self.namespace(namespace)
            now = self.now_ms()
            new_root, written = self.prepare_update(state.root, path, values, now)
            if not written:
                return
            self._check_write(state, written, new_root, auth, now)
            self._commit(state, new_root, written, auth, now, update_at=path)

    def check_set(self, namespace: str | None, path: Path, value: Any, auth: Auth) -> None:
        """Validate and rules-check a set without committing (onDisconnect registration)."""
        with self._lock:
            state = self.namespace(namespace)
            now = self.now_ms()
            new_root, _ = self._apply_set(state.root, path, value, now)
            self._check_write(state, [path], new_root, auth, now)

    def check_update(self, namespace: str | None, path: Path, values: dict, auth: Auth) -> None:
        with self._lock:
            state = self.namespace(namespace)
            now = self.now_ms()
            new_root, written = self.prepare_update(state.root, path, values, now)
            if written:
                self._check_write(state, written, new_root, auth, now)

    @staticmethod
    def _apply_set(root: tree.Node, path: Path, value: Any, now: int) -> tuple[Any, tree.Node]:
        current = tree.get(root, path)
        node = tree.normalize(
            tree.resolve_server_values(value, current, now), paths.to_string(path)
        )
        if path and path[-1] == tree.PRIORITY:
            if node is not None and tree.children(node):
                raise tree.InvalidData("A priority must be a string, a number or null")
            node = tree.leaf_value(node) if node is not None else None
            tree.check_priority(node, paths.to_string(path))
        return tree.set_at(root, path, node), node

    @staticmethod
    def prepare_update(
        root: tree.Node, path: Path, values: Any, now: int
    ) -> tuple[tree.Node, list[Path]]:
        if not isinstance(values, dict):
            raise tree.InvalidData("An update needs an object of paths to values")
        relative = []
        for key in values:
            if not isinstance(key, str):
                raise tree.InvalidData("Update keys must be strings")
            relative.append((paths.parse(key, allow_priority=True), key))
        relative.sort()
        for (first, first_text), (second, second_text) in itertools.pairwise(relative):
            if paths.is_prefix(first, second):
                raise tree.InvalidData(
                    f"Path {first_text!r} is an ancestor of {second_text!r} in the same update"
                )
        new_root = root
        written = []
        for rel, key in relative:
            if not rel:
                raise tree.InvalidData("An update path cannot be empty")
            full = path + rel
            new_root, _ = DatabaseEngine._apply_set(new_root, full, values[key], now)
            written.append(full)
        return new_root, written

    def _check_write(
        self, state: Namespace, written: list[Path], new_root: tree.Node, auth: Auth, now: int
    ) -> None:
        checked = [tree.location_of(p) for p in written]
        if not state.rules.can_write(checked, state.root, new_root, auth, now):
            raise PermissionDenied()

    def _commit(
        self,
        state: Namespace,
        new_root: tree.Node,
        written: list[Path],
        auth: Auth,
        now: int,
        update_at: Path | None = None,
    ) -> None:
        if self.journal is not None:
            self.journal(state.name, new_root, written)
        old_root = state.root
        state.root = new_root
        self._notify(state, old_root, new_root, written, auth, now, update_at)

    def _notify(
        self,
        state: Namespace,
        old_root: tree.Node,
        new_root: tree.Node,
        written: list[Path],
        auth: Auth,
        now: int,
        update_at: Path | None = None,
    ) -> None:
        for observer in list(self._observers):
            try:
                observer(state.name, old_root, new_root, written, update_at)
            except Exception:
                log.exception("database observer failed")
        if not self._subscriptions:
            return
        operation = next(self._operation_ids)
        for path in written:
            location = tree.location_of(path)
            before = tree.get(old_root, location)
            after = tree.get(new_root, location)
            if before == after:
                continue
            event = CommittedWrite(
                namespace=state.name,
                path=paths.to_string(location),
                before=tree.to_plain(before),
                after=tree.to_plain(after),
                auth=None if auth.admin else auth.variable,
                admin=auth.admin,
                operation_id=operation,
                timestamp_ms=now,
                _before_root=old_root,
                _after_root=new_root,
            )
            for subscription in list(self._subscriptions):
                if subscription.namespace not in (None, state.name):
                    continue
                if not paths.related(subscription.path, location):
                    continue
                try:
                    subscription.callback(event)
                except Exception:
                    log.exception("database write subscriber failed")

    # --- observers -----------------------------------------------------------------------

    def add_observer(self, observer: Observer) -> None:
        with self._lock:
            self._observers.append(observer)

    def remove_observer(self, observer: Observer) -> None:
        with self._lock:
            if observer in self._observers:
                self._observers.remove(observer)

    def subscribe(
        self, callback: WriteCallback, path: str = "/", namespace: str | None = None
    ) -> Callable[[], None]:
        """Call ``callback(CommittedWrite)`` for every committed change at, above or below
        ``path`` (in ``namespace``, or in all). Returns a function that unsubscribes.

        Callbacks run synchronously on the thread that committed the write (the emulator's
        event loop) while the engine holds its lock, in commit order: they must not block
        and must not write to the database; hand the event to a queue and return.
        """
        subscription = _Subscription(callback, paths.parse(path), namespace)
        with self._lock:
            self._subscriptions.append(subscription)

        def unsubscribe() -> None:
            with self._lock:
                if subscription in self._subscriptions:
                    self._subscriptions.remove(subscription)

        return unsubscribe
