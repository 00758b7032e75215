"""The WebChannel protocol on the wire, request by request, as the browser SDK's WebChannel
client sends it (what the Playwright tests exercise end to end)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from emulators.firestore.transports.webchannel.session import DROPPED_GRACE_SECONDS
from tests.emulators.firestore_browser.webchannel_client import (
    DB,
    DOCS,
    FORM,
    Channel,
    commit_as_owner,
    form_body,
    listen_to,
    note_write,
    parse_chunks,
)


def test_listen_handshake_long_polling_and_terminate(firestore_url: str, id_tokens: dict) -> None:
    channel = Channel(firestore_url, "Listen")
    opened = channel.open([listen_to(f"{DOCS}/notes/a")], id_tokens["alice"])
    assert opened.status_code == 200
    assert opened.headers["content-type"].startswith("text/plain")

    initial = channel.messages_until(
        lambda m: m.get("targetChange", {}).get("targetChangeType") == "CURRENT"
    )
    assert initial[0]["targetChange"] == {"targetChangeType": "ADD", "targetIds": [2]}

    commit_as_owner(firestore_url, [note_write("a", "alice")])
    changed = channel.messages_until(lambda m: "documentChange" in m)
    change = next(m for m in changed if "documentChange" in m)["documentChange"]
    assert change["document"]["name"] == f"{DOCS}/notes/a"
    assert change["targetIds"] == [2]

    # Forward channel: removing the target is acknowledged with the back-channel state.
    ack = channel.send([{"database": DB, "removeTarget": 2}])
    assert ack.status_code == 200
    [[present, last_array_id, outstanding]] = parse_chunks(ack.text)
    assert present == 1
    assert last_array_id >= channel.last_array_id
    assert outstanding >= 0
    removed = channel.messages_until(
        lambda m: m.get("targetChange", {}).get("targetChangeType") == "REMOVE"
    )
    assert removed

    assert channel.terminate().status_code == 200
    after = channel.send([{"database": DB, "removeTarget": 2}])
    assert after.status_code == 400
    assert after.text.index("Unknown SID") > 0  # where the WebChannel client looks for it


def test_idle_long_poll_answers_with_a_noop(firestore_url: str, id_tokens: dict) -> None:
    channel = Channel(firestore_url, "Listen")
    channel.open([listen_to(f"{DOCS}/notes/quiet")], id_tokens["alice"])
    channel.messages_until(lambda m: m.get("targetChange", {}).get("targetChangeType") == "CURRENT")
    while channel.poll(timeout_ms=200) != [[channel.last_array_id, ["noop"]]]:
        pass  # drain whatever followed CURRENT until the channel is idle
    started = time.monotonic()
    arrays = channel.poll(timeout_ms=300)
    assert [payload for _id, payload in arrays] == [["noop"]]
    assert time.monotonic() - started < 5
    channel.terminate()


def test_streaming_back_channel_delivers_changes_as_they_happen(
    firestore_url: str, id_tokens: dict
) -> None:
    channel = Channel(firestore_url, "Listen")
    channel.open([listen_to(f"{DOCS}/notes/live")], id_tokens["alice"])
    params = {**channel.session_params(), "RID": "rpc", "AID": 0, "CI": "0", "TYPE": "xmlhttp"}
    seen: list = []
    with httpx.stream("GET", channel.url, params=params, timeout=30) as response:
        assert response.status_code == 200
        buffer = ""
        committed = False
        for text in response.iter_text():
            buffer += text
            try:
                chunks = parse_chunks(buffer)
            except (ValueError, json.JSONDecodeError):
                continue  # a chunk split across reads
            buffer = ""
            seen += [payload for chunk in chunks for _id, payload in chunk]
            current = any(
                p != ["noop"] and p[0].get("targetChange", {}).get("targetChangeType") == "CURRENT"
                for p in seen
            )
            if current and not committed:
                commit_as_owner(firestore_url, [note_write("live", "alice")])
                committed = True
            if any(p != ["noop"] and "documentChange" in p[0] for p in seen):
                break
    assert committed
    assert any(p != ["noop"] and "documentChange" in p[0] for p in seen)
    channel.terminate()


def test_a_session_whose_client_dropped_its_back_channel_closes(
    firestore_url: str, id_tokens: dict
) -> None:
    """A closed tab drops its streaming back channel without a terminate: its listeners end
    (and stop being billed) once the grace has passed, as production's streams end with
    their connection. A back channel the emulator answered keeps the session."""
    answered = Channel(firestore_url, "Listen")
    answered.open([listen_to(f"{DOCS}/notes/kept")], id_tokens["alice"])
    answered.poll(timeout_ms=200)

    dropped = Channel(firestore_url, "Listen")
    dropped.open([listen_to(f"{DOCS}/notes/gone")], id_tokens["alice"])
    params = {**dropped.session_params(), "RID": "rpc", "AID": 0, "CI": "0", "TYPE": "xmlhttp"}
    with httpx.stream("GET", dropped.url, params=params, timeout=30) as response:
        assert response.status_code == 200
        next(response.iter_bytes())  # the channel is open; then the client goes away

    time.sleep(DROPPED_GRACE_SECONDS + 1.5)
    after = dropped.send([{"database": DB, "removeTarget": 2}])
    assert after.status_code == 400 and "Unknown SID" in after.text
    assert answered.send([{"database": DB, "removeTarget": 2}]).status_code == 200
    answered.terminate()


def test_write_channel_handshake_commits_and_rule_errors(
    firestore_url: str, id_tokens: dict
) -> None:
    channel = Channel(firestore_url, "Write")
    channel.open([{"database": DB}], id_tokens["alice"])
    [handshake] = channel.messages_until(lambda m: "streamToken" in m)
    assert handshake["streamId"]
    token = handshake["streamToken"]

    channel.send([{"streamToken": token, "writes": [note_write("w1", "alice")]}])
    results = channel.messages_until(lambda m: "writeResults" in m)
    response = next(m for m in results if "writeResults" in m)
    assert response["commitTime"].endswith("Z")
    assert response["writeResults"][0]["transformResults"][0]["timestampValue"]
    assert response["streamToken"] != token

    # A write the rules refuse ends the stream with PERMISSION_DENIED.
    channel.send([{"streamToken": response["streamToken"], "writes": [note_write("w2", "bob")]}])
    errors = channel.messages_until(lambda m: "error" in m)
    error = next(m for m in errors if "error" in m)["error"]
    assert error["status"] == "PERMISSION_DENIED"
    assert error["code"] == 403
    channel.terminate()


def test_retransmitted_messages_are_applied_once(firestore_url: str) -> None:
    channel = Channel(firestore_url, "Write")
    channel.open([{"database": DB}], "owner")
    [handshake] = channel.messages_until(lambda m: "streamToken" in m)
    increment = {
        "streamToken": handshake["streamToken"],
        "writes": [
            {
                "transform": {
                    "document": f"{DOCS}/counters/retry",
                    "fieldTransforms": [{"fieldPath": "n", "increment": {"integerValue": "1"}}],
                }
            }
        ],
    }
    channel.send([increment], offset=1)
    channel.send([increment], offset=1)  # the same map id again: a client retry
    channel.messages_until(lambda m: "writeResults" in m)
    value = httpx.get(
        f"{firestore_url}/v1/{DOCS}/counters/retry", headers={"Authorization": "Bearer owner"}
    )
    assert value.json()["fields"]["n"] == {"integerValue": "1"}
    channel.terminate()


def test_refused_credentials_arrive_as_a_stream_error(firestore_url: str) -> None:
    channel = Channel(firestore_url, "Listen")
    assert channel.open([listen_to(f"{DOCS}/notes/a")], "not-a-jwt").status_code == 200
    errors = channel.messages_until(lambda m: "error" in m)
    assert errors[0]["error"]["status"] == "UNAUTHENTICATED"
    channel.terminate()


@pytest.mark.parametrize(
    ("rpc", "params", "body", "status"),
    [
        ("Commit", {"database": DB, "VER": "8", "RID": "1"}, "count=0", 404),
        ("Listen", {"VER": "8", "RID": "1"}, "count=0", 400),
        ("Listen", {"database": DB, "VER": "7", "RID": "1"}, "count=0", 400),
        ("Listen", {"database": DB, "VER": "8", "RID": "1"}, "count=x", 400),
        ("Listen", {"database": DB, "VER": "8", "RID": "1"}, "count=1&ofs=0", 400),
        ("Listen", {"database": DB, "VER": "8", "RID": "1"}, "count=1&req0___data__=%7B", 400),
        ("Listen", {"database": DB, "VER": "8", "SID": "nope", "RID": "2"}, "count=0", 400),
    ],
)
def test_malformed_channel_requests(
    firestore_url: str, rpc: str, params: dict, body: str, status: int
) -> None:
    response = httpx.post(
        f"{firestore_url}/google.firestore.v1.Firestore/{rpc}/channel",
        params=params,
        content=body,
        headers=FORM,
    )
    assert response.status_code == status, response.text
    assert response.text


def test_channel_cors(firestore_url: str) -> None:
    origin = "http://localhost:5173"
    preflight = httpx.options(
        f"{firestore_url}/google.firestore.v1.Firestore/Listen/channel",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.is_success  # a browser accepts any 2xx preflight answer
    assert preflight.headers["access-control-allow-origin"] == origin
    channel = Channel(firestore_url, "Listen")
    opened = httpx.post(
        channel.url,
        params={"database": DB, "VER": "8", "RID": "1", "X-HTTP-Session-Id": "gsessionid"},
        content=form_body([listen_to(f"{DOCS}/notes/a")]),
        headers={**FORM, "Origin": origin},
    )
    assert opened.headers["access-control-allow-credentials"] == "true"
    assert "X-HTTP-Session-Id" in opened.headers["access-control-expose-headers"]
