"""The realtime wire protocol at frame level (WebSocket and long polling), for what the SDK
rarely exercises: keepalives, multi-frame messages, ping/pong, timeouts, bad requests."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import re
import socket
import time

import httpx
from websockets.sync.client import connect

from tests.emulators.database.support import mock_token


def socket_url(database_server, namespace):
    return f"ws://{database_server.address}/.ws?ns={namespace}&v=5"


def request(socket, number, action, body):
    socket.send(json.dumps({"t": "d", "d": {"r": number, "a": action, "b": body}}))


def reply(socket, number):
    """The reply to request ``number``, skipping pushes."""
    while True:
        message = json.loads(socket.recv(timeout=10))
        if message["t"] == "d" and message["d"].get("r") == number:
            return message["d"]["b"]


def test_handshake_keepalive_frames_and_errors(database_server, open_namespace):
    with connect(socket_url(database_server, open_namespace), open_timeout=10) as socket:
        hello = json.loads(socket.recv(timeout=10))
        assert hello["t"] == "c" and hello["d"]["t"] == "h"
        handshake = hello["d"]["d"]
        assert handshake["v"] == "5" and handshake["s"]
        assert handshake["h"] == database_server.address
        assert isinstance(handshake["ts"], int)

        # the SDK's keepalive is a bare "0": nothing comes back, the socket stays usable
        socket.send("0")
        socket.send(json.dumps({"t": "c", "d": {"t": "p", "d": {}}}))
        assert json.loads(socket.recv(timeout=10)) == {"t": "c", "d": {"t": "o", "d": {}}}

        # signed out: a write is refused
        request(socket, 1, "p", {"p": "/a", "d": 1})
        assert reply(socket, 1) == {"s": "permission_denied", "d": "Permission denied"}

        # the admin credential, then a message split into three frames
        request(socket, 2, "gauth", {"cred": "owner"})
        assert reply(socket, 2)["s"] == "ok"
        message = json.dumps({"t": "d", "d": {"r": 3, "a": "p", "b": {"p": "/a", "d": "x" * 50}}})
        parts = [message[:20], message[20:40], message[40:]]
        socket.send(str(len(parts)))
        for part in parts:
            socket.send(part)
        assert reply(socket, 3) == {"s": "ok", "d": ""}
        request(socket, 4, "g", {"p": "/a"})
        assert reply(socket, 4) == {"s": "ok", "d": "x" * 50}

        # bad input gets a status, not a dropped connection
        request(socket, 5, "p", {"p": "/bad.key", "d": 1})
        assert reply(socket, 5)["s"] == "invalid_data"
        request(socket, 6, "p", {"p": "/b", "d": {"k$": 1}})
        assert reply(socket, 6)["s"] == "invalid_data"
        request(socket, 7, "zz", {})
        assert reply(socket, 7)["s"] == "invalid_request"
        request(socket, 8, "q", {"p": "/s", "q": {"l": -1, "vf": "l"}, "t": 1})
        assert reply(socket, 8)["s"] == "invalid_data"
        request(socket, 9, "auth", {"cred": "garbage"})
        assert reply(socket, 9)["s"] == "invalid_token"
        socket.send("{not json")
        assert json.loads(socket.recv(timeout=10))["d"]["t"] == "e"

        # a transaction write with a stale hash is refused; the right hash is accepted
        request(socket, 10, "gauth", {"cred": "owner"})
        assert reply(socket, 10)["s"] == "ok"
        request(socket, 11, "p", {"p": "/a", "d": "y", "h": "not-the-hash"})
        assert reply(socket, 11) == {"s": "datastale", "d": "Transaction hash does not match"}


def test_listen_pushes_and_tags(database_server, open_namespace):
    with connect(socket_url(database_server, open_namespace), open_timeout=10) as socket:
        socket.recv(timeout=10)  # handshake
        request(socket, 1, "gauth", {"cred": "owner"})
        assert reply(socket, 1)["s"] == "ok"
        request(socket, 2, "p", {"p": "/s", "d": {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}})
        assert reply(socket, 2)["s"] == "ok"
        query = {"i": "n", "l": 2, "vf": "r"}
        request(socket, 3, "q", {"p": "/s", "q": query, "t": 7, "h": ""})
        push = json.loads(socket.recv(timeout=10))
        assert push == {
            "t": "d",
            "d": {"a": "d", "b": {"p": "/s", "d": {"b": {"n": 2}, "c": {"n": 3}}, "t": 7}},
        }
        # "n" has no .indexOn: served, with the warning the SDK logs
        assert reply(socket, 3) == {"s": "ok", "d": {"w": ["no_index"]}}
        request(socket, 4, "p", {"p": "/s/d", "d": {"n": 9}})
        push = json.loads(socket.recv(timeout=10))
        assert push["d"]["b"] == {"p": "/s", "d": {"c": {"n": 3}, "d": {"n": 9}}, "t": 7}
        assert reply(socket, 4)["s"] == "ok"
        request(socket, 5, "n", {"p": "/s", "q": query, "t": 7})
        assert reply(socket, 5)["s"] == "ok"
        request(socket, 6, "p", {"p": "/s/e", "d": {"n": 10}})
        # no more pushes for the removed listen: the next message is the reply
        assert json.loads(socket.recv(timeout=10))["d"] == {"r": 6, "b": {"s": "ok", "d": ""}}


def test_silent_client_times_out_and_its_on_disconnect_runs(database_server, namespace):
    """A client that vanishes without closing its socket (no FIN, no pong): the server's
    pings go unanswered, it drops the connection and runs the onDisconnect write."""
    sock = socket.create_connection((database_server.host, database_server.port), timeout=10)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /.ws?ns={namespace}&v=5 HTTP/1.1\r\nHost: {database_server.address}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += sock.recv(4096)
        assert response.startswith(b"HTTP/1.1 101")

        def send(message: dict) -> None:
            payload = json.dumps(message).encode()
            mask = os.urandom(4)
            assert len(payload) < 65536
            header = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big")
            masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            sock.sendall(header + mask + masked)

        token = mock_token("ivan", iat=0, exp=3600)  # a mockUserToken, as the JS SDK builds
        timestamp = {".sv": "timestamp"}
        send({"t": "d", "d": {"r": 1, "a": "auth", "b": {"cred": token}}})
        offline = {"state": "offline", "lastChanged": timestamp}
        send({"t": "d", "d": {"r": 2, "a": "o", "b": {"p": "/status/ivan/c1", "d": offline}}})
        online = {"state": "online", "lastChanged": timestamp}
        send({"t": "d", "d": {"r": 3, "a": "p", "b": {"p": "/status/ivan/c1", "d": online}}})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            value = database_server.admin_get("status/ivan/c1", namespace)
            if value:
                break
            time.sleep(0.05)
        assert value["state"] == "online"
        went_silent = time.monotonic()
        # from here on the client reads nothing and answers no ping
        deadline = went_silent + 30
        while time.monotonic() < deadline:
            value = database_server.admin_get("status/ivan/c1", namespace)
            if value["state"] == "offline":
                break
            time.sleep(0.2)
        assert value["state"] == "offline"
        assert time.monotonic() - went_silent < 25
    finally:
        sock.close()


def test_long_poll_protocol(database_server, open_namespace):
    """/.lp at script level: start, segmented messages, held polls, ping."""
    base = f"{database_server.base_url}/.lp"
    with httpx.Client(timeout=30) as client:
        assert client.get(base, params={"start": "t", "cb": "x);alert(1"}).status_code == 400
        assert client.get(base, params={"id": "nope", "pw": "nope", "ser": "1"}).status_code == 404
        start = client.get(base, params={"start": "t", "cb": "7", "ser": "1", "ns": open_namespace})
        assert start.headers["content-type"].startswith("text/javascript")
        command = re.match(r'window\.parent\.pLPCommand7\("start", "(\w+)", "(\w+)"\);', start.text)
        assert command, start.text
        lp_id, password = command.groups()
        packet = re.search(r"window\.parent\.pRTLPCB7\(0,(.*)\);$", start.text).group(1)
        assert json.loads(packet)[0]["d"]["t"] == "h"

        def encode(message: dict) -> str:
            raw = base64.urlsafe_b64encode(json.dumps(message).encode()).decode()
            return raw.replace("=", ".")

        # one message split over two segments, sent in two polls, the second one first
        auth = encode({"t": "d", "d": {"r": 1, "a": "gauth", "b": {"cred": "owner"}}})
        first, second = auth[:10], auth[10:]
        session = {"id": lp_id, "pw": password}
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            early = pool.submit(
                client.get,
                base,
                params={**session, "ser": "3", "seg0": "1", "ts0": "2", "d0": second},
            )
            time.sleep(0.3)  # held: nothing to deliver yet
            assert not early.done()
            reply = client.get(
                base, params={**session, "ser": "2", "seg0": "0", "ts0": "2", "d0": first}
            )
            assert early.result(timeout=10).text == ""  # a newer poll released it
        number, envelopes = re.search(r"pRTLPCB7\((\d+),(.*)\);$", reply.text).groups()
        assert number == "1"
        assert json.loads(envelopes) == [
            {"t": "d", "d": {"r": 1, "b": {"s": "ok", "d": {"auth": None, "expires": None}}}}
        ]
        ping = encode({"t": "c", "d": {"t": "p", "d": {}}})
        pong = client.get(base, params={**session, "ser": "4", "seg0": "2", "ts0": "1", "d0": ping})
        assert json.loads(re.search(r"pRTLPCB7\(2,(.*)\);$", pong.text).group(1)) == [
            {"t": "c", "d": {"t": "o", "d": {}}}
        ]
