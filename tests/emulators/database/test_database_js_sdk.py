"""The Firebase JS SDK (firebase/database 12, under Node) against our emulator."""

from __future__ import annotations

import json
import signal
import time

import pytest

from .support import mock_token

pytestmark = pytest.mark.node


def test_presence_rules_as_a_client_sees_them(scenarios, namespace, database_server):
    result = scenarios.run(namespace, "presence-rules", uid="alice", other="bob")
    assert result == {
        "ownValid": "ok",
        "ownAway": "ok",
        "otherUser": "permission_denied",
        "badState": "permission_denied",
        "clientTime": "permission_denied",
        "extraKey": "permission_denied",
        "missingState": "permission_denied",
        "multiPathTouchingOther": "permission_denied",
        "multiPathOwn": "ok",
        "outsideStatus": "permission_denied",
        "readOwn": "ok",
        "readOther": "ok",
        "readAllStatus": "permission_denied",
        "readRoot": "permission_denied",
        "deleteOwn": "ok",
        "ownKeys": ["c1", "c7"],
    }
    stored = database_server.admin_get("status", namespace)
    # the denied multi-path update left nothing behind, for either user
    assert set(stored) == {"alice"}
    assert set(stored["alice"]) == {"c1", "c7"}
    assert stored["alice"]["c1"]["state"] == "away"


def test_signed_out_client_after_signed_in_one_gets_no_rights(scenarios, namespace):
    result = scenarios.run(namespace, "auth-isolation", uid="alice")
    assert result == {
        "signedInWrite": "ok",
        "signedInRead": "ok",
        "signedOutRead": "permission_denied",
        "signedOutWrite": "permission_denied",
        "signedInWriteAgain": "ok",
        "signedOutWriteAgain": "permission_denied",
        "otherUserWrite": "permission_denied",
        "otherUserRead": "ok",
    }
    # a later process, signed out, right after the signed-in writer
    later = scenarios.run(namespace, "signed-out-only", uid="alice")
    assert later == {
        "read": "permission_denied",
        "write": "permission_denied",
        "listen": "permission_denied",
    }


def test_on_disconnect_runs_after_sigkill(scenarios, namespace, database_server, until):
    holder = scenarios.start(namespace, "presence-holder", uid="carol")
    try:
        line = holder.stdout.readline()
        ready = json.loads(line)
        assert ready["ready"] is True and ready["connected"] is True
        key = ready["key"]
        entry = database_server.admin_get(f"status/carol/{key}", namespace)
        assert entry["state"] == "online"
        killed_at_ms = time.time() * 1000
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()
        holder.stderr.close()

    def offline():
        value = database_server.admin_get(f"status/carol/{key}", namespace)
        return value if value and value["state"] == "offline" else None

    entry = until(offline, timeout=15)
    assert entry, "onDisconnect did not mark the connection offline"
    # lastChanged is the server's time at disconnect, not the time of the online write
    assert entry["lastChanged"] >= killed_at_ms - 1000


def test_queries_match_the_database_orderings(scenarios, open_namespace):
    data = {
        "alice": {"score": 10, "name": "alice", "meta": {"rank": 3}},
        "bob": {"score": 20, "name": "bob", "meta": {"rank": 1}},
        "carol": {"score": 20, "name": "carol", "meta": {"rank": 2}},
        "dave": {"score": 30, "name": "dave"},
        "erin": {"score": "high", "name": "erin", "meta": {"rank": 5}},
        "frank": {"name": "frank", "meta": {"rank": 4}},
        "10": {"score": 5, "name": "ten"},
        "9": {"score": True, "name": "nine"},
    }
    result = scenarios.run(open_namespace, "queries", data=data)
    expected = {
        # missing < booleans < numbers < strings; ties by key (integer keys first)
        "byChild": ["frank", "9", "10", "alice", "bob", "carol", "dave", "erin"],
        "byChildFirst2": ["frank", "9"],
        "byChildLast2": ["dave", "erin"],
        "byChildStartAt20": ["bob", "carol", "dave", "erin"],
        "byChildStartAfter20": ["dave", "erin"],
        "byChildEndAt20": ["frank", "9", "10", "alice", "bob", "carol"],
        "byChildEndBefore20": ["frank", "9", "10", "alice"],
        "byChildEqual20": ["bob", "carol"],
        "byChildEqual20KeyTie": ["carol"],
        "byChildRangeLimit": ["carol", "dave"],
        "byChildString": ["bob", "carol"],
        "byNestedChild": ["9", "10", "dave"],
        "byKey": ["bob", "carol"],
        "byKeyAfter": ["carol", "dave"],
        "byKeyBefore": ["9", "10", "alice", "bob"],
        "byPriority": ["b", "c", "a"],
        "byPriorityStart": ["c", "a"],
        "byValue": ["z", "w", "u", "x", "y"],
        "byValueLimit": ["x", "y"],
    }
    assert result["get"] == expected
    assert result["listen"] == expected
    windows = result["liveWindows"]
    assert windows[0] == ["dave", "erin"]
    assert ["zed", "erin"] in windows  # numbers sort before strings
    assert windows[-1] == ["dave", "erin"]


def test_transactions_under_contention_end_at_the_right_count(
    scenarios, open_namespace, database_server
):
    workers, increments = 4, 10
    processes = [
        scenarios.start(
            open_namespace, "transaction-worker", path="counter", count=increments, uid=f"w{i}"
        )
        for i in range(workers)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(result["committed"] == increments for result in results)
    assert database_server.admin_get("counter", open_namespace) == workers * increments
    # contention really happened: some attempts were refused as stale and retried
    total_attempts = sum(result["attempts"] for result in results)
    assert total_attempts > workers * increments


def test_server_values_info_listeners_and_on_disconnect_operations(scenarios, open_namespace):
    result = scenarios.run(open_namespace, "features", uid="dora")
    assert result["connected"] is True
    assert result["serverTimeOffsetIsNumber"] and result["serverTimeOffsetSmall"]
    assert result["timestampNear"] is True
    assert result["incremented"] == {"n": 6.5, "m": 2}
    assert result["liveEvents"] == [None, "one", {"nested": "two"}, {"nested": "two", "more": 3}]
    assert result["childAdded"] == ["a", "b"]
    assert result["priority"] == 7
    assert result["onDisconnectMerged"] is True
    assert result["cancelledAbsent"] is True
    assert result["removedAbsent"] is True


def test_transaction_hashes_match_the_sdk_and_long_messages_are_reassembled(
    scenarios, open_namespace
):
    result = scenarios.run(open_namespace, "wire-details", uid="erin")
    # one attempt: the server's hash of the stored value equals the SDK's
    assert result == {
        "complexCommitted": True,
        "complexAttempts": 1,
        "complexF": 1.1,
        "bigLength": 100000,
    }


def test_listen_is_revoked_when_rules_stop_allowing_it(scenarios, database_server, namespace):
    database_server.set_rules(
        namespace,
        {
            "rules": {
                "rooms": {
                    "$room": {".read": "data.child('members').child(auth.uid).exists()"},
                }
            }
        },
    )
    database_server.admin_put("rooms/r1", namespace, {"members": {"frank": True}, "title": "t"})
    listener = scenarios.start(namespace, "revocation", uid="frank")
    try:
        assert json.loads(listener.stdout.readline()) == {"listening": True}
        database_server.admin_put("rooms/r1/members", namespace, {"someone": True})
        out, err = listener.communicate(timeout=30)
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.communicate()
    assert listener.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {"values": [["members", "title"]], "cancelled": "permission_denied"}


def test_expired_token_is_revoked_and_on_disconnect_runs_as_its_owner(
    scenarios, namespace, database_server, until
):
    now = int(time.time())
    token = mock_token("gina", iat=now, exp=now + 2)
    holder = scenarios.start(namespace, "presence-holder", uid="gina", token=token)
    try:
        ready = json.loads(holder.stdout.readline())
        path = f"status/gina/{ready['key']}"
        assert database_server.admin_get(path, namespace)["state"] == "online"

        # at expiry the server pushes "ac"; the SDK drops the connection, so the
        # onDisconnect write runs, with the identity that queued it
        def offline():
            value = database_server.admin_get(path, namespace)
            return value if value and value["state"] == "offline" else None

        assert until(offline, timeout=15)
    finally:
        holder.kill()
        holder.communicate()
