"""Operations a client queued to run when its connection goes away (onDisconnect)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from emulators.database import paths, tree
from emulators.database.engine import DatabaseEngine, PermissionDenied
from emulators.database.paths import Path
from emulators.database.rules.ruleset import Auth

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedOperation:
    kind: str  # "set" or "update"
    path: Path
    data: Any


class OnDisconnectQueue:
    """Kept in order; a later set replaces queued operations at or below its path, a later
    update replaces those at or below each of its children, cancel drops them."""

    def __init__(self) -> None:
        self.operations: list[QueuedOperation] = []

    def queue_set(self, path: Path, data: Any) -> None:
        self._drop_under(path)
        self.operations.append(QueuedOperation("set", path, data))

    def queue_update(self, path: Path, data: dict) -> None:
        for key in data:
            self._drop_under(path + paths.parse(key, allow_priority=True))
        self.operations.append(QueuedOperation("update", path, data))

    def cancel(self, path: Path) -> None:
        self._drop_under(path)
        kept = []
        for operation in self.operations:
            if operation.kind == "update" and paths.is_prefix(path, operation.path) is False:
                remaining = {
                    key: value
                    for key, value in operation.data.items()
                    if not paths.is_prefix(path, operation.path + paths.parse(key))
                }
                if remaining:
                    kept.append(QueuedOperation("update", operation.path, remaining))
                continue
            kept.append(operation)
        self.operations = kept

    def _drop_under(self, path: Path) -> None:
        self.operations = [op for op in self.operations if not paths.is_prefix(path, op.path)]

    def run(self, engine: DatabaseEngine, namespace: str, auth: Auth) -> None:
        """Apply the queue with the connection's auth; server values resolve now. An
        operation the rules now deny is skipped, as the real database does."""
        operations, self.operations = self.operations, []
        for operation in operations:
            try:
                if operation.kind == "set":
                    engine.set(namespace, operation.path, operation.data, auth)
                else:
                    engine.update(namespace, operation.path, operation.data, auth)
            except PermissionDenied:
                log.info("onDisconnect %s at %s denied by rules", operation.kind, operation.path)
            except (tree.InvalidData, paths.InvalidPath) as exc:
                log.info("onDisconnect %s at %s invalid: %s", operation.kind, operation.path, exc)
