"""The mail outbox, run in this process against real PostgreSQL and the mail emulator over
real SMTP: queued with the transaction, retried when the server is away, never sent twice."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from db import pool
from mail import outbox
from tests.support import emulators
from tests.support.emulators import free_port


@pytest.fixture
def mail_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, functions_host: emulators.EmulatorProcess
) -> Iterator[str]:
    """The functions' mail code pointed at the test database and the running mail emulator;
    yields the emulator's SMTP address."""
    smtp = f"127.0.0.1:{functions_host.ports[emulators.SMTP]}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MAIL_EMULATOR_HOST", smtp)
    pool.close()
    yield smtp
    pool.close()


def queue_one(to: str, **kwargs) -> int | None:
    with pool.transaction() as conn:
        return outbox.queue(
            conn, to, "password_reset", name="Ada", link="http://x.test/r?token=t", **kwargs
        )


def address() -> str:
    return f"outbox{uuid.uuid4().hex[:10]}@example.com"


def test_a_mail_exists_only_if_its_transaction_committed(mail_env, db, mailbox):
    to = address()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), pool.transaction() as conn:
        outbox.queue(conn, to, "password_reset", name="Ada", link="http://x.test/r?token=t")
        raise Abort
    queued = db.execute("SELECT count(*) AS n FROM mail_outbox WHERE recipient = %s", (to,))
    assert queued.fetchone()["n"] == 0


def test_a_mail_is_rendered_in_text_and_html_and_sent_once(mail_env, db, mailbox):
    to = address()
    mail_id = queue_one(to)
    assert outbox.deliver_due([mail_id]) == (1, 0)
    assert outbox.deliver_due([mail_id]) == (0, 0)
    [mail] = mailbox.wait_for(to)
    assert mail["Subject"] == "Reset your FlowChat password"
    assert "Hello Ada" in mail["Text"] and "http://x.test/r?token=t" in mail["Text"]
    assert '<a href="http://x.test/r?token=t"' in mail["HTML"]
    assert mail["MessageID"].startswith(f"mail-{mail_id}@")
    row = db.execute("SELECT * FROM mail_outbox WHERE id = %s", (mail_id,)).fetchone()
    assert row["sent_at"] is not None and row["attempts"] == 1
    assert row["body_text"] == "" and row["body_html"] == ""  # links are not kept once sent


def test_the_same_dedupe_key_queues_once(mail_env, db):
    key = f"test:{uuid.uuid4()}"
    first = queue_one(address(), dedupe_key=key)
    assert first is not None
    assert queue_one(address(), dedupe_key=key) is None


def test_concurrent_deliverers_send_each_mail_exactly_once(mail_env, mailbox):
    recipients = [address() for _ in range(6)]
    ids = [queue_one(to) for to in recipients]
    threads = [threading.Thread(target=outbox.deliver_due, args=(ids,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for to in recipients:
        assert len(mailbox.wait_for(to)) == 1
    assert outbox.deliver_due(ids) == (0, 0)
    assert all(len(mailbox.to(to)) == 1 for to in recipients)


def test_a_server_that_is_away_is_retried_later_then_sent(mail_env, monkeypatch, db, mailbox):
    to = address()
    mail_id = queue_one(to)
    monkeypatch.setenv("MAIL_EMULATOR_HOST", f"127.0.0.1:{free_port()}")  # nothing listens
    assert outbox.deliver_due([mail_id]) == (0, 1)
    row = db.execute(
        "SELECT attempts, last_error, next_attempt_at > now() AS later, sent_at FROM mail_outbox"
        " WHERE id = %s",
        (mail_id,),
    ).fetchone()
    assert row["attempts"] == 1 and row["later"] and row["sent_at"] is None
    assert "ConnectionRefusedError" in row["last_error"]
    assert outbox.deliver_due([mail_id]) == (0, 0)  # not due yet

    monkeypatch.setenv("MAIL_EMULATOR_HOST", mail_env)
    db.execute("UPDATE mail_outbox SET next_attempt_at = now() WHERE id = %s", (mail_id,))
    assert outbox.deliver_due([mail_id]) == (1, 0)
    assert len(mailbox.wait_for(to)) == 1


def test_delivery_gives_up_after_the_last_attempt(mail_env, monkeypatch, db):
    monkeypatch.setenv("MAIL_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("MAIL_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    mail_id = queue_one(address())
    for _ in range(2):
        db.execute("UPDATE mail_outbox SET next_attempt_at = now() WHERE id = %s", (mail_id,))
        assert outbox.deliver_due([mail_id]) == (0, 1)
    row = db.execute(
        "SELECT attempts, given_up_at, body_text FROM mail_outbox WHERE id = %s", (mail_id,)
    ).fetchone()
    assert row["attempts"] == 2 and row["given_up_at"] is not None and row["body_text"] == ""
