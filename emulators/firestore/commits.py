"""Commits as the engine publishes them, to whoever subscribed.

The engine hands every commit that changed documents to ``CommitFeed.publish``, with its
lock held, in commit order. Subscribers (Listen sessions through ``listen.Listeners``,
the hot-document monitor, the emulator's event bus for triggers, tests) register with
``FirestoreEngine.add_commit_observer``; the engine knows none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from emulators.firestore.store import Entry

log = logging.getLogger(__name__)

Change = tuple[str, Entry | None, Entry | None]  # (path, before, after)
CommitObserver = Callable[[str, list[Change], int], None]  # (database, changes, commit_us)


class CommitFeed:
    def __init__(self) -> None:
        self._observers: tuple[CommitObserver, ...] = ()

    def subscribe(self, observer: CommitObserver) -> None:
        # A new tuple, so a publish running meanwhile keeps the one it started with.
        self._observers = (*self._observers, observer)

    def publish(self, database: str, changes: list[Change], commit_us: int) -> None:
        for observer in self._observers:
            try:
                observer(database, changes, commit_us)
            except Exception:  # the commit is applied; an observer must not undo it
                log.exception("Firestore commit observer failed")
