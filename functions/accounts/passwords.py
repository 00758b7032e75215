"""Password hashing (argon2id, OWASP parameters) and the password policy."""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from errors import ApiError

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Each hash or verification holds 19 MiB while it runs, and an instance serves up to 80
# requests at once (Cloud Functions 2nd gen): 80 logins would need 1.5 GiB of a 256 MiB
# function. At most HASHING_SLOTS run at once per instance (4 x 19 = 76 MiB beside the
# ~100 MiB the interpreter and libraries take); the others wait up to HASHING_WAIT_SECONDS
# for a slot (a hash takes ~50 ms of one core, ~300 ms on our loaded 2 shared cores), then
# get 503 with Retry-After rather than pushing the instance out of memory. The wait stays
# inside Cloud Functions' default request timeout of 60 s.
HASHING_SLOTS = 4
HASHING_WAIT_SECONDS = 30.0
_slots = threading.BoundedSemaphore(HASHING_SLOTS)


def _map_large_blocks_on_their_own() -> None:
    """argon2 takes its 19 MiB with malloc. glibc raises its mmap threshold each time such a
    block is freed, so later ones come from the per-thread arenas, which keep their pages:
    50 logins on 50 threads left the host ~300 MiB larger for good (issue 21). A fixed
    threshold keeps every block of 1 MiB or more in a mapping of its own, returned to the
    system when freed. Not glibc (no ``mallopt``): nothing to do."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold = -3  # <malloc.h>
    libc.mallopt(m_mmap_threshold, 1 << 20)


_map_large_blocks_on_their_own()


@contextmanager
def _hashing_slot() -> Iterator[None]:
    if not _slots.acquire(timeout=HASHING_WAIT_SECONDS):
        raise ApiError(
            "UNAVAILABLE", "too many sign-ins at once; try again", headers={"Retry-After": "1"}
        )
    try:
        yield
    finally:
        _slots.release()


MIN_LENGTH = 8
MAX_LENGTH = 128  # argon2 takes any length; the cap bounds the work one request can ask for


def hash_password(password: str) -> str:
    with _hashing_slot():
        return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        with _hashing_slot():
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    return hash_password("flowchat-timing-equaliser")


def verify_against_nothing(password: str) -> None:
    """Spend the time of a real verification, so unknown users are not told apart by timing."""
    verify(_dummy_hash(), password)


def policy_problem(password: str, *, email: str, username: str) -> str | None:
    """Why this password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in _common_passwords():
        return "is one of the most common passwords; choose another"
    if lowered in (email.lower(), username.lower(), email.split("@")[0].lower()):
        return "must not be your email or username"
    return None


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())
