"""The user accounts and refresh tokens of each project, in memory.

One ``ProjectAccounts`` per project id; every method takes the project's lock, because
the HTTP server and other emulators in the process (rules checking a token) call in from
different threads. A ``Journal`` (the data directory's, see ``persistence``) is told of
every change: callers that change an account's fields call ``save`` afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulators.auth.errors import AuthError

MAX_UID_LENGTH = 128
UID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class UserAccount:
    uid: str
    created_at_ms: int
    display_name: str | None = None
    photo_url: str | None = None
    email: str | None = None
    email_verified: bool = False
    phone_number: str | None = None
    password_hash: str | None = None
    password_salt: str | None = None
    password_updated_at_ms: int | None = None
    disabled: bool = False
    # JSON text, exactly as the Admin SDK sends it and reads it back.
    custom_attributes: str | None = None
    # Seconds since the epoch: ID tokens with an earlier ``iat`` are revoked.
    valid_since: int | None = None
    # Milliseconds: refresh tokens issued before this are revoked. ``valid_since`` only has
    # second precision, so a revocation in the same second as a sign-in would otherwise
    # leave that sign-in's refresh token working.
    refresh_tokens_valid_after_ms: int = 0
    last_login_at_ms: int | None = None
    last_refresh_at_ms: int | None = None
    custom_auth: bool = False

    def check_password(self, password: str) -> bool:
        if self.password_hash is None or self.password_salt is None:
            return False
        return hmac.compare_digest(self.password_hash, hash_password(password, self.password_salt))

    def set_password(self, password: str) -> None:
        self.password_salt = secrets.token_hex(16)
        self.password_hash = hash_password(password, self.password_salt)
        self.password_updated_at_ms = now_ms()


def hash_password(password: str, salt: str) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=2**12, r=8, p=1)
    return digest.hex()


@dataclass(frozen=True)
class RefreshTokenRecord:
    uid: str
    sign_in_provider: str
    issued_at_ms: int
    # Developer claims from the custom token, carried into every refreshed ID token.
    extra_claims: dict[str, Any] = field(default_factory=dict)


class Journal(Protocol):
    def saved(self, project_id: str, account: UserAccount) -> None: ...
    def deleted(self, project_id: str, uid: str) -> None: ...
    def token_issued(self, project_id: str, token: str, record: RefreshTokenRecord) -> None: ...
    def cleared(self, project_id: str) -> None: ...


class ProjectAccounts:
    """The accounts of one project. Returned objects are the stored ones: callers change
    them with the lock held and then ``save`` them."""

    def __init__(self, project_id: str, journal: Journal | None = None) -> None:
        self.project_id = project_id
        self.journal = journal
        self._lock = threading.RLock()
        self._users: dict[str, UserAccount] = {}
        self._refresh_tokens: dict[str, RefreshTokenRecord] = {}

    def load(self, users: list[UserAccount], refresh_tokens: dict[str, RefreshTokenRecord]) -> None:
        with self._lock:
            self._users.update((account.uid, account) for account in users)
            self._refresh_tokens.update(refresh_tokens)

    def save(self, account: UserAccount) -> None:
        """Records the account's current fields (after a change)."""
        if self.journal is not None:
            with self._lock:
                self.journal.saved(self.project_id, account)

    def users(self) -> list[UserAccount]:
        with self._lock:
            return list(self._users.values())

    def refresh_tokens(self) -> dict[str, RefreshTokenRecord]:
        with self._lock:
            return dict(self._refresh_tokens)

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def get(self, uid: str) -> UserAccount | None:
        with self._lock:
            return self._users.get(uid)

    def by_email(self, email: str) -> UserAccount | None:
        wanted = email.lower()
        with self._lock:
            return next((u for u in self._users.values() if u.email == wanted), None)

    def by_phone(self, phone_number: str) -> UserAccount | None:
        with self._lock:
            return next((u for u in self._users.values() if u.phone_number == phone_number), None)

    def create(self, uid: str | None = None) -> UserAccount:
        with self._lock:
            if uid is None:
                uid = self._new_uid()
            elif uid in self._users:
                raise AuthError("DUPLICATE_LOCAL_ID")
            account = UserAccount(uid=uid, created_at_ms=now_ms())
            self._users[uid] = account
            self.save(account)
            return account

    def delete(self, uid: str) -> bool:
        """Removes the account. Its refresh tokens stay on record so that using one later
        reports USER_NOT_FOUND, as Google's backend does, rather than an unknown token."""
        with self._lock:
            if self._users.pop(uid, None) is None:
                return False
            if self.journal is not None:
                self.journal.deleted(self.project_id, uid)
            return True

    def list_sorted(self, start_after: str | None, limit: int) -> tuple[list[UserAccount], bool]:
        """Accounts ordered by uid after ``start_after``; the flag says whether more remain."""
        with self._lock:
            uids = sorted(uid for uid in self._users if start_after is None or uid > start_after)
            page = [self._users[uid] for uid in uids[:limit]]
            return page, len(uids) > limit

    def clear(self) -> None:
        with self._lock:
            self._users.clear()
            self._refresh_tokens.clear()
            if self.journal is not None:
                self.journal.cleared(self.project_id)

    def issue_refresh_token(
        self, uid: str, sign_in_provider: str, extra_claims: dict[str, Any]
    ) -> str:
        token = secrets.token_urlsafe(48)
        record = RefreshTokenRecord(uid, sign_in_provider, now_ms(), dict(extra_claims))
        with self._lock:
            self._refresh_tokens[token] = record
            if self.journal is not None:
                self.journal.token_issued(self.project_id, token, record)
        return token

    def refresh_token_record(self, token: str) -> RefreshTokenRecord | None:
        with self._lock:
            return self._refresh_tokens.get(token)

    def __len__(self) -> int:
        with self._lock:
            return len(self._users)

    def _new_uid(self) -> str:
        while True:
            uid = "".join(secrets.choice(UID_ALPHABET) for _ in range(28))
            if uid not in self._users:
                return uid


class AccountStore:
    """All projects' accounts; a project's store is created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._projects: dict[str, ProjectAccounts] = {}
        self.journal: Journal | None = None

    def project(self, project_id: str) -> ProjectAccounts:
        with self._lock:
            accounts = self._projects.get(project_id)
            if accounts is None:
                accounts = self._projects[project_id] = ProjectAccounts(project_id, self.journal)
            return accounts

    def projects(self) -> list[ProjectAccounts]:
        with self._lock:
            return list(self._projects.values())

    def set_journal(self, journal: Journal | None) -> None:
        """Records every project's changes in ``journal`` from now on."""
        with self._lock:
            self.journal = journal
            for accounts in self._projects.values():
                accounts.journal = journal
