"""Account actions: register, log in, refresh, log out, and authenticating a request.

Each action does one thing end to end (PostgreSQL, tokens, Firebase) and raises ApiError
with the status the client should see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mirror
import settings
from accounts import firebase, passwords, tokens, validation, verification
from db import login_failures, outbox, pool, revocations, sessions, users
from errors import ApiError
from mail import outbox as mail_outbox

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
        if users.username_held(conn, username):  # a deleted account's, cooling off
            raise ApiError("ALREADY_EXISTS", "username: is already taken")
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
        verification_mail = verification.queue_mail(conn, user)
    mirror.apply_quietly("user", user["id"])
    mail_outbox.kick([verification_mail])
    return user, issued


def login(*, login: str, password: str, client: Client) -> tuple[users.User, IssuedTokens]:
    """Failures are counted per login string (as normalised), per account it resolves to
    (so switching between username and email gains nothing) and per client address."""
    per_account = settings.LOGIN_MAX_FAILURES_PER_ACCOUNT.value
    login_key = f"login:{validation.identifier_key(login)}"
    limits = {
        login_key: per_account,
        f"ip:{client.address}": settings.LOGIN_MAX_FAILURES_PER_ADDRESS.value,
    }
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS.value
    with pool.transaction() as conn:
        account = users.credentials_by_login(conn, login)
        if account is not None:
            limits[f"user:{account['id']}"] = per_account
        wait = login_failures.seconds_until_allowed(conn, limits, window)
        if wait:
            raise ApiError(
                "RESOURCE_EXHAUSTED",
                f"too many failed logins; try again in {wait} seconds",
                headers={"Retry-After": str(wait)},
            )

    # Verify outside any transaction: argon2 takes tens of milliseconds on purpose.
    if account is None:
        passwords.verify_against_nothing(password)
    if account is None or not passwords.verify(account["password_hash"], password):
        with pool.transaction() as conn:
            login_failures.record_failure(conn, list(limits), window)
        raise ApiError("UNAUTHENTICATED", BAD_CREDENTIALS)
    if account["disabled"]:
        raise ApiError("PERMISSION_DENIED", "this account is disabled")

    with pool.transaction() as conn:
        login_failures.clear(conn, [login_key, f"user:{account['id']}"])
        users.refresh_keys(conn, account)
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
            revocations.revoke(conn, outcome.user_id)
    if outcome.reused:
        _sign_out_of_firebase(outcome.user_id)
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
        revocations.revoke(conn, claims.user_id)
    _sign_out_of_firebase(claims.user_id)


def _sign_out_of_firebase(user_id: str) -> None:
    """After a revocation committed: carry it to the rules (the mirror) and end the
    Firebase refresh tokens, so no new ID token is minted from an old sign-in."""
    mirror.apply_quietly("revocation", user_id)
    firebase.revoke_refresh_tokens(user_id)


def authenticate(bearer: str) -> str:
    """The uid of a request's caller: from a FlowChat access token (with a live session) or
    a Firebase ID token."""
    if tokens.is_flowchat_token(bearer):
        return authenticate_access_token(bearer).user_id
    try:
        claims = firebase.verify_id_token(bearer)
    except ValueError:
        raise ApiError("UNAUTHENTICATED", "invalid or expired token") from None
    return authenticate_firebase_claims(claims)


def authenticate_firebase_claims(claims: Mapping[str, Any]) -> str:
    """The uid of verified Firebase ID-token claims, unless the person is unknown (a
    Firebase account FlowChat did not make) or disabled, or signed in (``auth_time``)
    before their tokens were revoked: what firebase_admin's ``check_revoked`` decides, read
    from PostgreSQL rather than asked of the Auth service, and judged on the sign-in time as
    the rules judge it."""
    uid = str(claims.get("uid") or claims.get("sub") or "")
    if not users.is_user_id(uid):
        raise ApiError("UNAUTHENTICATED", "invalid or expired token")
    signed_in_at = claims.get("auth_time")  # every Firebase ID token carries it
    with pool.autocommit() as conn:  # one statement: one round trip, no BEGIN/COMMIT
        standing = revocations.standing(conn, uid)
    if standing is None or standing.disabled:
        raise ApiError("UNAUTHENTICATED", "no such account, or it is disabled")
    if standing.revoked_at is not None and not (
        isinstance(signed_in_at, int | float) and signed_in_at >= standing.revoked_at
    ):
        raise ApiError("UNAUTHENTICATED", "this sign-in has ended (logged out); sign in again")
    return uid


def authenticate_access_token(bearer: str) -> tokens.AccessClaims:
    claims = access_claims(bearer)
    with pool.autocommit() as conn:  # one statement: one round trip, no BEGIN/COMMIT
        if not sessions.is_active(conn, claims.session_id, claims.user_id):
            raise session_ended()
    return claims


def access_claims(bearer: str) -> tokens.AccessClaims:
    """The claims of a valid access token, its session not checked yet; 401 otherwise."""
    try:
        return tokens.verify_access_token(bearer)
    except tokens.InvalidToken:
        raise ApiError("UNAUTHENTICATED", "invalid or expired token") from None


def session_ended() -> ApiError:
    return ApiError("UNAUTHENTICATED", "session has ended; log in again")


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
