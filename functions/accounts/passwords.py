"""Password hashing (argon2id, OWASP parameters) and the password policy."""

from __future__ import annotations

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 8
MAX_LENGTH = 128  # argon2 takes any length; the cap bounds the work one request can ask for


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("flowchat-timing-equaliser")


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
