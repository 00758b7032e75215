"""Applies ``migrations/NNNN_name.sql`` in order, one transaction each, recorded in
``schema_migrations``. ``python -m tools.migrate`` uses ``DATABASE_URL``."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import psycopg

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# One lock id for every migration run, so concurrent runners apply each file once.
_LOCK_ID = 0x466C6F77


def pending_files(applied: set[str], folder: Path = MIGRATIONS) -> list[Path]:
    files = sorted(path for path in folder.glob("*.sql") if _NAME.match(path.name))
    numbers = [path.name[:4] for path in files]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number in {folder}")
    return [path for path in files if path.stem not in applied]


def migrate(database_url: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply what is pending; return the names applied."""
    applied_now = []
    with psycopg.connect(database_url, autocommit=True, prepare_threshold=None) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       name text PRIMARY KEY,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for path in pending_files(applied, folder):
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.stem,))
                applied_now.append(path.stem)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is not set", file=sys.stderr)
        return 2
    applied = migrate(url)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
