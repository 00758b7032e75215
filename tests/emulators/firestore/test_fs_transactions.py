"""Transactions: isolation under contention, aborts and retries, read-only, rollback,
timeouts, queries (firebase.google.com/docs/firestore/manage-data/transactions and
cloud.google.com/firestore/docs/transaction-data-contention)."""

from __future__ import annotations

import threading
import time

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tests.emulators.firestore.support import TRANSACTION_TIMEOUT


def test_no_lost_updates_8_threads_x_10_increments(db, col):
    ref = col.document("counter")
    ref.set({"n": 0})
    errors = []

    @firestore.transactional
    def increment(transaction):
        snapshot = ref.get(transaction=transaction)
        transaction.update(ref, {"n": snapshot.get("n") + 1})

    def worker():
        try:
            for _ in range(10):
                increment(db.transaction())
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert ref.get().get("n") == 80


def test_older_transaction_wounds_younger_which_gets_aborted(db, col):
    ref = col.document("d")
    ref.set({"n": 1})
    older = db.transaction()
    older._begin()
    younger = db.transaction()
    younger._begin()
    assert ref.get(transaction=younger).get("n") == 1  # younger locks d
    # older needs d: it wounds younger instead of waiting
    assert ref.get(transaction=older).get("n") == 1
    younger.update(ref, {"n": 100})
    with pytest.raises(exceptions.Aborted):
        younger._commit()
    older.update(ref, {"n": 2})
    older._commit()
    assert ref.get().get("n") == 2


def test_transactional_retries_after_abort(db, col):
    ref = col.document("d")
    ref.set({"n": 0})
    attempts = []
    blocker = db.transaction()
    blocker._begin()  # older than the transaction below

    @firestore.transactional
    def bump(transaction):
        attempts.append(1)
        value = ref.get(transaction=transaction).get("n")
        if len(attempts) == 1:
            # an older transaction takes the lock: this attempt is wounded
            ref.get(transaction=blocker)
            blocker.update(ref, {"n": value + 10})
            blocker._commit()
        transaction.update(ref, {"n": value + 1})

    bump(db.transaction())
    assert len(attempts) == 2
    assert ref.get().get("n") == 11


def test_non_transactional_write_waits_for_transaction_lock(db, col):
    ref = col.document("d")
    ref.set({"n": 0})
    transaction = db.transaction()
    transaction._begin()
    value = ref.get(transaction=transaction).get("n")
    done = threading.Event()

    def outside():
        ref.update({"n": firestore.Increment(1)})
        done.set()

    thread = threading.Thread(target=outside)
    thread.start()
    assert not done.wait(0.3)  # blocked by the lock
    transaction.update(ref, {"n": value + 1})
    transaction._commit()
    thread.join(10)
    assert done.is_set()
    assert ref.get().get("n") == 2  # neither update lost


def test_crossing_transactions_do_not_deadlock(db, col):
    a, b = col.document("a"), col.document("b")
    a.set({"n": 0})
    b.set({"n": 0})
    errors = []

    @firestore.transactional
    def move(transaction, first, second):
        x = first.get(transaction=transaction).get("n")
        time.sleep(0.005)
        y = second.get(transaction=transaction).get("n")
        transaction.update(first, {"n": x + 1})
        transaction.update(second, {"n": y + 1})

    def worker(first, second):
        try:
            for _ in range(10):
                move(db.transaction(max_attempts=20), first, second)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=pair) for pair in [(a, b), (b, a)] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert a.get().get("n") == 40 and b.get().get("n") == 40


def test_read_only_transaction_sees_a_snapshot(db, col):
    ref = col.document("d")
    ref.set({"n": 1})
    transaction = db.transaction(read_only=True)
    transaction._begin()
    assert ref.get(transaction=transaction).get("n") == 1
    ref.set({"n": 2})  # not blocked: read-only transactions take no locks
    assert ref.get(transaction=transaction).get("n") == 1
    (snapshot,) = list(col.where(filter=FieldFilter("n", ">", 0)).stream(transaction=transaction))
    assert snapshot.get("n") == 1
    transaction._commit()
    assert ref.get().get("n") == 2


def test_writes_in_read_only_transaction_are_refused(db, col):
    ref = col.document("d")
    transaction = db.transaction(read_only=True)
    transaction._begin()
    with pytest.raises(ValueError):
        transaction.set(ref, {"n": 1})
    transaction._rollback()


def test_rollback_releases_locks(db, col):
    ref = col.document("d")
    ref.set({"n": 0})
    transaction = db.transaction()
    transaction._begin()
    ref.get(transaction=transaction)
    transaction._rollback()
    started = time.monotonic()
    ref.set({"n": 5})
    assert time.monotonic() - started < TRANSACTION_TIMEOUT
    assert ref.get().get("n") == 5


def test_idle_transaction_times_out_and_releases_its_locks(db, col):
    ref = col.document("d")
    ref.set({"n": 0})
    transaction = db.transaction()
    transaction._begin()
    ref.get(transaction=transaction)
    started = time.monotonic()
    ref.set({"n": 7})  # waits until the idle transaction expires
    waited = time.monotonic() - started
    assert TRANSACTION_TIMEOUT * 0.8 <= waited < TRANSACTION_TIMEOUT + 5
    transaction.update(ref, {"n": 99})
    with pytest.raises(exceptions.Aborted):
        transaction._commit()
    assert ref.get().get("n") == 7


def test_query_in_transaction_and_phantom_aborts(db, col):
    col.document("a").set({"open": True, "n": 1})
    attempts = []

    @firestore.transactional
    def close_all(transaction):
        attempts.append(1)
        query = col.where(filter=FieldFilter("open", "==", True))
        found = list(transaction.get(query))
        if len(attempts) == 1:
            col.document("b").set({"open": True, "n": 2})  # a phantom appears
        for snapshot in found:
            transaction.update(snapshot.reference, {"open": False})
        return len(found)

    assert close_all(db.transaction()) == 2
    assert len(attempts) == 2
    assert [s.get("open") for s in col.order_by("n").stream()] == [False, False]


def test_aggregation_in_transaction(db, col):
    for i in range(3):
        col.document(f"d{i}").set({"n": i})
    transaction = db.transaction()
    transaction._begin()
    (result,) = col.count().get(transaction=transaction)
    assert result[0].value == 3
    transaction._rollback()


def test_unknown_transaction_is_invalid_argument(db, col):
    with pytest.raises(exceptions.InvalidArgument):
        db._firestore_api.commit(
            request={"database": db._database_string, "writes": [], "transaction": b"bogus"},
            metadata=db._rpc_metadata,
        )


def test_random_multi_document_transactions_neither_deadlock_nor_lose_updates(db, col):
    import random

    refs = [col.document(f"d{i}") for i in range(5)]
    for ref in refs:
        ref.set({"n": 0})
    errors = []

    @firestore.transactional
    def bump_three(transaction, chosen):
        values = [ref.get(transaction=transaction).get("n") for ref in chosen]
        for ref, value in zip(chosen, values, strict=True):
            transaction.update(ref, {"n": value + 1})

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(15):
                bump_three(db.transaction(max_attempts=50), rng.sample(refs, 3))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sum(ref.get().get("n") for ref in refs) == 6 * 15 * 3
