"""Queries on the users table."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg import errors

from accounts.validation import identifier_key
from db import sessions

User = dict[str, Any]

_COLUMNS = (
    "id::text AS id, email, username, display_name, avatar_url, bio, disabled,"
    " created_at, updated_at, email_verified_at"
)


class DuplicateUser(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def create(
    conn: psycopg.Connection, *, email: str, username: str, display_name: str, password_hash: str
) -> User:
    try:
        with conn.transaction():
            return conn.execute(
                f"""INSERT INTO users
                      (email, email_key, username, username_key, display_name, password_hash)
                    VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}""",
                (
                    email,
                    identifier_key(email),
                    username,
                    identifier_key(username),
                    display_name,
                    password_hash,
                ),
            ).fetchone()
    except errors.UniqueViolation as exc:
        constraint = exc.diag.constraint_name or ""
        raise DuplicateUser("email" if "email" in constraint else "username") from None


def is_user_id(value: Any) -> bool:
    """Whether ``value`` is a user id as this table writes it (a lower-case UUID); ids from
    elsewhere (tokens, client-written documents) are checked before they reach a query."""
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def by_id(conn: psycopg.Connection, user_id: str) -> User | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = %s", (user_id,)).fetchone()


def by_live_session(conn: psycopg.Connection, user_id: str, session_id: str) -> User | None:
    """The user, unless disabled, while ``session_id`` is one of their live sessions: the
    test of ``sessions.is_active`` and the read in one statement."""
    return conn.execute(
        f"""SELECT {_COLUMNS} FROM users
            WHERE id = %s AND NOT disabled AND EXISTS (
              SELECT 1 FROM sessions s
              WHERE s.id = %s AND s.user_id = users.id AND {sessions.LIVE})""",
        (user_id, session_id),
    ).fetchone()


def by_username(conn: psycopg.Connection, username: str) -> User | None:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM users WHERE username_key = %s", (identifier_key(username),)
    ).fetchone()


def find(conn: psycopg.Connection, *, user_id: str | None, username: str | None) -> User | None:
    """An enabled user by id or by username (compared as identifier keys); None when there
    is no such user."""
    if user_id is not None:
        if not is_user_id(user_id):
            return None
        user = by_id(conn, user_id)
    else:
        user = by_username(conn, username or "")
    return None if user is None or user["disabled"] else user


def credentials_by_login(conn: psycopg.Connection, login: str) -> User | None:
    """The user whose email or username is ``login`` (compared as identifier keys), with
    the password hash."""
    return conn.execute(
        f"""SELECT {_COLUMNS}, password_hash FROM users
            WHERE email_key = %(key)s OR username_key = %(key)s""",
        {"key": identifier_key(login)},
    ).fetchone()


def credentials_by_id(conn: psycopg.Connection, user_id: str) -> User | None:
    """An enabled user with the password hash."""
    user = conn.execute(
        f"SELECT {_COLUMNS}, password_hash FROM users WHERE id = %s", (user_id,)
    ).fetchone()
    return None if user is None or user["disabled"] else user


def refresh_keys(conn: psycopg.Connection, user: User) -> None:
    """Store the user's identifier keys as identifier_key makes them, where they differ:
    migration 0006 computed them in SQL, which folds a few characters ('ß') otherwise.
    A key another account already holds is left as it is (see identifier_conflicts)."""
    email_key, username_key = identifier_key(user["email"]), identifier_key(user["username"])
    try:
        with conn.transaction():
            conn.execute(
                """UPDATE users SET email_key = %(email)s, username_key = %(username)s
                   WHERE id = %(id)s AND (email_key IS DISTINCT FROM %(email)s
                                          OR username_key IS DISTINCT FROM %(username)s)""",
                {"email": email_key, "username": username_key, "id": user["id"]},
            )
    except errors.UniqueViolation:
        pass


def by_email(conn: psycopg.Connection, email: str) -> User | None:
    """An enabled user whose email is ``email`` (compared as identifier keys)."""
    user = conn.execute(
        f"SELECT {_COLUMNS} FROM users WHERE email_key = %s", (identifier_key(email),)
    ).fetchone()
    return None if user is None or user["disabled"] else user


def mark_email_verified(conn: psycopg.Connection, user_id: str, email: str) -> bool:
    """Verified only if ``email`` is still the account's address; whether it is."""
    return (
        conn.execute(
            """UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
               WHERE id = %s AND email_key = %s""",
            (user_id, identifier_key(email)),
        ).rowcount
        == 1
    )


def change_email(conn: psycopg.Connection, user_id: str, email: str) -> User | None:
    """Replace the address with a confirmed one; DuplicateUser("email") when another
    account took it meanwhile."""
    try:
        with conn.transaction():
            return conn.execute(
                f"""UPDATE users SET email = %s, email_key = %s, email_verified_at = now(),
                           updated_at = now()
                    WHERE id = %s RETURNING {_COLUMNS}""",
                (email, identifier_key(email), user_id),
            ).fetchone()
    except errors.UniqueViolation:
        raise DuplicateUser("email") from None


DELETED_NAME = "Deleted user"


def erase(conn: psycopg.Connection, user_id: str, *, hold_days: int) -> None:
    """Anonymise a deleting account: no address, name, picture, bio or usable password is
    left; the row stays for what refers to it. Its username is held for ``hold_days``."""
    conn.execute(
        """INSERT INTO username_holds (username_key, held_until)
           SELECT username_key, now() + make_interval(days => %s) FROM users WHERE id = %s
           ON CONFLICT (username_key) DO UPDATE SET held_until = excluded.held_until""",
        (hold_days, user_id),
    )
    placeholder = f"deleted.{user_id.replace('-', '')}"
    conn.execute(
        """UPDATE users SET email = %(email)s, email_key = %(email)s, username = %(name)s,
                  username_key = %(name)s, display_name = %(display)s, bio = '',
                  avatar_url = NULL, password_hash = '!', disabled = true,
                  email_verified_at = NULL, deleted_at = now(), updated_at = now()
           WHERE id = %(id)s""",
        {
            "email": f"{placeholder}@deleted.invalid",
            "name": placeholder,
            "display": DELETED_NAME,
            "id": user_id,
        },
    )


def username_held(conn: psycopg.Connection, username: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM username_holds WHERE username_key = %s AND held_until > now()",
        (identifier_key(username),),
    ).fetchone()
    return row is not None


def set_password_hash(conn: psycopg.Connection, user_id: str, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))


def update_profile(conn: psycopg.Connection, user_id: str, changes: dict[str, Any]) -> User | None:
    """Set the given columns (display_name, bio, avatar_url) and return the user."""
    allowed = {"display_name", "bio", "avatar_url"}
    if not changes:
        return by_id(conn, user_id)
    if not set(changes) <= allowed:
        raise ValueError(f"cannot update {sorted(set(changes) - allowed)}")
    assignments = ", ".join(f"{column} = %({column})s" for column in changes)
    return conn.execute(
        f"""UPDATE users SET {assignments}, updated_at = now()
            WHERE id = %(id)s RETURNING {_COLUMNS}""",
        {**changes, "id": user_id},
    ).fetchone()
