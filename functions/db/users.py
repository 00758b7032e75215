"""Queries on the users table."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg import errors

User = dict[str, Any]

_COLUMNS = (
    "id::text AS id, email, username, display_name, avatar_url, bio, disabled,"
    " created_at, updated_at"
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
                f"""INSERT INTO users (email, username, display_name, password_hash)
                    VALUES (%s, %s, %s, %s) RETURNING {_COLUMNS}""",
                (email, username, display_name, password_hash),
            ).fetchone()
    except errors.UniqueViolation as exc:
        constraint = exc.diag.constraint_name or ""
        raise DuplicateUser("email" if "email" in constraint else "username") from None


def by_id(conn: psycopg.Connection, user_id: str) -> User | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = %s", (user_id,)).fetchone()


def by_username(conn: psycopg.Connection, username: str) -> User | None:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM users WHERE lower(username) = lower(%s)", (username,)
    ).fetchone()


def find(conn: psycopg.Connection, *, user_id: str | None, username: str | None) -> User | None:
    """An enabled user by id or by username (any case); None when there is no such user."""
    if user_id is not None:
        try:
            uuid.UUID(user_id)
        except ValueError:
            return None
        user = by_id(conn, user_id)
    else:
        user = by_username(conn, username or "")
    return None if user is None or user["disabled"] else user


def credentials_by_login(conn: psycopg.Connection, login: str) -> User | None:
    """The user whose email or username is ``login``, with the password hash."""
    return conn.execute(
        f"""SELECT {_COLUMNS}, password_hash FROM users
            WHERE lower(email) = lower(%(login)s) OR lower(username) = lower(%(login)s)""",
        {"login": login},
    ).fetchone()


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
