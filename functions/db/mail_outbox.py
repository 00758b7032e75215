"""Queries on mail_outbox: mails waiting to be sent, sent, or given up on."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb


def add(
    conn: psycopg.Connection,
    *,
    recipient: str,
    template: str,
    subject: str,
    text: str,
    html: str,
    dedupe_key: str | None = None,
    headers: dict[str, str] | None = None,
) -> int | None:
    """The new row's id, or None when a mail with the same ``dedupe_key`` was queued before."""
    row = conn.execute(
        """INSERT INTO mail_outbox
               (recipient, template, subject, body_text, body_html, dedupe_key, headers)
           VALUES (%s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING id""",
        (recipient, template, subject, text, html, dedupe_key, Jsonb(headers or {})),
    ).fetchone()
    return row["id"] if row else None


def lock_due(
    conn: psycopg.Connection, limit: int, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Due rows, locked until the transaction ends; rows another deliverer holds are skipped,
    so two deliverers never send the same mail."""
    return conn.execute(
        """SELECT id, recipient, subject, body_text, body_html, headers, attempts
           FROM mail_outbox
           WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now()
             AND (%s::bigint[] IS NULL OR id = ANY(%s::bigint[]))
           ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED""",
        (ids, ids, limit),
    ).fetchall()


def mark_sent(conn: psycopg.Connection, mail_id: int) -> None:
    conn.execute(
        """UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL,
                  body_text = '', body_html = ''
           WHERE id = %s""",
        (mail_id,),
    )


def record_failure(
    conn: psycopg.Connection, mail_id: int, error: str, *, retry_in_seconds: int | None
) -> None:
    """Count a failed attempt; retry after ``retry_in_seconds``, or give up when None."""
    conn.execute(
        """UPDATE mail_outbox SET attempts = attempts + 1, last_error = %s,
                  next_attempt_at = now() + make_interval(secs => coalesce(%s, 0)),
                  given_up_at = CASE WHEN %s::int IS NULL THEN now() END,
                  body_text = CASE WHEN %s::int IS NULL THEN '' ELSE body_text END,
                  body_html = CASE WHEN %s::int IS NULL THEN '' ELSE body_html END
           WHERE id = %s""",
        (
            error[:1000],
            retry_in_seconds,
            retry_in_seconds,
            retry_in_seconds,
            retry_in_seconds,
            mail_id,
        ),
    )
