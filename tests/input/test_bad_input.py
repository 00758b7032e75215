"""Bad input gets 400 INVALID_ARGUMENT naming the problem, never a 500: NUL characters and
unpaired surrogates (which PostgreSQL cannot store), nesting too deep to parse, numbers JSON
cannot carry, and bodies a callable cannot parse."""

from __future__ import annotations

import http.client
import json
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from google.cloud import firestore

from tests.input.catalog import declared_functions, foreign_id_token
from tests.support.accounts import new_account
from tests.support.firebase import call, eventually

DEEP = b"[" * 20_000 + b"]" * 20_000


def _raw(client: httpx.Client, path: str, body: bytes, **headers: str) -> httpx.Response:
    return client.post(path, content=body, headers={"Content-Type": "application/json", **headers})


def _assert_invalid(response: httpx.Response, field: str | None = None) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT", error
    if field is not None:
        assert error["message"].startswith(f"{field}: "), error


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/login", {"login": "ali\x00ce", "password": "whatever you like"}, "login"),
        ("/login", {"login": "alice", "password": "pass\x00word"}, "password"),
        (
            "/register",
            {
                "email": "a\x00b@example.com",
                "username": "nul_user",
                "password": "p" * 12,
                "displayName": "N",
            },
            "email",
        ),
        ("/login", {"login": "\ud800", "password": "whatever you like"}, "login"),
        ("/login", {"login": "alice", "password": "x", "\x00": 1}, "body"),
        ("/refresh", {"refreshToken": "tok\udfffen"}, "refreshToken"),
    ],
)
def test_unstorable_text_in_any_field_is_refused(api, path, body, field):
    _assert_invalid(_raw(api, path, json.dumps(body).encode()), field)


def test_unstorable_text_reaches_no_authenticated_function(api):
    token = new_account(api)["accessToken"]
    auth = {"Authorization": f"Bearer {token}"}
    _assert_invalid(
        api.get("/getProfile", params={"username": "bob\x00"}, headers=auth), "username"
    )
    _assert_invalid(
        _raw(api, "/getProfile", json.dumps({"username": "\ud800"}).encode(), **auth), "username"
    )
    _assert_invalid(
        _raw(api, "/updateProfile", json.dumps({"bio": "hi\x00"}).encode(), **auth), "bio"
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (DEEP, "nest deeper"),
        (b'{"login": ' + b"[" * 40 + b"]" * 40 + b', "password": "x"}', "nest deeper"),
        (b'{"login": "a", "password": NaN}', "not valid JSON"),
        (b'{"login": "a", "password": 1' + b"0" * 5000 + b"}", "not valid JSON"),
        (b'{"login": "a", "password": 1e999}', "finite"),
        (b'{"login": "a", "password": 9007199254740993}', "between"),
        (b'{"login": "a\xff", "password": "x"}', "not valid JSON"),
    ],
)
def test_json_no_handler_should_see_is_refused(api, body, problem):
    response = _raw(api, "/login", body)
    _assert_invalid(response)
    assert problem in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"data": ', "body"),  # malformed: the SDK's own parser answered 500
        (DEEP, "body"),
        (b"[1, 2]", "body"),
        (b"7", "body"),
        (b'{"data": {"name": "a\\u0000b"}}', "name"),
        (b'{"data": {"name": "\\ud800"}}', "name"),
        (b'{"data": {"name": "x", "topic": 1e999}}', None),
        (b'{"data": {"name": "x"}, "extra": 1}', "body"),
    ],
)
def test_a_callable_answers_400_for_a_body_it_cannot_take(person, body, field):
    alice = person("alice")
    response = httpx.post(
        alice.host.functions_url("createRoom"),
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {alice.id_token}"},
        timeout=30,
    )
    _assert_invalid(response, field)


def test_a_callable_refuses_before_signing_in_too(functions_host):
    response = httpx.post(
        functions_host.functions_url("createRoom"),
        content=b'{"data": {',
        headers={"Content-Type": "application/json", "Origin": "http://127.0.0.1:5173"},
    )
    _assert_invalid(response, "body")
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://127.0.0.1:5173")


def test_unstorable_text_in_callables_is_refused(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Room"})["roomId"]
    _assert_invalid(alice.call("createRoom", {"name": "bad\x00name"}), "name")
    _assert_invalid(
        alice.call("inviteMember", {"roomId": room_id, "username": bob.username + "\x00"}),
        "username",
    )
    _assert_invalid(alice.call("createRoom", {"kind": "direct", "username": "\x00"}), "username")


def test_a_nul_in_a_header_is_refused_before_any_function(api, functions_host, db):
    """http.client sends what httpx would refuse to: a NUL inside the User-Agent. The host's
    HTTP server (waitress) refuses the request itself, as RFC 9110 (5.5) allows, so nothing
    reaches PostgreSQL; the functions' own dropping of control characters from the headers
    they store is tested in tests/functions/test_client_address.py."""
    suffix = uuid.uuid4().hex[:10]
    body = json.dumps(
        {
            "email": f"ua{suffix}@example.com",
            "username": f"ua{suffix}",
            "password": f"horse battery {suffix}",
            "displayName": "UA",
        }
    )
    url = urlsplit(functions_host.functions_url("register"))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(
            "POST",
            url.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "agent\x00x",
                "X-Forwarded-For": "127.0.0.1\x00",
            },
        )
        response = conn.getresponse()
        assert response.status == 400, response.read()
        response.read()
    finally:
        conn.close()
    row = db.execute("SELECT id FROM users WHERE username = %s", (f"ua{suffix}",)).fetchone()
    assert row is None


def test_a_message_whose_mentions_are_not_user_ids_is_still_delivered(person, admin_db):
    """A mention that is not a user id once made the trigger's PostgreSQL query fail, and
    the message lost its notifications and summary. The rules now refuse such mentions from
    clients, so the message is written with admin rights here, as data from before those
    rules (or from a bug) would be; the trigger must survive it all the same."""
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    _, ref = admin_db.collection(f"rooms/{room_id}/messages").add(
        {
            "senderId": alice.uid,
            "text": "@bob",
            "mentions": ["not-a-uuid", "\x00", bob.uid.upper(), bob.uid],
            "createdAt": firestore.SERVER_TIMESTAMP,
        }
    )
    note = f"users/{bob.uid}/notifications/{room_id}_{ref.id}"
    assert eventually(lambda: admin_db.document(note).get().exists)
    summary = eventually(
        lambda: (admin_db.document(f"roomActivity/{room_id}").get().to_dict() or {}).get(
            "lastMessage"
        )
    )
    assert summary["id"] == ref.id


@pytest.mark.parametrize("name", declared_functions()[1])
def test_a_firebase_account_flowchat_did_not_make_is_not_signed_in(functions_host, name):
    """Its uid is no user id: the callables once passed it to PostgreSQL and answered 500."""
    response = call(functions_host, name, {}, foreign_id_token())
    assert response.status_code == 401, response.text
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_http_functions_refuse_a_firebase_account_flowchat_did_not_make(functions_host):
    response = httpx.post(
        functions_host.functions_url("checkPermission"),
        json={"roomId": str(uuid.uuid4()), "action": "read"},
        headers={"Authorization": f"Bearer {foreign_id_token()}"},
    )
    assert response.status_code == 401, response.text
