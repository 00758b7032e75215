"""A warning in the emulator's log when one document is written faster than Firestore
sustains: about one write per second per document (cloud.google.com/firestore/quotas,
/docs/best-practices). Production does not refuse such writes at once; it answers with
contention errors and latency under load, which no local test sees, so we say it early.

A document is hot when, over a window of the last ``WINDOW_S`` seconds spanning at least
``SUSTAINED_S`` seconds, it was written more than once a second on average: a short burst
(a batch, a retried transaction) is not. Each hot document is named at most once a minute.
"""

from __future__ import annotations

import logging
from collections import deque

from emulators.firestore.commits import Change

log = logging.getLogger(__name__)

WINDOW_S = 10.0
SUSTAINED_S = 5.0
MAX_PER_SECOND = 1.0
REPEAT_AFTER_S = 60.0


class HotDocumentMonitor:
    """Fed every commit (an engine commit observer); logs hot documents."""

    def __init__(self) -> None:
        self._writes: dict[str, deque[float]] = {}  # "database/path" -> recent write times
        self._warned: dict[str, float] = {}
        self._last_sweep = 0.0

    def observe(self, database: str, changes: list[Change], commit_us: int) -> None:
        now = commit_us / 1_000_000
        for path, _before, after in changes:
            if after is None:
                continue  # deletes do not count
            key = f"{database}/documents/{path}"
            times = self._writes.setdefault(key, deque())
            times.append(now)
            while times and times[0] < now - WINDOW_S:
                times.popleft()
            self._check(key, path, times, now)
        if now - self._last_sweep > WINDOW_S:
            self._sweep(now)

    def _check(self, key: str, path: str, times: deque[float], now: float) -> None:
        span = times[-1] - times[0]
        if span < SUSTAINED_S or (len(times) - 1) / span <= MAX_PER_SECOND:
            return
        if now - self._warned.get(key, -REPEAT_AFTER_S) < REPEAT_AFTER_S:
            return
        self._warned[key] = now
        log.warning(
            "Document %s was written %d times in %.1f s; Firestore sustains about one write "
            "per second per document (cloud.google.com/firestore/docs/best-practices)",
            path,
            len(times),
            span,
        )

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for key in [k for k, times in self._writes.items() if times[-1] < now - WINDOW_S]:
            del self._writes[key]
        for key in [k for k, at in self._warned.items() if at < now - REPEAT_AFTER_S]:
            del self._warned[key]
