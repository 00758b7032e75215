"""Transactions: pessimistic document locks with wound-wait (Google's emulator locks too).

- A read-write transaction takes an exclusive lock on every document it reads, and on
  every document it writes when it commits; the lock is held until commit or rollback.
- Priority is age: a transaction retried with ``retry_transaction`` keeps the age of the
  one it retries. An older transaction that needs a lock held by a younger one *wounds* it
  (at once if the younger is waiting for it, a cycle; else after ``WOUND_GRACE`` seconds
  in which the younger may commit): the younger loses its locks and its commit fails with
  ABORTED, which clients retry.
  A younger transaction waits for an older one. An older one waits for a younger one
  only during the grace, and a cycle is broken as soon as it forms, so nothing deadlocks.
  A free lock goes to the oldest waiter first.
- Non-transactional commits take the locks of the documents they write, as the youngest.
- Queries in a transaction lock the documents they return and are re-run at commit: if
  the result changed (a phantom), the commit is ABORTED.
- A transaction idle for ``idle_timeout`` seconds (or older than ``max_lifetime``) expires:
  its locks are released and its commit fails with ABORTED.

All methods run with the engine's condition (``cond``) held.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from dataclasses import dataclass, field

from emulators.firestore.errors import Code, FirestoreError

DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_MAX_LIFETIME = 270.0
# How long an older transaction lets a younger, running one finish before wounding it.
WOUND_GRACE = 0.05

_ids = itertools.count(1)


@dataclass(eq=False)
class Transaction:
    id: bytes
    database: str
    priority: tuple[int, int]  # (age, begin order): smaller is older
    read_only: bool
    read_us: int | None = None  # snapshot of a read-only transaction
    locks: set[str] = field(default_factory=set)
    # (CompiledQuery, [(path, update_us), ...]) to re-check at commit
    queries: list = field(default_factory=list)
    wounded: bool = False
    finished: bool = False
    started: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)


class TransactionManager:
    def __init__(
        self,
        cond: threading.Condition,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_lifetime: float = DEFAULT_MAX_LIFETIME,
    ) -> None:
        self.cond = cond
        self.idle_timeout = idle_timeout
        self.max_lifetime = max_lifetime
        self.active: dict[bytes, Transaction] = {}
        self.holders: dict[tuple[str, str], Transaction] = {}  # (database, path) -> owner
        self.waiting: dict[tuple[str, str], set[Transaction]] = {}
        self._ages = itertools.count(1)
        # id -> priority of finished transactions, so a retry keeps its place in line
        self._finished_priorities: dict[bytes, tuple[int, int]] = {}

    # lifecycle --------------------------------------------------------------------------
    def begin(
        self,
        database: str,
        *,
        read_only: bool,
        read_us: int | None = None,
        retry_of: bytes | None = None,
    ) -> Transaction:
        self.expire_idle()
        sequence = next(self._ages)
        age = sequence
        if retry_of:
            # The retried transaction may still be active: the Python client's
            # @transactional keeps retry ids on the decorated function, which threads share.
            previous = self.active.get(retry_of)
            if previous is not None:
                age = previous.priority[0]
            else:
                age = self._finished_priorities.get(retry_of, (age,))[0]
        priority = (age, sequence)  # ties on age are broken by begin order
        transaction = Transaction(
            id=os.urandom(4) + next(_ids).to_bytes(8, "big"),
            database=database,
            priority=priority,
            read_only=read_only,
            read_us=read_us,
        )
        self.active[transaction.id] = transaction
        return transaction

    def ephemeral(self, database: str) -> Transaction:
        """The owner of the locks of one non-transactional commit (youngest priority)."""
        sequence = next(self._ages)
        return Transaction(
            id=b"", database=database, priority=(sequence, sequence), read_only=False
        )

    def lookup(self, transaction_id: bytes, database: str) -> Transaction:
        transaction = self.active.get(transaction_id)
        if transaction is None or transaction.database != database:
            if transaction_id in self._finished_priorities:
                raise FirestoreError(
                    Code.ABORTED,
                    "The referenced transaction has expired or is no longer valid.",
                )
            raise FirestoreError(Code.INVALID_ARGUMENT, "Invalid transaction.")
        if self._expired(transaction):
            self.finish(transaction)
            raise FirestoreError(
                Code.ABORTED, "The referenced transaction has expired or is no longer valid."
            )
        transaction.last_used = time.monotonic()
        return transaction

    def finish(self, transaction: Transaction) -> None:
        transaction.finished = True
        self.release(transaction)
        if transaction.id:
            self.active.pop(transaction.id, None)
            self._finished_priorities[transaction.id] = transaction.priority
            if len(self._finished_priorities) > 10_000:
                for stale in list(self._finished_priorities)[:5_000]:
                    del self._finished_priorities[stale]

    def release(self, transaction: Transaction) -> None:
        for path in transaction.locks:
            key = (transaction.database, path)
            if self.holders.get(key) is transaction:
                del self.holders[key]
        transaction.locks.clear()
        self.cond.notify_all()

    def expire_idle(self) -> None:
        for transaction in list(self.active.values()):
            if self._expired(transaction):
                self.finish(transaction)

    def _expired(self, transaction: Transaction) -> bool:
        now = time.monotonic()
        return (
            now - transaction.last_used > self.idle_timeout
            or now - transaction.started > self.max_lifetime
        )

    # locking ----------------------------------------------------------------------------
    def lock(self, owner: Transaction, paths: list[str]) -> None:
        """Blocks until ``owner`` holds every path, or it is wounded or finished.

        Never raises: a wounded transaction carries on without locks and fails at commit.
        """
        wanted = [path for path in paths if path not in owner.locks]
        if not wanted:
            return
        keys = [(owner.database, path) for path in wanted]
        started = time.monotonic()
        try:
            while not owner.wounded and not owner.finished:
                blocked = False
                timeout = 0.5
                for key in keys:
                    holder = self.holders.get(key)
                    if holder is not None and holder is not owner:
                        if holder.id and self._expired(holder):
                            self.finish(holder)
                        elif owner.priority < holder.priority:
                            # Give a younger holder that is not itself waiting a moment to
                            # commit before wounding it: fewer aborts, same guarantees.
                            waited = time.monotonic() - started
                            if waited >= WOUND_GRACE or self._waits_for(holder, owner):
                                self._wound(holder)
                            else:
                                blocked = True
                                timeout = min(timeout, WOUND_GRACE - waited)
                        else:
                            blocked = True
                    if any(w.priority < owner.priority for w in self.waiting.get(key, ())):
                        blocked = True
                if not blocked:
                    for key in keys:
                        self.holders[key] = owner
                    owner.locks.update(wanted)
                    return
                for key in keys:
                    self.waiting.setdefault(key, set()).add(owner)
                self.cond.wait(timeout=timeout)
                owner.last_used = time.monotonic()  # waiting is not idling
        finally:
            for key in keys:
                waiters = self.waiting.get(key)
                if waiters is not None:
                    waiters.discard(owner)
                    if not waiters:
                        del self.waiting[key]

    def _waits_for(self, start: Transaction, target: Transaction) -> bool:
        """Whether ``start`` is (transitively) waiting for ``target``: a cycle to break."""
        seen: set[int] = set()
        stack = [start]
        while stack:
            current = stack.pop()
            if current is target:
                return True
            if id(current) in seen:
                continue
            seen.add(id(current))
            for key, waiters in self.waiting.items():
                if current in waiters:
                    holder = self.holders.get(key)
                    if holder is not None and holder is not current:
                        stack.append(holder)
                    stack.extend(w for w in waiters if w.priority < current.priority)
        return False

    def _wound(self, victim: Transaction) -> None:
        victim.wounded = True
        self.release(victim)

    def check_commit(self, transaction: Transaction) -> None:
        if transaction.wounded:
            raise FirestoreError(
                Code.ABORTED,
                "Transaction lock timeout or contention: an older transaction needed a "
                "document this transaction had locked. Retry the transaction.",
            )
        if transaction.finished:
            raise FirestoreError(
                Code.ABORTED, "The referenced transaction has expired or is no longer valid."
            )
