"""What the Auth emulator does, independent of HTTP: sign-in, refresh, account changes,
and the token checks other emulators ask for. Failures raise ``AuthError`` with the code
the SDKs map (INVALID_CUSTOM_TOKEN, USER_DISABLED, TOKEN_EXPIRED, ...)."""

from __future__ import annotations

import enum
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from emulators.auth import tokens
from emulators.auth.accounts import (
    MAX_UID_LENGTH,
    AccountStore,
    ProjectAccounts,
    UserAccount,
    now_ms,
)
from emulators.auth.errors import AuthError

MIN_PASSWORD_LENGTH = 6
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{4,14}$")
MAX_BATCH_RESULTS = 1000
DEFAULT_BATCH_RESULTS = 20
DELETABLE_ATTRIBUTES = {"DISPLAY_NAME", "PHOTO_URL", "EMAIL", "PASSWORD"}


class TokenStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USER_NOT_FOUND = "user-not-found"
    USER_DISABLED = "user-disabled"
    REVOKED = "revoked"


@dataclass(frozen=True)
class SignIn:
    account: UserAccount
    id_token: str
    refresh_token: str
    expires_in: int = tokens.ID_TOKEN_LIFETIME_SECONDS
    is_new_user: bool = False


@dataclass
class AccountChanges:
    """Fields of ``accounts:update`` / ``accounts`` (create); None leaves a field alone."""

    display_name: str | None = None
    photo_url: str | None = None
    email: str | None = None
    email_verified: bool | None = None
    phone_number: str | None = None
    password: str | None = None
    disabled: bool | None = None
    custom_attributes: str | None = None
    valid_since: int | None = None
    delete_attributes: list[str] = field(default_factory=list)
    delete_providers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BatchDeleteError:
    index: int
    uid: str
    message: str


class AuthService:
    def __init__(self, store: AccountStore) -> None:
        self.store = store

    # --- sign-in and tokens -------------------------------------------------------------

    def sign_in_with_custom_token(self, project_id: str, token: Any) -> SignIn:
        custom = tokens.parse_custom_token(token)
        accounts = self.store.project(project_id)
        with accounts.lock:
            account = accounts.get(custom.uid)
            is_new_user = account is None
            if account is None:
                account = accounts.create(custom.uid)
            elif account.disabled:
                raise AuthError("USER_DISABLED")
            account.custom_auth = True
            account.last_login_at_ms = now_ms()
            return self._issue(accounts, account, "custom", custom.claims, is_new_user)

    def sign_in_with_password(self, project_id: str, email: Any, password: Any) -> SignIn:
        if not isinstance(email, str) or not email:
            raise AuthError("INVALID_EMAIL")
        if not isinstance(password, str) or not password:
            raise AuthError("MISSING_PASSWORD")
        accounts = self.store.project(project_id)
        with accounts.lock:
            account = accounts.by_email(email)
            if account is None or not account.check_password(password):
                raise AuthError("INVALID_LOGIN_CREDENTIALS")
            if account.disabled:
                raise AuthError("USER_DISABLED")
            account.last_login_at_ms = now_ms()
            return self._issue(accounts, account, "password", {}, False)

    def refresh(self, project_id: str, grant_type: Any, refresh_token: Any) -> SignIn:
        if not grant_type:
            raise AuthError("MISSING_GRANT_TYPE")
        if grant_type != "refresh_token":
            raise AuthError("INVALID_GRANT_TYPE")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise AuthError("MISSING_REFRESH_TOKEN")
        accounts = self.store.project(project_id)
        with accounts.lock:
            record = accounts.refresh_token_record(refresh_token)
            if record is None:
                raise AuthError("INVALID_REFRESH_TOKEN")
            account = accounts.get(record.uid)
            # A token from before the account existed belonged to a deleted namesake.
            if account is None or record.issued_at_ms < account.created_at_ms:
                raise AuthError("USER_NOT_FOUND")
            if account.disabled:
                raise AuthError("USER_DISABLED")
            if record.issued_at_ms < account.refresh_tokens_valid_after_ms:
                raise AuthError("TOKEN_EXPIRED")
            account.last_refresh_at_ms = now_ms()
            accounts.save(account)
            id_token = tokens.mint_id_token(
                project_id, account, record.sign_in_provider, record.extra_claims
            )
            return SignIn(account, id_token, refresh_token)

    def account_for_id_token(
        self, project_id: str, id_token: Any
    ) -> tuple[UserAccount, dict[str, Any]]:
        """The account a client's ID token stands for, refusing deleted, revoked and
        disabled users with the codes the JS SDK turns into sign-outs."""
        claims = tokens.read_id_token(id_token, project_id)
        account = self.store.project(project_id).get(claims["uid"])
        if account is None:
            raise AuthError("USER_NOT_FOUND")
        if account.valid_since is not None and claims["iat"] < account.valid_since:
            raise AuthError("TOKEN_EXPIRED")
        if account.disabled:
            raise AuthError("USER_DISABLED")
        return account, claims

    def token_status(self, claims: dict[str, Any], *, now: float | None = None) -> TokenStatus:
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and exp < (time.time() if now is None else now):
            return TokenStatus.EXPIRED
        project_id = claims.get("aud")
        uid = claims.get("user_id") or claims.get("sub")
        if not isinstance(project_id, str) or not isinstance(uid, str):
            return TokenStatus.USER_NOT_FOUND
        account = self.store.project(project_id).get(uid)
        if account is None:
            return TokenStatus.USER_NOT_FOUND
        if account.disabled:
            return TokenStatus.USER_DISABLED
        issued_at = claims.get("iat")
        if account.valid_since is not None and (
            not isinstance(issued_at, (int, float)) or issued_at < account.valid_since
        ):
            return TokenStatus.REVOKED
        return TokenStatus.VALID

    # --- accounts -----------------------------------------------------------------------

    def lookup(
        self,
        project_id: str,
        uids: list[str],
        emails: list[str],
        phone_numbers: list[str],
    ) -> list[UserAccount]:
        accounts = self.store.project(project_id)
        found: dict[str, UserAccount] = {}
        with accounts.lock:
            candidates = [accounts.get(uid) for uid in uids]
            candidates += [accounts.by_email(email) for email in emails]
            candidates += [accounts.by_phone(phone) for phone in phone_numbers]
        for account in candidates:
            if account is not None:
                found.setdefault(account.uid, account)
        return list(found.values())

    def create_account(self, project_id: str, uid: Any, changes: AccountChanges) -> UserAccount:
        if uid is not None:
            validate_uid(uid)
        accounts = self.store.project(project_id)
        with accounts.lock:
            self._check_unique(accounts, None, changes)
            self._validate(changes)
            account = accounts.create(uid)
            self._apply(account, changes)
            accounts.save(account)
            return account

    def update_account(
        self, project_id: str, account: UserAccount, changes: AccountChanges
    ) -> UserAccount:
        accounts = self.store.project(project_id)
        with accounts.lock:
            if accounts.get(account.uid) is not account:
                raise AuthError("USER_NOT_FOUND")
            self._validate(changes)
            self._check_unique(accounts, account, changes)
            self._apply(account, changes)
            accounts.save(account)
            return account

    def update_by_client(
        self, project_id: str, id_token: Any, changes: AccountChanges
    ) -> tuple[UserAccount, SignIn | None]:
        """A signed-in user's own update. Changing the password or email signs out the
        user's other sessions; the caller gets fresh tokens, as from Google's backend."""
        accounts = self.store.project(project_id)
        with accounts.lock:
            account, claims = self.account_for_id_token(project_id, id_token)
            new_credentials = changes.password is not None or (
                changes.email is not None and changes.email.lower() != account.email
            )
            if new_credentials:
                changes.valid_since = int(time.time())
            self.update_account(project_id, account, changes)
            if not new_credentials:
                return account, None
            provider = claims.get("firebase", {}).get("sign_in_provider", "custom")
            extra = tokens.developer_claims(claims, account)
            return account, self._issue(accounts, account, provider, extra, False)

    def get_account(self, project_id: str, uid: Any) -> UserAccount:
        if not isinstance(uid, str) or not uid:
            raise AuthError("MISSING_LOCAL_ID")
        account = self.store.project(project_id).get(uid)
        if account is None:
            raise AuthError("USER_NOT_FOUND")
        return account

    def delete_account(self, project_id: str, uid: str) -> None:
        if not self.store.project(project_id).delete(uid):
            raise AuthError("USER_NOT_FOUND")

    def batch_delete(self, project_id: str, uids: list[str], force: bool) -> list[BatchDeleteError]:
        accounts = self.store.project(project_id)
        errors = []
        with accounts.lock:
            for index, uid in enumerate(uids):
                account = accounts.get(uid)
                if account is None:
                    continue  # deleting a missing user is not an error in a batch
                if not force and not account.disabled:
                    errors.append(
                        BatchDeleteError(
                            index, uid, "NOT_DISABLED : Disable the account before batch deletion."
                        )
                    )
                    continue
                accounts.delete(uid)
        return errors

    def list_accounts(
        self, project_id: str, max_results: int | None, page_token: str | None
    ) -> tuple[list[UserAccount], str | None]:
        limit = DEFAULT_BATCH_RESULTS if max_results is None else max_results
        if limit < 1 or limit > MAX_BATCH_RESULTS:
            raise AuthError("INVALID_PAGE_SIZE", f"maxResults must be 1-{MAX_BATCH_RESULTS}")
        page, more = self.store.project(project_id).list_sorted(page_token or None, limit)
        return page, (page[-1].uid if more and page else None)

    def reset(self, project_id: str) -> None:
        self.store.project(project_id).clear()

    # --- helpers ------------------------------------------------------------------------

    def _issue(
        self,
        accounts: ProjectAccounts,
        account: UserAccount,
        provider: str,
        extra_claims: dict[str, Any],
        is_new_user: bool,
    ) -> SignIn:
        account.last_refresh_at_ms = now_ms()
        accounts.save(account)
        id_token = tokens.mint_id_token(accounts.project_id, account, provider, extra_claims)
        refresh_token = accounts.issue_refresh_token(account.uid, provider, extra_claims)
        return SignIn(account, id_token, refresh_token, is_new_user=is_new_user)

    @staticmethod
    def _validate(changes: AccountChanges) -> None:
        if changes.email is not None and not EMAIL_PATTERN.match(changes.email):
            raise AuthError("INVALID_EMAIL")
        if changes.phone_number is not None and not PHONE_PATTERN.match(changes.phone_number):
            raise AuthError("INVALID_PHONE_NUMBER", "Invalid format.")
        if changes.password is not None and len(changes.password) < MIN_PASSWORD_LENGTH:
            raise AuthError(
                "WEAK_PASSWORD", f"Password should be at least {MIN_PASSWORD_LENGTH} characters"
            )
        if changes.custom_attributes is not None:
            tokens.validate_serialized_claims(changes.custom_attributes)
        unknown = set(changes.delete_attributes) - DELETABLE_ATTRIBUTES
        if unknown:
            raise AuthError("INVALID_ARGUMENT", f"cannot delete attribute {sorted(unknown)[0]}")

    @staticmethod
    def _check_unique(
        accounts: ProjectAccounts, account: UserAccount | None, changes: AccountChanges
    ) -> None:
        if changes.email is not None:
            holder = accounts.by_email(changes.email)
            if holder is not None and holder is not account:
                raise AuthError("EMAIL_EXISTS")
        if changes.phone_number is not None:
            holder = accounts.by_phone(changes.phone_number)
            if holder is not None and holder is not account:
                raise AuthError("PHONE_NUMBER_EXISTS")

    @staticmethod
    def _apply(account: UserAccount, changes: AccountChanges) -> None:
        # An empty string clears the field (the JS SDK's updateProfile with "").
        if changes.display_name is not None:
            account.display_name = changes.display_name or None
        if changes.photo_url is not None:
            account.photo_url = changes.photo_url or None
        if changes.email is not None and changes.email.lower() != account.email:
            account.email = changes.email.lower()
            account.email_verified = False
        if changes.email_verified is not None:
            account.email_verified = changes.email_verified
        if changes.phone_number is not None:
            account.phone_number = changes.phone_number
        if changes.password is not None:
            account.set_password(changes.password)
        if changes.disabled is not None:
            account.disabled = changes.disabled
        if changes.custom_attributes is not None:
            # An empty object removes the claims, as set_custom_user_claims(uid, None) means.
            empty = json.loads(changes.custom_attributes) == {}
            account.custom_attributes = None if empty else changes.custom_attributes
        if changes.valid_since is not None:
            revoke(account, changes.valid_since)
        for attribute in changes.delete_attributes:
            if attribute == "DISPLAY_NAME":
                account.display_name = None
            elif attribute == "PHOTO_URL":
                account.photo_url = None
            elif attribute == "EMAIL":
                account.email, account.email_verified = None, False
            elif attribute == "PASSWORD":
                account.password_hash = account.password_salt = None
        if "phone" in changes.delete_providers:
            account.phone_number = None
        if "password" in changes.delete_providers:
            account.email, account.email_verified = None, False
            account.password_hash = account.password_salt = None


def revoke(account: UserAccount, valid_since: int) -> None:
    """Tokens issued before ``valid_since`` (seconds) stop working. A revocation stamped
    with the current second, or the one before it (the admin SDK stamps with its own clock
    before the request travels), also cuts the refresh tokens issued in that second before
    it arrived: "revoke now" must not spare a token minted a few milliseconds earlier."""
    current_ms = now_ms()
    account.valid_since = valid_since
    stamp_ms = valid_since * 1000
    recent = stamp_ms <= current_ms < stamp_ms + 2000
    account.refresh_tokens_valid_after_ms = min(current_ms, stamp_ms + 1000) if recent else stamp_ms


def validate_uid(uid: Any) -> str:
    if not isinstance(uid, str) or not uid or len(uid) > MAX_UID_LENGTH:
        raise AuthError("INVALID_ID", "uid must be a string of 1-128 characters")
    return uid
