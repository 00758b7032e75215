"""Account actions: register, log in, refresh, log out, and authenticating a request.

Each action does one thing end to end (PostgreSQL, tokens, Firebase) and raises ApiError
with the status the client should see.
"""

from __future__ import annotations

from dataclasses import dataclass

import mirror
import settings
from accounts import firebase, passwords, tokens
from db import login_failures, outbox, pool, sessions, users
from errors import ApiError

BAD_CREDENTIALS = "invalid login or password"


@dataclass(frozen=True)
class Client:
    """Who is calling, as far as throttling and session records care."""

    address: str
    user_agent: str


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    firebase_token: str
    expires_in: int

    def as_json(self) -> dict:
        return {
            "accessToken": self.access_token,
            "refreshToken": self.refresh_token,
            "firebaseToken": self.firebase_token,
            "expiresIn": self.expires_in,
        }


def register(
    *, email: str, username: str, password: str, display_name: str, client: Client
) -> tuple[users.User, IssuedTokens]:
    password_hash = passwords.hash_password(password)
    with pool.transaction() as conn:
        try:
            user = users.create(
                conn,
                email=email,
                username=username,
                display_name=display_name,
                password_hash=password_hash,
            )
        except users.DuplicateUser as exc:
            raise ApiError("ALREADY_EXISTS", f"{exc.field}: is already taken") from None
        issued = _start_session(conn, user["id"], client)
        outbox.add(conn, "user", user["id"])
    mirror.apply_quietly("user", user["id"])
    return user, issued


def login(*, login: str, password: str, client: Client) -> tuple[users.User, IssuedTokens]:
    account_key, address_key = f"account:{login.strip().lower()}", f"ip:{client.address}"
    limits = {
        account_key: settings.LOGIN_MAX_FAILURES_PER_ACCOUNT.value,
        address_key: settings.LOGIN_MAX_FAILURES_PER_ADDRESS.value,
    }
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS.value
    with pool.transaction() as conn:
        wait = login_failures.seconds_until_allowed(conn, limits, window)
        if wait:
            raise ApiError(
                "RESOURCE_EXHAUSTED",
                f"too many failed logins; try again in {wait} seconds",
                headers={"Retry-After": str(wait)},
            )
        account = users.credentials_by_login(conn, login)

    # Verify outside any transaction: argon2 takes tens of milliseconds on purpose.
    if account is None:
        passwords.verify_against_nothing(password)
    if account is None or not passwords.verify(account["password_hash"], password):
        with pool.transaction() as conn:
            login_failures.record_failure(conn, [account_key, address_key], window)
        raise ApiError("UNAUTHENTICATED", BAD_CREDENTIALS)
    if account["disabled"]:
        raise ApiError("PERMISSION_DENIED", "this account is disabled")

    with pool.transaction() as conn:
        login_failures.clear(conn, account_key)
        if passwords.needs_rehash(account["password_hash"]):
            users.set_password_hash(conn, account["id"], passwords.hash_password(password))
        issued = _start_session(conn, account["id"], client)
    del account["password_hash"]
    return account, issued


def refresh(refresh_token: str) -> IssuedTokens:
    new_refresh = tokens.new_refresh_token()
    with pool.transaction() as conn:
        outcome = sessions.rotate(
            conn,
            tokens.hash_refresh_token(refresh_token),
            tokens.hash_refresh_token(new_refresh),
            retry_seconds=settings.REFRESH_RETRY_SECONDS.value,
        )
    if outcome.reused:
        firebase.revoke_refresh_tokens(outcome.user_id)
        raise ApiError(
            "UNAUTHENTICATED", "refresh token was already used; the session has been revoked"
        )
    if not outcome.ok:
        raise ApiError("UNAUTHENTICATED", "refresh token is invalid, expired or revoked")
    access, ttl = tokens.issue_access_token(outcome.user_id, outcome.session_id)
    return IssuedTokens(access, new_refresh, firebase.custom_token(outcome.user_id), ttl)


def logout(claims: tokens.AccessClaims) -> None:
    with pool.transaction() as conn:
        sessions.revoke(conn, claims.session_id, reason="logout")
    firebase.revoke_refresh_tokens(claims.user_id)


def authenticate(bearer: str) -> str:
    """The uid of a request's caller: from a FlowChat access token (with a live session) or
    a Firebase ID token."""
    if tokens.is_flowchat_token(bearer):
        return authenticate_access_token(bearer).user_id
    try:
        return firebase.verify_id_token(bearer)
    except ValueError:
        raise ApiError("UNAUTHENTICATED", "invalid or expired token") from None


def authenticate_access_token(bearer: str) -> tokens.AccessClaims:
    try:
        claims = tokens.verify_access_token(bearer)
    except tokens.InvalidToken:
        raise ApiError("UNAUTHENTICATED", "invalid or expired token") from None
    with pool.transaction() as conn:
        if not sessions.is_active(conn, claims.session_id, claims.user_id):
            raise ApiError("UNAUTHENTICATED", "session has ended; log in again")
    return claims


def _start_session(conn, user_id: str, client: Client) -> IssuedTokens:
    refresh_token = tokens.new_refresh_token()
    session_id = sessions.create(
        conn,
        user_id=user_id,
        token_hash=tokens.hash_refresh_token(refresh_token),
        ttl_days=settings.SESSION_TTL_DAYS.value,
        user_agent=client.user_agent,
        client_ip=client.address,
    )
    access, ttl = tokens.issue_access_token(user_id, session_id)
    return IssuedTokens(access, refresh_token, firebase.custom_token(user_id), ttl)
