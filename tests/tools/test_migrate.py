"""Migrations apply in order from empty, once each, also when two runners race."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from tests.support.database import _server_url
from tools import localdb
from tools.migrate import MIGRATIONS, migrate, pending_files


@pytest.fixture
def empty_database(tmp_path):
    admin_url = _server_url(tmp_path)
    name = f"flowchat_migrate_{uuid.uuid4().hex[:10]}"
    localdb.create_database(admin_url, name)
    yield psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_migrations_apply_from_empty_then_nothing_is_pending(empty_database):
    expected = [path.stem for path in sorted(MIGRATIONS.glob("*.sql"))]
    assert migrate(empty_database) == expected
    assert migrate(empty_database) == []
    with psycopg.connect(empty_database) as conn:
        recorded = [
            row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY name")
        ]
        assert recorded == expected
        assert conn.execute("SELECT to_regclass('users') IS NOT NULL").fetchone()[0]


def test_concurrent_runners_apply_each_migration_once(empty_database):
    results: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(migrate(empty_database))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    applied = sorted(name for result in results for name in result)
    assert applied == sorted(path.stem for path in MIGRATIONS.glob("*.sql"))


def test_a_failing_migration_leaves_nothing_behind(empty_database, tmp_path):
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE good (id int);")
    (tmp_path / "0002_bad.sql").write_text(
        "CREATE TABLE half (id int); SELECT * FROM missing_table;"
    )
    with pytest.raises(psycopg.errors.UndefinedTable):
        migrate(empty_database, tmp_path)
    with psycopg.connect(empty_database) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM schema_migrations")] == ["0001_good"]
        assert conn.execute("SELECT to_regclass('half')").fetchone()[0] is None


def test_migration_numbers_must_be_unique(tmp_path):
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0001_b.sql").write_text("")
    with pytest.raises(RuntimeError, match="share a number"):
        pending_files(set(), tmp_path)
