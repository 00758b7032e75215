"""What each project has used, counted as Firestore bills it: document reads, writes,
deletes, and the documents listeners received (``GET`` and ``DELETE`` on
``/emulator/v1/projects/{project}:usage`` read and reset them)."""

from __future__ import annotations

import collections
import threading

USAGE_KEYS = ("reads", "writes", "deletes", "listener_reads")


class UsageCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

    def count(self, database: str, key: str, amount: int = 1) -> None:
        """Adds ``amount`` to ``key`` for the project of ``database``
        (``projects/{project}/databases/{id}``)."""
        if amount:
            with self._lock:
                self._counts[database.split("/")[1]][key] += amount

    def totals(self, project: str) -> dict[str, int]:
        with self._lock:
            counter = self._counts[project]
            return {key: counter[key] for key in USAGE_KEYS}

    def reset(self, project: str) -> None:
        with self._lock:
            self._counts.pop(project, None)
