"""A small psycopg pool, opened on first use.

Never connect at import time: deploy discovery imports main.py with a 10 s limit. Prepared
statements are off so that Neon's ``-pooler`` host (PgBouncer, transaction mode) works.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

import settings

_pool: ConnectionPool | None = None
_lock = threading.Lock()


def pool() -> ConnectionPool:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ConnectionPool(
                    conninfo=settings.database_url(),
                    min_size=0,
                    max_size=settings.DB_POOL_SIZE.value,
                    kwargs={"prepare_threshold": None, "row_factory": dict_row},
                    timeout=10,
                    max_idle=60,
                    open=True,
                    name="flowchat",
                )
    return _pool


@contextmanager
def transaction() -> Iterator[psycopg.Connection]:
    """A connection inside one transaction: committed on success, rolled back on error."""
    with pool().connection() as conn:
        yield conn


@contextmanager
def autocommit() -> Iterator[psycopg.Connection]:
    """A connection on which each statement is its own transaction: one round trip, no
    ``BEGIN`` or ``COMMIT``, and locks held only while the statement runs."""
    with pool().connection() as conn:
        conn.autocommit = True
        try:
            yield conn
        finally:
            with suppress(psycopg.Error):  # a broken connection is the pool's to discard
                conn.autocommit = False


def close() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None
