"""argon2id holds 19 MiB per hash: an instance runs at most ``HASHING_SLOTS`` at once, and a
sign-in that finds them all taken for too long gets 503 with Retry-After (its memory stays
within the function's setting; benchmarks/login_memory.py measures the host)."""

from __future__ import annotations

import threading
import time

import pytest

from accounts import passwords
from errors import ApiError


def test_hashes_beyond_the_slots_wait_for_one(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()
    real = passwords._hasher

    class Counting:  # the real hasher, its verifications counted while they run
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                return real.verify(password_hash, password)
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(passwords, "_hasher", Counting())
    stored = passwords.hash_password("correct horse battery")
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(passwords.verify(stored, "correct horse battery"))
        )
        for _ in range(3 * passwords.HASHING_SLOTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [True] * len(threads)
    assert 1 <= most[0] <= passwords.HASHING_SLOTS


def test_a_sign_in_that_finds_every_slot_taken_too_long_gets_503(monkeypatch):
    stored = passwords.hash_password("correct horse battery")
    monkeypatch.setattr(passwords, "HASHING_WAIT_SECONDS", 0.2)
    taken = 0
    try:
        while passwords._slots.acquire(blocking=False):
            taken += 1
        assert taken == passwords.HASHING_SLOTS
        began = time.monotonic()
        with pytest.raises(ApiError) as refused:
            passwords.verify(stored, "correct horse battery")
        assert time.monotonic() - began >= 0.2
        assert refused.value.status == "UNAVAILABLE"
        assert refused.value.headers == {"Retry-After": "1"}
    finally:
        for _ in range(taken):
            passwords._slots.release()
    assert passwords.verify(stored, "correct horse battery")
