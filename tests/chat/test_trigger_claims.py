"""The message trigger's PostgreSQL statement (db/message_delivery.py) under duplicate and
concurrent delivery, its round trips counted on the wire, and the scheduled purge of old
claims (processed_events)."""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
from psycopg import pq

from tests.chat.test_triggers import _post, _pushes
from tests.support.firebase import eventually


def _display_name(db, uid: str) -> str:
    return db.execute("SELECT display_name FROM users WHERE id = %s", (uid,)).fetchone()[
        "display_name"
    ]


def _message(sender: str, text: str, mentions: list[str]) -> dict:
    return {"senderId": sender, "text": text, "mentions": mentions, "createdAt": datetime.now(UTC)}


def test_concurrent_deliveries_of_one_message_push_once(person, db, functions_host, functions_env):
    """Four deliveries of the same message at once: one wins the claim and gets the push
    recipients; all get the same number, learn who to notify and the sender's name."""
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    room_id = alice.ok("createRoom", {"name": "Claims", "isPrivate": False})["roomId"]
    for p in (bob, carol):
        p.ok("joinRoom", {"roomId": room_id})
    carol.ok("muteRoom", {"roomId": room_id, "notify": "none"})

    from chat import messages  # the functions' own code, in this process
    from db import pool

    message_id = str(uuid.uuid4())
    message = _message(alice.uid, "@bob @carol", [bob.uid, carol.uid])
    results = []
    start = threading.Barrier(4)

    def deliver() -> None:
        start.wait()
        with pool.autocommit() as conn:
            results.append(messages.deliver(conn, room_id, message_id, alice.uid, message))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(results) == 4
    pushed = [result.pushes for result in results if result.pushes]
    # bob is mentioned (joiners hear of mentions), carol is muted, alice sent it
    assert pushed == [{bob.uid: [f"fcm-token-{bob.uid}"]}]
    assert len({result.seq for result in results}) == 1
    numbered = db.execute(
        "SELECT count(*) AS n FROM message_sequence WHERE room_id = %s AND message_id = %s",
        (room_id, message_id),
    ).fetchone()["n"]
    room_seq = db.execute("SELECT message_seq FROM rooms WHERE id = %s", (room_id,)).fetchone()
    assert (numbered, room_seq["message_seq"]) == (1, results[0].seq)  # no number skipped
    # one missed-message row, for bob (carol muted the room), added by the claim's winner
    missed = db.execute(
        "SELECT user_id::text AS user_id FROM missed_messages WHERE message_id = %s",
        (message_id,),
    ).fetchall()
    assert [row["user_id"] for row in missed] == [bob.uid]
    for result in results:
        assert result.sender_name == _display_name(db, alice.uid)
        assert result.notify == {bob.uid: "mentions", carol.uid: "none"}


def test_a_message_nobody_gets_a_push_for_leaves_no_claim(
    person, db, functions_host, functions_env
):
    alice, bob = person("alice"), person("bob")  # bob has no device
    room_id = alice.ok("createRoom", {"name": "Quiet", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})

    from chat import messages
    from db import pool

    message_id = str(uuid.uuid4())
    with pool.autocommit() as conn:
        done = messages.deliver(conn, room_id, message_id, alice.uid, _message(alice.uid, "hi", []))
    assert (done.pushes, done.notify) == ({}, {})
    claims = db.execute(
        "SELECT count(*) AS n FROM processed_events WHERE event_id = %s",
        (f"push:{room_id}/{message_id}",),
    ).fetchone()["n"]
    assert claims == 0


@contextmanager
def _traced_transactions(monkeypatch, transactions: list[dict]) -> Iterator[None]:
    """Every connection the functions' code takes from its pool in this process
    (``pool.transaction()``, ``pool.autocommit()``), traced by libpq: each records its round
    trips (a simple ``Query`` or an extended-protocol ``Sync`` the client sends, each
    answered before the next) and what was sent."""
    from db import pool

    def traced(real):
        @contextmanager
        def borrow():
            with real() as conn, tempfile.TemporaryFile("w+") as trace:
                conn.pgconn.trace(trace.fileno())
                conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
                try:
                    yield conn
                    conn.commit()  # inside the trace, as the pool would do it just after
                finally:
                    conn.pgconn.untrace()
                    trace.seek(0)
                    text = trace.read()  # a statement's lines follow its Parse line
                    sent = [line.split("\t") for line in text.splitlines()]
                    sent = [fields for fields in sent if len(fields) > 2 and fields[0] == "F"]
                    transactions.append(
                        {
                            "round_trips": sum(fields[2] in ("Query", "Sync") for fields in sent),
                            "text": text,
                        }
                    )

        return borrow

    monkeypatch.setattr(pool, "transaction", traced(pool.transaction))
    monkeypatch.setattr(pool, "autocommit", traced(pool.autocommit))
    yield  # monkeypatch puts them back after the test


def test_a_delivered_message_costs_one_statement_in_one_round_trip(
    person, admin_db, functions_host, functions_env, monkeypatch
):
    """Counted on the wire: per message, one statement on its own (its own transaction, no
    BEGIN or COMMIT): one round trip; the summary and room-list rows read PostgreSQL once
    per write, at most once a second per room."""
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    room_id = alice.ok("createRoom", {"name": "Trips", "isPrivate": False})["roomId"]
    for p in (bob, carol):
        p.ok("joinRoom", {"roomId": room_id})
    posted = [_post(alice, room_id, f"@bob number {n}", mentions=[bob.uid]) for n in range(3)]
    eventually(lambda: all(_pushes(functions_host, m) for m in posted))
    documents = {
        m: admin_db.document(f"rooms/{room_id}/messages/{m}").get().to_dict() for m in posted
    }

    from chat import messages, summaries

    transactions: list[dict] = []
    fresh = [str(uuid.uuid4()) for _ in range(3)]
    began = time.monotonic()
    with _traced_transactions(monkeypatch, transactions):
        for message_id in posted:  # redelivered: already numbered and claimed
            assert messages.on_message_created(room_id, message_id, documents[message_id]) == (
                "delivered"
            )
        for message_id in fresh:  # first deliveries (of messages only this test knows)
            message = _message(alice.uid, "@bob again", [bob.uid])
            assert messages.on_message_created(room_id, message_id, message) == "delivered"
    elapsed = time.monotonic() - began

    deliveries = [t for t in transactions if "processed_events" in t["text"]]
    others = [t for t in transactions if "processed_events" not in t["text"]]
    assert len(deliveries) == 6
    assert [t["round_trips"] for t in deliveries] == [1] * 6
    assert not any('"BEGIN"' in t["text"] for t in deliveries)
    # The summary's reads: one per write attempt, and an attempt waits out the interval
    # since the summary's last update (one more may race the functions host's own trigger).
    assert all("memberships" in t["text"] and t["round_trips"] == 1 for t in others)
    assert len(others) <= elapsed / summaries.SUMMARY_INTERVAL + 2
    summary = admin_db.document(f"roomActivity/{room_id}").get().to_dict()
    assert summary["lastMessage"]["id"] == fresh[-1]


def test_a_redelivered_mention_notifies_and_pushes_once(
    person, db, admin_db, functions_host, functions_env
):
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    room_id = alice.ok("createRoom", {"name": "Again", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    message_id = _post(alice, room_id, "@bob again?", mentions=[bob.uid])
    eventually(lambda: _pushes(functions_host, message_id))
    message = admin_db.document(f"rooms/{room_id}/messages/{message_id}").get().to_dict()

    from chat import messages

    assert messages.on_message_created(room_id, message_id, message) == "delivered"
    notes = admin_db.collection(f"users/{bob.uid}/notifications").get()
    assert [(n.id, n.get("type"), n.get("senderName")) for n in notes] == [
        (f"{room_id}_{message_id}", "mention", _display_name(db, alice.uid))
    ]
    assert len(_pushes(functions_host, message_id)) == 1


def test_the_schedule_purges_claims_older_than_the_redelivery_horizon(
    db, functions_host, functions_env
):
    from db import notifications, pool

    kept = notifications.PROCESSED_EVENTS_KEPT
    ages = {"old-1": kept + timedelta(days=2), "old-2": kept + timedelta(hours=1)}
    ages |= {"recent": kept - timedelta(hours=1), "new": timedelta(0)}
    prefix = f"purge-test:{uuid.uuid4()}:"
    for name, age in ages.items():
        db.execute(
            "INSERT INTO processed_events (event_id, processed_at) VALUES (%s, now() - %s)",
            (prefix + name, age),
        )

    def left() -> list[str]:
        rows = db.execute(
            "SELECT event_id FROM processed_events WHERE event_id LIKE %s ORDER BY event_id",
            (prefix + "%",),
        ).fetchall()
        return [row["event_id"].removeprefix(prefix) for row in rows]

    with pool.transaction() as conn:  # a run deletes at most its batch, oldest first
        notifications.purge_processed_events(conn, batch=1)
    assert left() == ["new", "old-2", "recent"]
    run = httpx.post(functions_host.functions_url("applyOutbox"), timeout=120)
    assert run.status_code == 200
    assert left() == ["new", "recent"]
