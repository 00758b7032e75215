"""Proving an email address: a link mailed on sign-up and on request, and changing the
address, which takes effect only once the new one is proven."""

from __future__ import annotations

import psycopg

from accounts import mail_links, recovery
from accounts.validation import identifier_key
from db import pool, users
from errors import ApiError, invalid
from mail import outbox

VERIFY = "verify_email"
CHANGE = "change_email"
VERIFY_TTL_SECONDS = 24 * 60 * 60
VERIFY_WINDOW_SECONDS = 60 * 60
VERIFICATIONS_PER_ACCOUNT = 3  # mails per hour on request
INVALID_LINK = "this confirmation link is invalid, used or expired; ask for a new one"
EMAIL_TAKEN = "email: is already taken"


def queue_mail(conn: psycopg.Connection, user: users.User) -> int | None:
    """Inside the transaction that created the account (or asks again): the mail's id."""
    link = mail_links.issue(
        conn,
        purpose=VERIFY,
        user_id=user["id"],
        email=user["email"],
        ttl_seconds=VERIFY_TTL_SECONDS,
        path="/verify-email",
    )
    return outbox.queue(
        conn,
        user["email"],
        "verify_email",
        name=user["display_name"],
        email=user["email"],
        link=link,
    )


def request(user_id: str) -> None:
    with pool.transaction() as conn:
        user = users.by_id(conn, user_id)
        if user is None or user["disabled"]:
            raise ApiError("UNAUTHENTICATED", "no such account, or it is disabled")
        if user["email_verified_at"] is not None:
            raise ApiError("FAILED_PRECONDITION", "your address is already confirmed")
        mail_links.throttle(
            conn, {f"verify:user:{user_id}": VERIFICATIONS_PER_ACCOUNT}, VERIFY_WINDOW_SECONDS
        )
        mail_id = queue_mail(conn, user)
    outbox.kick([mail_id])


def request_change(user_id: str, new_email: str, password: str) -> None:
    """Mail a link to ``new_email``; the account keeps its address until it is opened."""
    account = recovery.confirm_password(user_id, password, field="password")
    if identifier_key(new_email) == identifier_key(account["email"]):
        raise invalid("newEmail", "is already your address")
    with pool.transaction() as conn:
        if users.by_email(conn, new_email) is not None:
            raise ApiError("ALREADY_EXISTS", EMAIL_TAKEN.replace("email", "newEmail", 1))
        mail_links.throttle(
            conn, {f"verify:user:{user_id}": VERIFICATIONS_PER_ACCOUNT}, VERIFY_WINDOW_SECONDS
        )
        link = mail_links.issue(
            conn,
            purpose=CHANGE,
            user_id=user_id,
            email=new_email,
            ttl_seconds=VERIFY_TTL_SECONDS,
            path="/verify-email",
        )
        mail_id = outbox.queue(
            conn,
            new_email,
            "confirm_new_email",
            name=account["display_name"],
            email=new_email,
            link=link,
        )
    outbox.kick([mail_id])


def verify(token: str) -> users.User:
    """Open a confirmation link: the address it was sent to is confirmed if it is still the
    account's; a new address replaces the old one, which is told. Only the owner sees
    ``emailVerified`` (``me``), so the public profile is not rewritten."""
    mail_id = None
    with pool.transaction() as conn:
        spent = mail_links.spend(conn, token, VERIFY, CHANGE)
        if spent is None:
            raise ApiError("INVALID_ARGUMENT", INVALID_LINK)
        if spent["purpose"] == VERIFY:
            if not users.mark_email_verified(conn, spent["user_id"], spent["email"]):
                raise ApiError("INVALID_ARGUMENT", INVALID_LINK)
            return users.by_id(conn, spent["user_id"])
        old = users.by_id(conn, spent["user_id"])
        if old is None or old["disabled"]:
            raise ApiError("INVALID_ARGUMENT", INVALID_LINK)
        try:
            user = users.change_email(conn, spent["user_id"], spent["email"])
        except users.DuplicateUser:
            raise ApiError("ALREADY_EXISTS", EMAIL_TAKEN) from None
        mail_links.spend_all(conn, spent["user_id"], recovery.RESET)  # sent to the old address
        mail_id = outbox.queue(
            conn,
            old["email"],
            "email_changed",
            name=old["display_name"],
            new_email=spent["email"],
        )
    outbox.kick([mail_id])
    return user
