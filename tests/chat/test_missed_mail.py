"""Missed-message emails, quiet hours and focus, through the real functions host: messages
written through the Firestore emulator, the trigger run by the host, the scheduled
sendMissedMessages run by a POST to its URL (as Cloud Scheduler's "force run"), mail read
from the mail emulator's HTTP API, pushes from the notifier's local record (FCM itself
cannot be reached from here).

The delay (MISSED_MAIL_DELAY_SECONDS, 10 minutes) is passed by moving the rows' times back
in PostgreSQL rather than by waiting.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.chat.test_triggers import _post, _pushes
from tests.support.firebase import eventually
from tests.support.mail import Mailbox

LINK = re.compile(r"http://127\.0\.0\.1:5173/r/([0-9a-f-]{36})/m/([A-Za-z0-9]+)")
UNSUBSCRIBE = re.compile(r"(http://\S+/unsubscribe\?token=[A-Za-z0-9_\-.]+)")


@pytest.fixture
def mailbox(functions_host) -> Mailbox:
    return Mailbox(functions_host.url("mail"))


def missed_mails(mailbox: Mailbox, address: str, *, count: int | None = None) -> list[dict]:
    """Missed-message emails to ``address`` (registration mailed a confirmation link too);
    with ``count``, waits until that many arrived."""
    deadline = time.monotonic() + 20
    while True:
        found = [m for m in mailbox.to(address) if "unread message" in m["Subject"]]
        if count is None or len(found) >= count or time.monotonic() > deadline:
            return [mailbox.message(m["ID"]) for m in found]
        time.sleep(0.1)


def email_of(db, uid: str) -> str:
    return db.execute("SELECT email FROM users WHERE id = %s", (uid,)).fetchone()["email"]


def missed_rows(db, uid: str) -> list[str]:
    rows = db.execute(
        "SELECT message_id FROM missed_messages WHERE user_id = %s ORDER BY created_at", (uid,)
    ).fetchall()
    return [row["message_id"] for row in rows]


def let_the_delay_pass(db, uid: str) -> None:
    """As if MISSED_MAIL_DELAY_SECONDS (and the time since the last email) had passed."""
    db.execute(
        "UPDATE missed_messages SET created_at = created_at - interval '11 minutes'"
        " WHERE user_id = %s",
        (uid,),
    )
    db.execute(
        "UPDATE notification_settings"
        " SET last_missed_mail_at = last_missed_mail_at - interval '11 minutes'"
        " WHERE user_id = %s",
        (uid,),
    )


def run_schedule(functions_host) -> None:
    run = httpx.post(functions_host.functions_url("sendMissedMessages"), timeout=60)
    assert run.status_code == 200, run.text


def quiet_now() -> dict:
    """Quiet hours around the present moment, in UTC."""
    now = datetime.now(UTC)
    return {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=1)).strftime("%H:%M"),
        "timeZone": "UTC",
    }


def group_with(person, owner, *members) -> str:
    room_id = owner.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    for member in members:
        member.ok("joinRoom", {"roomId": room_id})
    return room_id


def test_unread_mentions_and_direct_messages_arrive_in_one_email_with_links(
    person, db, mailbox, functions_host
):
    alice, bob = person("alice"), person("bob")
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    group = group_with(person, alice, bob)
    first = _post(alice, direct, "are you there?")
    second = _post(alice, group, "@bob <b>look</b> at this", mentions=[bob.uid])
    third = _post(alice, direct, "ping")
    plain = _post(alice, group, "no mention here")
    eventually(lambda: len(missed_rows(db, bob.uid)) == 3)
    assert plain not in missed_rows(db, bob.uid)

    run_schedule(functions_host)  # not due yet: nothing is sent
    time.sleep(0.5)
    assert missed_mails(mailbox, email_of(db, bob.uid)) == []

    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    [mail] = missed_mails(mailbox, email_of(db, bob.uid), count=1)
    assert mail["Subject"] == "3 unread messages on FlowChat"
    links = LINK.findall(mail["Text"])
    assert sorted(links) == sorted([(direct, first), (group, second), (direct, third)])
    for room_id, message_id in links:
        assert f'href="http://127.0.0.1:5173/r/{room_id}/m/{message_id}"' in mail["HTML"]
    assert "<b>look</b>" in mail["Text"]
    assert "&lt;b&gt;look&lt;/b&gt;" in mail["HTML"]  # previews are escaped in HTML

    raw = httpx.get(f"{functions_host.url('mail')}/api/v1/message/{mail['ID']}/raw").text
    headers = email.message_from_string(raw, policy=email.policy.default)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [link] = set(UNSUBSCRIBE.findall(mail["Text"]))
    assert headers["List-Unsubscribe"] == f"<{link}>"

    # The rows are taken: a later run (at-least-once scheduling) sends nothing more.
    assert missed_rows(db, bob.uid) == []
    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    time.sleep(0.5)
    assert len(missed_mails(mailbox, email_of(db, bob.uid))) == 1


def test_at_most_one_email_per_person_per_delay(person, db, mailbox, functions_host):
    alice, bob = person("alice"), person("bob")
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    _post(alice, direct, "first")
    eventually(lambda: missed_rows(db, bob.uid))
    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    missed_mails(mailbox, email_of(db, bob.uid), count=1)

    later = _post(alice, direct, "second")
    eventually(lambda: missed_rows(db, bob.uid) == [later])
    # The message is old enough, but bob was mailed less than the delay ago: it waits.
    db.execute(
        "UPDATE missed_messages SET created_at = created_at - interval '11 minutes'"
        " WHERE user_id = %s",
        (bob.uid,),
    )
    run_schedule(functions_host)
    time.sleep(1)
    assert len(missed_mails(mailbox, email_of(db, bob.uid))) == 1
    assert missed_rows(db, bob.uid) == [later]

    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    mails = missed_mails(mailbox, email_of(db, bob.uid), count=2)
    assert len(mails) == 2
    assert f"/r/{direct}/m/{later}" in mails[0]["Text"]  # newest first


def test_nothing_is_mailed_for_what_was_read_meanwhile(person, db, mailbox, functions_host):
    alice, bob = person("alice"), person("bob")
    group = group_with(person, alice, bob)
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    seen_in_bell = _post(alice, group, "@bob one", mentions=[bob.uid])
    _post(alice, direct, "two")
    eventually(lambda: len(missed_rows(db, bob.uid)) == 2)

    # The bell: bob marks the mention's notification read, as the web client does.
    bob.db.document(f"users/{bob.uid}/notifications/{group}_{seen_in_bell}").update({"read": True})
    # The room: bob reads the direct room up to the newest message (readSeq = seq).
    row = bob.db.document(f"users/{bob.uid}/rooms/{direct}")
    seq = eventually(lambda: (row.get().to_dict() or {}).get("seq"))
    row.update({"readSeq": seq})

    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    time.sleep(1)
    assert missed_mails(mailbox, email_of(db, bob.uid)) == []
    assert missed_rows(db, bob.uid) == []  # dropped, never mailed later


def test_unsubscribe_is_signed_and_works_once(person, db, mailbox, functions_host):
    alice, bob = person("alice"), person("bob")
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    _post(alice, direct, "hello")
    eventually(lambda: missed_rows(db, bob.uid))
    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    [mail] = missed_mails(mailbox, email_of(db, bob.uid), count=1)
    [link] = set(UNSUBSCRIBE.findall(mail["Text"]))
    one_click = {"List-Unsubscribe": "One-Click"}

    # A GET (a mail scanner, or the person's browser) changes nothing: it offers a button.
    page = httpx.get(link)
    assert page.status_code == 200 and 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert bob.ok("getNotificationSettings")["emailMissedMessages"] is True

    token = parse_qs(urlsplit(link).query)["token"][0]
    header, claims, signature = token.split(".")
    tampered = f"{header}.{claims}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    base = link.split("?")[0]
    refused = httpx.post(base, params={"token": tampered}, data=one_click)
    assert refused.status_code == 401
    # Without the RFC 8058 body nothing happens either.
    assert httpx.post(link, data={"x": "y"}).status_code == 400
    assert bob.ok("getNotificationSettings")["emailMissedMessages"] is True

    done = httpx.post(link, data=one_click)
    assert done.status_code == 200 and "unsubscribed" in done.text
    assert bob.ok("getNotificationSettings")["emailMissedMessages"] is False
    again = httpx.post(link, data=one_click)
    assert again.status_code == 409

    # No more emails: new direct messages are not even recorded for them.
    _post(alice, direct, "still there?")
    time.sleep(1)
    assert missed_rows(db, bob.uid) == []

    # Turned back on in the settings, the old link stays spent.
    bob.ok("updateNotificationSettings", {"emailMissedMessages": True, "quietHours": None})
    assert httpx.post(link, data=one_click).status_code == 409
    assert bob.ok("getNotificationSettings")["emailMissedMessages"] is True


def test_quiet_hours_hold_pushes_and_emails_but_not_the_bell(
    person, db, admin_db, mailbox, functions_host
):
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    quiet = quiet_now()
    settings = bob.ok(
        "updateNotificationSettings", {"emailMissedMessages": True, "quietHours": quiet}
    )
    assert settings["quietHours"] == quiet

    message_id = _post(alice, direct, "late night question")
    bell = admin_db.document(f"users/{bob.uid}/notifications/{direct}_{message_id}")
    eventually(lambda: bell.get().exists)
    assert bell.get().get("quiet") is True  # listed in the bell, not on the desktop
    eventually(lambda: missed_rows(db, bob.uid))
    time.sleep(0.5)
    assert _pushes(functions_host, message_id) == []

    let_the_delay_pass(db, bob.uid)
    run_schedule(functions_host)
    time.sleep(1)
    assert missed_mails(mailbox, email_of(db, bob.uid)) == []
    assert missed_rows(db, bob.uid) == [message_id]  # kept for after the quiet hours

    bob.ok("updateNotificationSettings", {"emailMissedMessages": True, "quietHours": None})
    run_schedule(functions_host)
    [mail] = missed_mails(mailbox, email_of(db, bob.uid), count=1)
    assert f"/r/{direct}/m/{message_id}" in mail["Text"]

    after = _post(alice, direct, "morning")
    pushes = eventually(lambda: _pushes(functions_host, after))
    assert [(p["user_id"], p["tokens"]) for p in pushes] == [(bob.uid, [f"fcm-token-{bob.uid}"])]
    assert pushes[0]["data"] == {
        "roomId": direct,
        "messageId": after,
        "title": pushes[0]["title"],
        "body": "morning",
        "link": f"/r/{direct}/m/{after}",
    }


def set_focus(functions_host, uid: str, room_id: str | None) -> None:
    """The room Bob's browser connection has open and focused (None: none), written as
    admin over the Database REST API."""
    url = f"{functions_host.url('database')}/focus/{uid}/c1.json"
    params = {"ns": f"{functions_host.project}-default-rtdb"}
    headers = {"Authorization": "Bearer owner"}
    if room_id is None:
        httpx.delete(url, params=params, headers=headers).raise_for_status()
    else:
        httpx.put(url, params=params, headers=headers, json=room_id).raise_for_status()


def test_no_push_while_the_room_is_open_and_focused(person, admin_db, functions_host):
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    other = group_with(person, alice, bob)

    set_focus(functions_host, bob.uid, direct)
    seen = _post(alice, direct, "you are looking at this")
    eventually(
        lambda: admin_db.document(f"users/{bob.uid}/notifications/{direct}_{seen}").get().exists
    )
    elsewhere = _post(alice, other, "@bob over here", mentions=[bob.uid])
    eventually(lambda: _pushes(functions_host, elsewhere))  # another room: pushed
    assert _pushes(functions_host, seen) == []  # the bell entry is written all the same

    # Focus that went (a blur, another room, a closed connection) no longer holds pushes.
    set_focus(functions_host, bob.uid, None)
    later = _post(alice, direct, "still there?")
    eventually(lambda: _pushes(functions_host, later))


def test_muted_rooms_get_no_email_and_no_push(person, db, functions_host):
    alice, bob = person("alice"), person("bob")
    bob.ok("registerDeviceToken", {"token": f"fcm-token-{bob.uid}"})
    group = group_with(person, alice, bob)
    bob.ok("muteRoom", {"roomId": group, "notify": "none"})
    message_id = _post(alice, group, "@bob muted", mentions=[bob.uid])
    time.sleep(1.5)
    assert missed_rows(db, bob.uid) == []
    assert _pushes(functions_host, message_id) == []


def test_settings_have_defaults_and_refuse_bad_values(person):
    bob = person("bob")
    assert bob.ok("getNotificationSettings") == {"emailMissedMessages": True, "quietHours": None}
    overnight = {"start": "22:00", "end": "07:30", "timeZone": "Europe/Paris"}
    saved = bob.ok(
        "updateNotificationSettings", {"emailMissedMessages": False, "quietHours": overnight}
    )
    assert saved == {"emailMissedMessages": False, "quietHours": overnight}
    assert bob.ok("getNotificationSettings") == saved
    bad = [
        {"emailMissedMessages": True, "quietHours": {**overnight, "start": "24:00"}},
        {"emailMissedMessages": True, "quietHours": {**overnight, "end": "7:30"}},
        {"emailMissedMessages": True, "quietHours": {**overnight, "end": "22:00"}},
        {"emailMissedMessages": True, "quietHours": {**overnight, "timeZone": "Mars/Olympus"}},
        {"emailMissedMessages": True, "quietHours": {**overnight, "timeZone": "x" * 65}},
        {"emailMissedMessages": "yes", "quietHours": None},
        {"emailMissedMessages": True},
        {"emailMissedMessages": True, "quietHours": None, "extra": 1},
    ]
    for data in bad:
        response = bob.call("updateNotificationSettings", data)
        assert response.status_code == 400, (data, response.text)
    assert bob.ok("getNotificationSettings") == saved
