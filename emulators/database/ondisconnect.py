"""Operations a client queued to run when its connection goes away (onDisconnect).

A queue tells ``saved`` its operations after each change, so the data directory can keep
them: when the emulator is killed, no connection closes, and the next start runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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
    auth: Auth  # who queued it: the operation runs as them even if the token expired since


class OnDisconnectQueue:
    """Kept in order; a later set replaces queued operations at or below its path, a later
    update replaces those at or below each of its children, cancel drops them."""

    def __init__(
        self,
        saved: Callable[[list[QueuedOperation]], None] | None = None,
        operations: list[QueuedOperation] | None = None,
    ) -> None:
        self.operations: list[QueuedOperation] = list(operations or [])
        self._saved = saved

    def queue_set(self, path: Path, data: Any, auth: Auth) -> None:
        self._drop_under(path)
        self.operations.append(QueuedOperation("set", path, data, auth))
        self._save()

    def queue_update(self, path: Path, data: dict, auth: Auth) -> None:
        for key in data:
            self._drop_under(path + paths.parse(key, allow_priority=True))
        self.operations.append(QueuedOperation("update", path, data, auth))
        self._save()

    def _save(self) -> None:
        if self._saved is not None:
            self._saved(list(self.operations))

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
                    kept.append(
                        QueuedOperation("update", operation.path, remaining, operation.auth)
                    )
                continue
            kept.append(operation)
        self.operations = kept
        self._save()

    def _drop_under(self, path: Path) -> None:
        self.operations = [op for op in self.operations if not paths.is_prefix(path, op.path)]

    def run(self, engine: DatabaseEngine, namespace: str) -> None:
        """Apply the queue, each operation as whoever queued it; server values resolve
        now, and rules are checked again against the data as it is now (an operation they
        deny is skipped)."""
        operations, self.operations = self.operations, []
        for operation in operations:
            try:
                if operation.kind == "set":
                    engine.set(namespace, operation.path, operation.data, operation.auth)
                else:
                    engine.update(namespace, operation.path, operation.data, operation.auth)
            except PermissionDenied:
                log.info("onDisconnect %s at %s denied by rules", operation.kind, operation.path)
            except (tree.InvalidData, paths.InvalidPath) as exc:
                log.info("onDisconnect %s at %s invalid: %s", operation.kind, operation.path, exc)
        self._save()
