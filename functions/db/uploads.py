"""Queries on the uploads table."""

from __future__ import annotations

from typing import Any

import psycopg


def record_signature(conn: psycopg.Connection, **columns: Any) -> None:
    conn.execute(
        """INSERT INTO uploads (public_id, uploader_id, room_id, purpose, resource_type,
                                filename, content_type, declared_size)
           VALUES (%(public_id)s, %(uploader_id)s, %(room_id)s, %(purpose)s, %(resource_type)s,
                   %(filename)s, %(content_type)s, %(declared_size)s)""",
        columns,
    )


def signed_recently(conn: psycopg.Connection, uploader_id: str, seconds: int) -> int:
    return conn.execute(
        """SELECT count(*) AS n FROM uploads
           WHERE uploader_id = %s AND signed_at > now() - make_interval(secs => %s)""",
        (uploader_id, seconds),
    ).fetchone()["n"]


def lock(conn: psycopg.Connection, public_id: str) -> dict[str, Any] | None:
    return conn.execute(
        """SELECT public_id, uploader_id::text AS uploader_id, room_id::text AS room_id, purpose,
                  resource_type, verified_at, secure_url, format, bytes, width, height, version,
                  message_path
           FROM uploads WHERE public_id = %s FOR UPDATE""",
        (public_id,),
    ).fetchone()


def mark_verified(conn: psycopg.Connection, public_id: str, asset: dict[str, Any]) -> None:
    conn.execute(
        """UPDATE uploads SET verified_at = now(), secure_url = %(secure_url)s,
                  format = %(format)s, bytes = %(bytes)s, width = %(width)s,
                  height = %(height)s, version = %(version)s
           WHERE public_id = %(public_id)s""",
        {"public_id": public_id, **asset},
    )


def set_message(conn: psycopg.Connection, public_id: str, message_path: str) -> None:
    conn.execute(
        "UPDATE uploads SET message_path = %s WHERE public_id = %s", (message_path, public_id)
    )
