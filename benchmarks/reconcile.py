"""The reconcile pass (functions/reconcile.py) against the Firestore emulator.

PostgreSQL is seeded directly with people, group and direct rooms and memberships; Firestore
starts empty, as after a wipe. Measured: a whole pass that rebuilds every function-owned
document, a second pass that finds nothing to do, the count check that decides whether a
pass is needed (run at every `make dev` start and every scheduled minute; target under
1 s), and how much one bounded slice of a scheduled run gets through.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks._support import summary, table, timed
from tests.support import emulators
from tests.support.database import fresh_database

PEOPLE = 2_000
GROUPS = 800
GROUP_SIZE = 6
DIRECT_ROOMS = 200
DRIFT_TARGET_MS = 1_000
SLICE_SECONDS = 1.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as database_url:
        seed(database_url)
        host = emulators.start(Path(tmp) / "emulators", ["firestore"])
        try:
            os.environ.update(
                DATABASE_URL=database_url,
                FIRESTORE_EMULATOR_HOST=host.host("firestore"),
                GCLOUD_PROJECT=host.project,
            )
            sys.path.insert(0, str(emulators.ROOT / "functions"))
            run()
        finally:
            host.stop()


def seed(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO users (email, username, display_name, password_hash)
               SELECT 'p' || n || '@bench.example', 'p' || n, 'Person ' || n, 'unused'
               FROM generate_series(1, %s) n""",
            (PEOPLE,),
        )
        conn.execute(
            """CREATE TEMP TABLE people AS
               SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users"""
        )
        conn.execute(
            """INSERT INTO rooms (kind, name, created_by)
               SELECT 'group', 'Group ' || g, (SELECT id FROM people WHERE n = g %% %s)
               FROM generate_series(0, %s - 1) g""",
            (PEOPLE, GROUPS),
        )
        conn.execute(
            """INSERT INTO memberships (room_id, user_id, role, notify)
               SELECT r.id, p.id, CASE WHEN p.id = r.created_by THEN 'owner' ELSE 'member' END,
                      'mentions'
               FROM (SELECT id, created_by, row_number() OVER (ORDER BY id) AS g FROM rooms) r
               JOIN people p
                 ON p.n IN (SELECT (r.g * 7 + k) %% %s FROM generate_series(0, %s - 1) k)
                 OR p.id = r.created_by""",
            (PEOPLE, GROUP_SIZE - 1),
        )
        conn.execute(
            """WITH pairs AS (
                 SELECT a.id AS a, b.id AS b FROM people a JOIN people b ON b.n = a.n + 1
                 WHERE a.n %% 2 = 0 LIMIT %s)
               INSERT INTO rooms (kind, created_by, direct_key)
               SELECT 'direct', a, least(a::text, b::text) || ':' || greatest(a::text, b::text)
               FROM pairs""",
            (DIRECT_ROOMS,),
        )
        conn.execute(
            """INSERT INTO memberships (room_id, user_id, role, notify)
               SELECT id, unnest(string_to_array(direct_key, ':'))::uuid, 'member', 'all'
               FROM rooms WHERE kind = 'direct'"""
        )


def run() -> None:
    import reconcile
    from db import pool

    with pool.transaction() as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM rooms) AS r, (SELECT count(*) FROM memberships) AS m"
        ).fetchone()
    documents = counts["r"] + 2 * counts["m"] + PEOPLE

    started = time.perf_counter()
    rebuild = reconcile.full_pass()
    rebuild_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = reconcile.full_pass()
    again_seconds = time.perf_counter() - started
    started = time.perf_counter()
    one_slice = reconcile.run(reconcile.Cursor(), deadline=time.monotonic() + SLICE_SECONDS)
    slice_seconds = time.perf_counter() - started
    drift_median, drift_p99 = summary(timed(reconcile.drift, 20))

    table(
        ["measure", "value"],
        [
            ["function-owned documents PostgreSQL implies", documents],
            ["rebuild from an empty Firestore: documents written", rebuild.writes],
            ["rebuild: seconds", rebuild_seconds],
            ["rebuild: documents written per second", rebuild.writes / rebuild_seconds],
            ["second pass: documents written", again.writes],
            ["second pass: seconds", again_seconds],
            [
                f"one {SLICE_SECONDS:.0f} s slice, nothing to fix: subjects checked",
                one_slice.subjects,
            ],
            ["that slice: seconds (the page under way finishes)", slice_seconds],
            ["drift check (4 counts): median ms", drift_median],
            ["drift check: p99 ms", drift_p99],
        ],
    )
    verdict = "within" if drift_p99 < DRIFT_TARGET_MS else "OVER"
    print(f"drift check p99 {drift_p99:.0f} ms: {verdict} the {DRIFT_TARGET_MS} ms target")
    assert again.writes == 0, "a second pass must write nothing"
