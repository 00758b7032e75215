"""Migrations apply in order from empty, once each, also when two runners race."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.support import database
from tools.migrate import MIGRATIONS, migrate, pending_files


@pytest.fixture
def empty_database(tmp_path):
    with database.empty_database(tmp_path, "flowchat_migrate") as url:
        yield url


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


def test_identifier_keys_are_backfilled_and_conflicts_set_aside(empty_database, tmp_path):
    """0006 stores normalised identifiers; rows that only normalisation makes equal keep
    the identifier for the oldest account and list the others for someone to resolve."""
    before = [p for p in sorted(MIGRATIONS.glob("*.sql")) if p.name < "0006"]
    for path in before:
        (tmp_path / path.name).write_text(path.read_text())
    migrate(empty_database, tmp_path)
    with psycopg.connect(empty_database, autocommit=True) as conn:
        for email, username, created in (
            ("Alice@Example.com", "Alice", "2020-01-01"),
            ("ａlice@example.com", "alice_2", "2021-01-01"),  # fullwidth a: same after NFKC
            ("bob@example.com", "Bob", "2022-01-01"),
            ("bob2@example.com", "Ｂob", "2023-01-01"),  # fullwidth B
        ):
            conn.execute(
                """INSERT INTO users (email, username, display_name, password_hash, created_at)
                   VALUES (%s, %s, 'x', 'x', %s)""",
                (email, username, created),
            )
    migrate(empty_database)
    with psycopg.connect(empty_database) as conn:
        keys = conn.execute(
            "SELECT username, email_key, username_key FROM users ORDER BY created_at"
        ).fetchall()
        assert keys == [
            ("Alice", "alice@example.com", "alice"),
            ("alice_2", None, "alice_2"),
            ("Bob", "bob@example.com", "bob"),
            ("Ｂob", "bob2@example.com", None),
        ]
        conflicts = conn.execute(
            """SELECT u.username, c.field, c.value FROM identifier_conflicts c
               JOIN users u ON u.id = c.user_id ORDER BY u.created_at"""
        ).fetchall()
        assert conflicts == [
            ("alice_2", "email", "ａlice@example.com"),
            ("Ｂob", "username", "Ｂob"),
        ]
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                """INSERT INTO users (email, email_key, username, username_key, display_name,
                                      password_hash)
                   VALUES ('x@y.z', 'x@y.z', 'BOB', 'bob', 'x', 'x')"""
            )
