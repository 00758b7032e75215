"""PostgreSQL time of the message trigger's statement (``db.message_delivery.deliver``),
one message at a time (no lock waits), in rooms of 10 and 1,000 members where every
member wants pushes and half have a device and are away: what a compute spends per
message, and so messages/s per Neon compute size on paper.

Printed per room size: wall ms per message on this machine (the statement, on its own as
the trigger runs it) and
the server's own time (``pg_stat_database.active_time``) per message; then, from the
server time in the 10-member room, messages/s that 0.25, 0.5, 1 and 2 CU (0.25 to 2
vCPU) could carry if PostgreSQL did nothing else.
Run with ``python -m benchmarks message_statement``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from benchmarks._support import table
from tests.support.database import fresh_database

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = 300
ROOM_SIZES = (10, 1_000)
COMPUTES = (0.25, 0.5, 1.0, 2.0)


def main() -> None:
    sys.path.insert(0, str(ROOT / "functions"))
    from db import message_delivery

    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
        rows, server_ms = [], {}
        with psycopg.connect(
            url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            for size in ROOM_SIZES:
                room_id, sender, mentioned = _room(conn, size)
                before = _active_ms(url)
                began = time.perf_counter()
                for n in range(MESSAGES):
                    message_delivery.deliver(
                        conn,
                        room_id=room_id,
                        message_id=f"m{n}",
                        sender_id=sender,
                        created_at=datetime.now(UTC),
                        preview=f"message {n}",
                        mentioned=[mentioned],
                        claim_key=f"push:{room_id}/m{n}",
                        index_entry=None,
                    )
                wall = (time.perf_counter() - began) * 1000 / MESSAGES
                time.sleep(11.0)  # an idle backend reports its statistics up to 10 s late
                server_ms[size] = (_active_ms(url) - before) / MESSAGES
                rows.append([size, wall, server_ms[size]])
        table(["members", "wall ms / message", "server ms / message"], rows)
        per_message = server_ms[ROOM_SIZES[0]]
        print()
        table(
            ["Neon compute", "vCPU", "messages/s on paper"],
            [[f"{cu} CU", cu, cu * 1000 / per_message] for cu in COMPUTES],
        )


def _room(conn: psycopg.Connection, size: int) -> tuple[str, str, str]:
    """A group room of ``size`` members who all want every message; every other one has a
    device and is away. (room id, sender, a mentioned member)."""
    ids = [str(uuid.uuid4()) for _ in range(size)]
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO users (id, email, username, display_name, password_hash)
               VALUES (%s, %s, %s, 'Bench', 'x')""",
            [(uid, f"{uid}@example.com", uid) for uid in ids],
        )
        room_id = cur.execute(
            "INSERT INTO rooms (kind, name, created_by) VALUES ('group', 'Bench', %s) RETURNING id",
            (ids[0],),
        ).fetchone()["id"]
        cur.executemany(
            "INSERT INTO memberships (room_id, user_id, role, notify) VALUES (%s, %s, %s, 'all')",
            [(room_id, uid, "owner" if n == 0 else "member") for n, uid in enumerate(ids)],
        )
        cur.executemany(
            "INSERT INTO device_tokens (token, user_id) VALUES (%s, %s)",
            [(f"token-{uid}", uid) for uid in ids[1::2]],
        )
        cur.executemany(
            """INSERT INTO presence (user_id, state, changed_at) VALUES (%s, 'offline', now())""",
            [(uid,) for uid in ids[1::2]],
        )
    return str(room_id), ids[0], ids[1]


def _active_ms(url: str) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT active_time FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return float(row[0] or 0.0)


if __name__ == "__main__":
    main()
