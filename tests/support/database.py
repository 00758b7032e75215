"""A fresh PostgreSQL database per test run, migrated.

The machine's server (127.0.0.1:5432, trust auth) when it answers, else the embedded one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tools import localdb
from tools.migrate import migrate

SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _server_url(state: Path) -> str:
    try:
        with psycopg.connect(SERVER_URL, connect_timeout=3):
            return SERVER_URL
    except psycopg.OperationalError:
        return localdb.start(state / "postgres", database="postgres")


@contextmanager
def empty_database(state: Path, prefix: str = "flowchat_test") -> Iterator[str]:
    """A new database with nothing in it, dropped afterwards."""
    admin_url = _server_url(state)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    localdb.create_database(admin_url, name)
    try:
        yield psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(state: Path) -> Iterator[str]:
    with empty_database(state) as url:
        migrate(url)
        yield url
