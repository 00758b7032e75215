"""Forgotten and changed passwords.

``request_reset`` answers the same whether or not the address has an account, and does the
same work either way up to the point of queueing a mail (the mail itself goes out after
the answer), so neither the answer nor its timing tells who has an account.
"""

from __future__ import annotations

import mirror
import settings
from accounts import firebase, mail_links, passwords, sessions, validation
from db import login_failures, pool, revocations, users
from db import sessions as session_rows
from errors import ApiError, invalid
from mail import outbox

RESET = "reset_password"
RESET_TTL_SECONDS = 30 * 60
RESET_WINDOW_SECONDS = 60 * 60
RESETS_PER_ADDRESS = 3  # per hour, whether or not the address has an account
RESETS_PER_CLIENT = 20  # per hour, per client address
INVALID_LINK = "this reset link is invalid, used or expired; ask for a new one"


def request_reset(email: str, client: sessions.Client) -> None:
    mail_id = None
    with pool.transaction() as conn:
        mail_links.throttle(
            conn,
            {
                f"reset:email:{validation.identifier_key(email)}": RESETS_PER_ADDRESS,
                f"reset:ip:{client.address}": RESETS_PER_CLIENT,
            },
            RESET_WINDOW_SECONDS,
        )
        user = users.by_email(conn, email)
        if user is not None:
            link = mail_links.issue(
                conn,
                purpose=RESET,
                user_id=user["id"],
                email=user["email"],
                ttl_seconds=RESET_TTL_SECONDS,
                path="/reset-password",
            )
            mail_id = outbox.queue(
                conn, user["email"], "password_reset", name=user["display_name"], link=link
            )
    outbox.kick([mail_id])


def reset(token: str, password: str) -> None:
    """Set a new password from a reset link: every session ends, every Firebase sign-in
    stops working, and the account's address is told."""
    with pool.transaction() as conn:
        spent = mail_links.spend(conn, token, RESET)
        user = users.by_id(conn, spent["user_id"]) if spent else None
        if user is None or user["disabled"]:
            raise ApiError("INVALID_ARGUMENT", INVALID_LINK)
        problem = passwords.policy_problem(password, email=user["email"], username=user["username"])
        if problem:
            raise invalid("password", problem)  # rolls back: the link stays usable
        mail_id = _set_password(conn, user, password, keep_session=None, reason="password reset")
    _after_password_change(user["id"], mail_id)


def change(user_id: str, session_id: str, current: str, new: str) -> str:
    """Change the password of a signed-in person who knows the current one. Other sessions
    end; this one stays. Returns a Firebase custom token for this session, whose earlier
    Firebase sign-in the revocation ends too."""
    account = confirm_password(user_id, current, field="currentPassword")
    problem = passwords.policy_problem(new, email=account["email"], username=account["username"])
    if problem:
        raise invalid("newPassword", problem)
    with pool.transaction() as conn:
        mail_id = _set_password(
            conn, account, new, keep_session=session_id, reason="password change"
        )
    _after_password_change(user_id, mail_id)
    return firebase.custom_token(user_id)


def confirm_password(user_id: str, password: str, *, field: str) -> users.User:
    """The signed-in account (with its hash) if ``password`` is its password. Wrong
    passwords count as failed logins of the account: a stolen access token must not become
    a way to guess the password."""
    limits = {f"user:{user_id}": settings.LOGIN_MAX_FAILURES_PER_ACCOUNT.value}
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS.value
    with pool.transaction() as conn:
        account = users.credentials_by_id(conn, user_id)
        if login_failures.seconds_until_allowed(conn, limits, window):
            raise ApiError("RESOURCE_EXHAUSTED", "too many wrong passwords; try again later")
    if account is None:
        raise ApiError("UNAUTHENTICATED", "no such account, or it is disabled")
    if not passwords.verify(account["password_hash"], password):
        with pool.transaction() as conn:
            login_failures.record_failure(conn, list(limits), window)
        raise ApiError("PERMISSION_DENIED", f"{field}: is not your password")
    return account


def _set_password(conn, user: users.User, password: str, *, keep_session, reason: str):
    users.set_password_hash(conn, user["id"], passwords.hash_password(password))
    session_rows.revoke_all(conn, user["id"], reason=reason, keep=keep_session)
    revocations.revoke(conn, user["id"])
    mail_links.spend_all(conn, user["id"], RESET)
    return outbox.queue(conn, user["email"], "password_changed", name=user["display_name"])


def _after_password_change(user_id: str, mail_id: int | None) -> None:
    mirror.apply_quietly("revocation", user_id)
    firebase.revoke_refresh_tokens(user_id)
    outbox.kick([mail_id])
