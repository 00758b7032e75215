"""Queueing mail with a change, and delivering what is due.

``queue`` runs inside the caller's transaction, so a mail exists exactly when its change
does. Delivery locks each due row while it talks to the server (``FOR UPDATE SKIP
LOCKED``): two deliverers never send the same row, and a sent row is never picked again.
The one gap is a crash after the server accepted a mail and before the row is marked: the
retry then carries the same Message-ID.
"""

from __future__ import annotations

import threading

import psycopg

import logs
import settings
from db import mail_outbox, pool
from mail import compose, transport

log = logs.get(__name__)

BATCH = 20
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600


def queue(
    conn: psycopg.Connection,
    to: str,
    template: str,
    *,
    dedupe_key: str | None = None,
    headers: dict[str, str] | None = None,
    **values,
) -> int | None:
    """Render ``template`` and queue it to ``to`` with extra ``headers``; the mail's id
    (None for a duplicate)."""
    mail = compose.render(template, **values)
    return mail_outbox.add(
        conn,
        recipient=to,
        template=mail.template,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        dedupe_key=dedupe_key,
        headers=headers,
    )


def deliver_due(ids: list[int] | None = None, limit: int = BATCH) -> tuple[int, int]:
    """Send what is due (only ``ids`` when given): (sent, failed)."""
    sent = failed = 0
    while True:
        with pool.transaction() as conn:
            rows = mail_outbox.lock_due(conn, 1, ids)
            if not rows:
                return sent, failed
            row = rows[0]
            if _send_one(conn, row):
                sent += 1
            else:
                failed += 1
        if sent + failed >= limit:
            return sent, failed


def _send_one(conn: psycopg.Connection, row: dict) -> bool:
    outgoing = transport.Outgoing(
        mail_id=row["id"],
        recipient=row["recipient"],
        subject=row["subject"],
        text=row["body_text"],
        html=row["body_html"],
        headers=row["headers"],
    )
    try:
        transport.send(outgoing)
    except transport.PermanentFailure as exc:
        log.warning("mail %s given up: %s", row["id"], exc)
        mail_outbox.record_failure(conn, row["id"], str(exc), retry_in_seconds=None)
        return False
    except Exception as exc:  # the server is down, slow or said "try later"
        attempts = row["attempts"] + 1
        retry = None
        if attempts < settings.MAIL_MAX_ATTEMPTS.value:
            retry = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS)
        log.warning("mail %s failed (attempt %s), retry in %s s", row["id"], attempts, retry)
        mail_outbox.record_failure(
            conn, row["id"], f"{type(exc).__name__}: {exc}", retry_in_seconds=retry
        )
        return False
    mail_outbox.mark_sent(conn, row["id"])
    return True


def kick(ids: list[int | None]) -> None:
    """After the queueing transaction committed: try these mails now, off the request's
    path. What this misses (an instance stopped first, a server down) the scheduled
    ``deliverMail`` sends."""
    wanted = [mail_id for mail_id in ids if mail_id is not None]
    if not wanted:
        return

    def run() -> None:
        try:
            deliver_due(wanted)
        except Exception:
            log.warning(
                "immediate delivery of mails %s left to the schedule", wanted, exc_info=True
            )

    threading.Thread(target=run, name="mail-kick", daemon=True).start()
