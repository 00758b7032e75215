"""firebase_admin.db (the REST API) and plain HTTP against our emulator."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import firebase_admin
import httpx
import pytest
from firebase_admin import db, exceptions

from .support import mock_token


@pytest.fixture
def admin_app(database_server, open_namespace):
    app = firebase_admin.initialize_app(
        options={"databaseURL": f"{database_server.base_url}?ns={open_namespace}"},
        name=f"rest-{uuid.uuid4().hex[:8]}",
    )
    yield app
    firebase_admin.delete_app(app)


def test_set_get_update_push_delete(admin_app):
    root = db.reference("/", app=admin_app)
    root.child("rooms/r1").set({"name": "General", "members": {"a": True, "b": True}})
    assert root.child("rooms/r1/name").get() == "General"
    root.child("rooms/r1").update({"name": "Lobby", "members/c": True, "topic": "hi"})
    assert root.child("rooms/r1").get() == {
        "name": "Lobby",
        "topic": "hi",
        "members": {"a": True, "b": True, "c": True},
    }
    pushed = root.child("messages").push({"text": "one"})
    second = root.child("messages").push({"text": "two"})
    assert len(pushed.key) == 20 and pushed.key < second.key
    assert root.child(f"messages/{pushed.key}/text").get() == "one"
    root.child("rooms/r1/topic").delete()
    assert root.child("rooms/r1/topic").get() is None
    # arrays are stored as objects with index keys and come back as arrays
    root.child("list").set(["x", "y", "z"])
    assert root.child("list").get() == ["x", "y", "z"]
    assert root.child("list/1").get() == "y"
    # nulls and empty objects are not stored
    root.child("sparse").set({"a": None, "b": {}, "c": 1})
    assert root.child("sparse").get() == {"c": 1}


def test_server_values_over_rest(admin_app):
    ref = db.reference("/stats", app=admin_app)
    before = time.time() * 1000
    ref.set({"at": {".sv": "timestamp"}, "count": 1})
    ref.update({"count": {".sv": {"increment": 4}}})
    value = ref.get()
    assert value["count"] == 5
    assert abs(value["at"] - before) < 5000


def test_transactions_from_threads(admin_app):
    ref = db.reference("/counter", app=admin_app)
    errors = []

    def work():
        try:
            for _ in range(8):
                ref.transaction(lambda current: (current or 0) + 1)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert ref.get() == 32


def test_etags(admin_app):
    ref = db.reference("/guarded", app=admin_app)
    ref.set({"v": 1})
    value, etag = ref.get(etag=True)
    assert value == {"v": 1} and etag
    ok, _, new_etag = ref.set_if_unchanged(etag, {"v": 2})
    assert ok and new_etag != etag
    ok, current, current_etag = ref.set_if_unchanged(etag, {"v": 3})
    assert not ok and current == {"v": 2} and current_etag == new_etag
    changed, _, _ = ref.get_if_changed(new_etag)
    assert not changed


def test_get_if_changed_returns_the_new_value_and_etag(admin_app):
    """firebase-admin's get_if_changed sends If-None-Match without X-Firebase-ETag and
    reads the ETag of the answer when the value changed (issue 14, difference 14)."""
    ref = db.reference("/watched", app=admin_app)
    ref.set({"v": 1})
    _, old_etag = ref.get(etag=True)
    ref.set({"v": 2})
    changed, value, etag = ref.get_if_changed(old_etag)
    assert changed and value == {"v": 2}
    assert etag and etag != old_etag
    assert ref.get(etag=True) == ({"v": 2}, etag)


def test_queries_with_indexes(admin_app, database_server, open_namespace):
    scores = db.reference("/scores", app=admin_app)
    scores.set(
        {
            "a": {"score": 30, "name": "ann"},
            "b": {"score": 10, "name": "bob"},
            "c": {"score": 20, "name": "cat"},
            "d": {"score": 20, "name": "dan"},
        }
    )

    def by_score():  # firebase_admin queries are mutable builders
        return scores.order_by_child("score")

    assert list(by_score().get()) == ["b", "c", "d", "a"]
    assert list(by_score().limit_to_first(2).get()) == ["b", "c"]
    assert list(by_score().limit_to_last(1).get()) == ["a"]
    assert list(by_score().start_at(20).get()) == ["c", "d", "a"]
    assert list(by_score().end_at(20).get()) == ["b", "c", "d"]
    assert list(by_score().equal_to(20).get()) == ["c", "d"]
    assert list(scores.order_by_key().start_at("b").end_at("c").get()) == ["b", "c"]
    assert list(scores.order_by_child("name").limit_to_last(2).get()) == ["c", "d"]
    db.reference("/plain", app=admin_app).set({"x": 3, "y": 1, "z": 2})
    plain = db.reference("/plain", app=admin_app).order_by_value()
    assert list(plain.limit_to_first(2).get()) == ["y", "z"]
    # no .indexOn for "missing": Google's 400 and message
    with pytest.raises(exceptions.InvalidArgumentError) as raised:
        scores.order_by_child("missing").get()
    assert 'Index not defined, add ".indexOn": "missing", for path "/scores"' in str(raised.value)
    with httpx.Client(headers={"Authorization": "Bearer owner"}) as client:
        url = database_server.url("scores", open_namespace)
        response = client.get(url, params={"limitToFirst": "1", "ns": open_namespace})
        assert response.status_code == 400
        assert "orderBy must be defined" in response.json()["error"]
        response = client.get(url, params={"orderBy": "score", "ns": open_namespace})
        assert response.status_code == 400  # not JSON: must be "\"score\""
        response = client.get(
            url, params={"orderBy": '"score"', "startAfter": "20", "ns": open_namespace}
        )
        assert list(response.json()) == ["a"], response.text


def test_shallow_print_silent_and_format_export(admin_app, database_server, open_namespace):
    db.reference("/deep", app=admin_app).set({"a": {"b": 1}, "c": 2})
    assert db.reference("/deep", app=admin_app).get(shallow=True) == {"a": True, "c": 2}
    with httpx.Client(headers={"Authorization": "Bearer owner"}) as client:
        url = database_server.url("deep/c", open_namespace)
        response = client.put(url, params={"print": "silent", "ns": open_namespace}, json=5)
        assert response.status_code == 204 and response.content == b""
        client.put(
            database_server.url("deep/p", open_namespace), json={".value": 1, ".priority": 9}
        )
        exported = client.get(
            database_server.url("deep/p", open_namespace),
            params={"format": "export", "ns": open_namespace},
        )
        assert exported.json() == {".value": 1, ".priority": 9}
        response = client.post(database_server.url("deep/q", open_namespace), json={"t": 1})
        assert response.status_code == 200 and len(response.json()["name"]) == 20


# After close(), firebase_admin's reader thread trips over its own closed response
# (AttributeError inside urllib3); that is the client library, not the server.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_listen_streams_puts_and_patches(admin_app):
    ref = db.reference("/feed", app=admin_app)
    ref.set({"first": 1})
    events: queue.Queue = queue.Queue()
    registration = ref.listen(lambda event: events.put((event.event_type, event.path, event.data)))
    try:
        assert events.get(timeout=10) == ("put", "/", {"first": 1})
        ref.child("second").set(2)
        assert events.get(timeout=10) == ("put", "/second", 2)
        ref.update({"third": 3, "nested/fourth": 4})
        assert events.get(timeout=10) == ("patch", "/", {"third": 3, "nested/fourth": 4})
        ref.child("nested").update({"fifth": 5})
        assert events.get(timeout=10) == ("patch", "/nested", {"fifth": 5})
        ref.delete()
        assert events.get(timeout=10) == ("put", "/", None)
    finally:
        # close() joins a reader thread blocked until the next event (keep-alives come
        # every 30 s, as from Google's server); a write wakes it at once.
        closer = threading.Thread(target=registration.close)
        closer.start()
        time.sleep(0.2)
        ref.child("wake").set(True)
        closer.join(40)


def test_client_rules_over_rest(database_server, namespace):
    """The repository's presence rules, enforced for REST clients carrying ID tokens."""
    alice = {"auth": mock_token("alice"), "ns": namespace}
    online = {"state": "online", "lastChanged": {".sv": "timestamp"}}
    with httpx.Client(timeout=10) as client:
        own = database_server.url("status/alice/c1", namespace)
        response = client.put(own, params=alice, json=online)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "online"
        # another user's node
        other = database_server.url("status/bob/c1", namespace)
        response = client.put(other, params=alice, json=online)
        assert response.status_code == 401
        assert response.json() == {"error": "Permission denied"}
        # the same through an Authorization header
        bearer = {"Authorization": f"Bearer {mock_token('alice')}"}
        response = client.put(other, headers=bearer, json=online)
        assert response.status_code == 401
        # wrong shape, client clock
        response = client.put(own, params=alice, json={"state": "online", "lastChanged": 1})
        assert response.status_code == 401
        # signed out
        assert client.get(database_server.url("status/alice", namespace)).status_code == 401
        assert client.put(own, json=online).status_code == 401
        # signed in readers may read a user's status, not the whole list
        bob = {"auth": mock_token("bob"), "ns": namespace}
        response = client.get(database_server.url("status/alice", namespace), params=bob)
        assert response.status_code == 200 and set(response.json()) == {"c1"}
        assert client.get(database_server.url("status", namespace), params=bob).status_code == 401
        # a multi-path PATCH that touches another user is refused as a whole
        patch = {"alice/c2": online, "bob/c2": online}
        response = client.patch(database_server.url("status", namespace), params=alice, json=patch)
        assert response.status_code == 401
        assert database_server.admin_get("status", namespace) == {
            "alice": {"c1": database_server.admin_get("status/alice/c1", namespace)}
        }
        # a streaming listen without read access is refused before it starts
        response = client.get(
            database_server.url("status", namespace),
            params=bob,
            headers={"Accept": "text/event-stream"},
        )
        assert response.status_code == 401


def test_auth_variable_override_applies_rules(database_server, namespace):
    app = firebase_admin.initialize_app(
        options={
            "databaseURL": f"{database_server.base_url}?ns={namespace}",
            "databaseAuthVariableOverride": {"uid": "alice"},
        },
        name=f"override-{uuid.uuid4().hex[:8]}",
    )
    try:
        own = db.reference("/status/alice/c1", app=app)
        own.set({"state": "online", "lastChanged": {".sv": "timestamp"}})
        assert own.get()["state"] == "online"
        with pytest.raises(exceptions.UnauthenticatedError):
            db.reference("/status/bob/c1", app=app).set({"state": "online"})
    finally:
        firebase_admin.delete_app(app)


def test_bad_input_gets_clear_errors(database_server, open_namespace):
    admin = {"Authorization": "Bearer owner"}
    with httpx.Client(headers=admin, timeout=10) as client:
        url = database_server.url("x", open_namespace)
        response = client.put(url, content=b"{not json")
        assert response.status_code == 400
        assert "couldn't parse JSON" in response.json()["error"]
        response = client.put(url, json={"bad.key": 1})
        assert response.status_code == 400 and "bad.key" in response.json()["error"]
        response = client.put(f"{database_server.base_url}/a$b.json?ns={open_namespace}", json=1)
        assert response.status_code == 400
        response = client.patch(url, json=[1, 2])
        assert response.status_code == 400
        response = client.patch(url, json={"a": 1, "a/b": 2})
        assert response.status_code == 400 and "ancestor" in response.json()["error"]
        response = client.put(url, json={"n": {".sv": "nonsense"}})
        assert response.status_code == 400
        response = client.get(f"{database_server.base_url}/x?ns={open_namespace}")
        assert response.status_code == 404
        # clients that cannot send PATCH use POST with an override
        response = client.post(
            url, headers={"X-HTTP-Method-Override": "PATCH"}, json={"patched": True}
        )
        assert response.status_code == 200
        assert database_server.admin_get("x", open_namespace) == {"patched": True}
    with httpx.Client(timeout=10) as client:
        response = client.get(url, params={"auth": "not-a-token", "ns": open_namespace})
        assert response.status_code == 401
        assert response.json() == {"error": "Could not parse auth token."}
        expired = mock_token("alice", iat=1000, exp=2000)
        assert client.get(url, params={"auth": expired, "ns": open_namespace}).status_code == 401


def test_rules_settings_endpoint_and_reset(database_server, namespace):
    rules_url = f"{database_server.base_url}/.settings/rules.json"
    with httpx.Client(timeout=10) as client:
        assert client.put(rules_url, params={"ns": namespace}, content=b"{}").status_code == 401
        admin = {"Authorization": "Bearer owner"}
        bad = client.put(
            rules_url,
            params={"ns": namespace},
            headers=admin,
            content=b'{"rules": {".read": "auth.uid =="}}',
        )
        assert bad.status_code == 400 and ".read" in bad.json()["error"]
        not_boolean = client.put(
            rules_url,
            params={"ns": namespace},
            headers=admin,
            content=b'{"rules": {"a": {".read": "data.child(\'x\').val() + 1"}}}',
        )
        assert not_boolean.status_code == 400
        assert "rules/a/.read: Expression must evaluate to a boolean" in not_boolean.json()["error"]
        for rules in (
            b'{"rules": {".read": "newData.exists()"}}',  # no newData in reads
            b'{"rules": {".read": "$who == auth.uid"}}',  # no such $variable here
            b'{"rules": {".raed": true}}',
            b'{"rules": {"$a": {}, "$b": {}}}',
            b'{"rules": {".read": "auth.uid.matches(/x/g)"}}',  # only the i flag
        ):
            response = client.put(rules_url, params={"ns": namespace}, headers=admin, content=rules)
            assert response.status_code == 400, rules
        good = client.put(
            rules_url,
            params={"ns": namespace},
            headers=admin,
            content=b'{"rules": {".read": true, // comments are allowed\n ".write": true}}',
        )
        assert good.status_code == 200
        assert client.get(rules_url, params={"ns": namespace}, headers=admin).json() == {
            "rules": {".read": True, ".write": True}
        }
        assert client.put(database_server.url("open", namespace), json=1).status_code == 200
        reset = client.post(f"{database_server.base_url}/.emulator/reset", params={"ns": namespace})
        assert reset.status_code == 204
        assert database_server.admin_get("open", namespace) is None
        # reset also restores the rules of database.rules.json
        assert client.put(database_server.url("open", namespace), json=1).status_code == 401


def test_rules_file_reloads_when_it_changes(database_server, namespace):
    original = database_server.rules_path.read_text()
    url = database_server.url("scratch", namespace)
    try:
        assert httpx.put(url, json=1).status_code == 401
        database_server.rules_path.write_text(
            json.dumps({"rules": {"scratch": {".read": True, ".write": True}}})
        )

        def allowed():
            return httpx.put(url, json=1).status_code == 200

        deadline = time.monotonic() + 10
        while not allowed() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert allowed()
        # a broken file is reported and the previous rules stay in force
        database_server.rules_path.write_text('{"rules": {".read": "bad ==="}}')
        time.sleep(1.5)
        assert allowed()
    finally:
        database_server.rules_path.write_text(original)
        time.sleep(1.5)
    assert httpx.put(url, json=1).status_code == 401


def read_events(lines, count: int) -> list[tuple[str, object]]:
    """The next ``count`` server-sent events from a response's line iterator."""
    events: list[tuple[str, object]] = []
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line[len("event: ") :]
        elif line.startswith("data: "):
            events.append((kind, json.loads(line[len("data: ") :])))
            if len(events) == count:
                return events
    return events


def test_event_stream_cancel_and_auth_revoked(database_server, namespace):
    database_server.set_rules(
        namespace,
        {"rules": {"rooms": {"$room": {".read": "data.child('members').hasChild(auth.uid)"}}}},
    )
    database_server.admin_put("rooms/r1", namespace, {"members": {"jo": True}, "t": 1})
    stream_headers = {"Accept": "text/event-stream"}
    url = database_server.url("rooms/r1", namespace)
    with httpx.Client(timeout=30) as client:
        # rules stop allowing the read: the stream is cancelled
        jo = {"auth": mock_token("jo"), "ns": namespace}
        with client.stream("GET", url, params=jo, headers=stream_headers) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            assert read_events(lines, 1) == [
                ("put", {"path": "/", "data": {"members": {"jo": True}, "t": 1}})
            ]
            database_server.admin_put("rooms/r1/members", namespace, {"kim": True})
            assert read_events(lines, 1) == [("cancel", "Permission denied")]
        # the ID token expires: auth_revoked, with the text firebase_admin looks for
        now = int(time.time())
        kim = {"auth": mock_token("kim", iat=now, exp=now + 2), "ns": namespace}
        with client.stream("GET", url, params=kim, headers=stream_headers) as response:
            assert response.status_code == 200
            first, revoked = read_events(response.iter_lines(), 2)
            assert first[0] == "put"
            assert revoked == ("auth_revoked", "credential is no longer valid")


def test_admin_sdk_with_emulator_host_variable(database_server, namespace, monkeypatch):
    monkeypatch.setenv("FIREBASE_DATABASE_EMULATOR_HOST", database_server.address)
    app = firebase_admin.initialize_app(
        options={"databaseURL": f"https://{namespace}.firebaseio.com"},
        name=f"env-{uuid.uuid4().hex[:8]}",
    )
    try:
        # admin: the repository's closed rules do not apply
        db.reference("/closed", app=app).set({"by": "admin"})
        assert db.reference("/closed/by", app=app).get() == "admin"
    finally:
        firebase_admin.delete_app(app)
    assert database_server.admin_get("closed", namespace) == {"by": "admin"}
