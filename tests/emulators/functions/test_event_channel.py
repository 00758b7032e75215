"""The launcher's event channel to the functions host: CloudEvents in the HTTP binary
content mode, on connections that stay open between events (``event_channel``)."""

from __future__ import annotations

import socket
import threading

import pytest
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent

from emulators.functions import event_channel


def _firestore_event(document: str) -> CloudEvent:
    return CloudEvent(
        {
            "specversion": "1.0",
            "id": "e1",
            "source": "//firestore.googleapis.com/projects/p/databases/(default)",
            "type": "google.cloud.firestore.document.v1.created",
            "time": "2026-12-06T12:00:00.123456Z",
            "datacontenttype": "application/protobuf",
            "subject": f"documents/{document}",
            "document": document,
        },
        b"\x0a\x03abc\x00\xff",
    )


def _database_event() -> CloudEvent:
    return CloudEvent(
        {
            "specversion": "1.0",
            "id": "e2",
            "source": "//firebasedatabase.googleapis.com/projects/_/locations/us-central1",
            "type": "google.firebase.database.ref.v1.written",
            "time": "2026-12-06T12:00:00Z",
            "datacontenttype": "application/json",
            "ref": "status/u1",
        },
        {"data": None, "delta": {"state": "online", "name": "Zoë"}},
    )


@pytest.mark.parametrize("event", [_firestore_event("rooms/r1/messages/m1"), _database_event()])
def test_the_encoding_is_the_cloudevents_binary_mode(event):
    headers, body = event_channel.encode(event)
    expected_headers, expected_body = to_binary(event)
    assert headers == dict(expected_headers)
    assert body == expected_body


class _Host:
    """An event listener whose function records what it got, on a free port."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[CloudEvent] = []
        self.connections: set[tuple[str, int]] = set()
        self.sockets: list = []
        self.fail = fail
        self.server = event_channel.EventServer("127.0.0.1", self._deliver)
        original = self.server.process_request

        def counting(request, client_address):
            self.connections.add(client_address)
            self.sockets.append(request)
            original(request, client_address)

        self.server.process_request = counting
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _deliver(self, name: str, headers: dict[str, str], body: bytes) -> int:
        event = event_channel.decode(headers, body)
        self.events.append((name, event))
        return 500 if self.fail else 204


def test_events_arrive_whole_on_one_kept_connection():
    host = _Host()
    client = event_channel.EventClient("127.0.0.1", host.server.port, timeout=10)
    try:
        sent = [_firestore_event(f"rooms/r1/messages/m{n}") for n in range(20)]
        sent.append(_firestore_event("rooms/r1/messages/Zoë ☕ 日本"))
        sent.append(_database_event())
        for event in sent:
            assert client.post("onCreated", event) == 204
    finally:
        client.close()
        host.server.stop(5)
    assert len(host.connections) == 1
    assert [name for name, _ in host.events] == ["onCreated"] * len(sent)
    for (_, got), event in zip(host.events, sent, strict=True):
        assert got.get_attributes() == event.get_attributes()
        assert got.get_data() == event.get_data()


def test_a_failed_function_answers_500_and_the_connection_stays_usable():
    host = _Host(fail=True)
    client = event_channel.EventClient("127.0.0.1", host.server.port, timeout=10)
    try:
        assert client.post("onCreated", _database_event()) == 500
        host.fail = False
        assert client.post("onCreated", _database_event()) == 204
    finally:
        client.close()
        host.server.stop(5)
    assert len(host.connections) == 1


def test_a_connection_the_host_dropped_is_replaced_without_losing_the_event():
    host = _Host()
    client = event_channel.EventClient("127.0.0.1", host.server.port, timeout=10)
    try:
        assert client.post("onCreated", _database_event()) == 204
        for sock in host.sockets:  # the host closes the idle connection
            sock.shutdown(socket.SHUT_RDWR)
        assert client.post("onCreated", _firestore_event("rooms/r1/messages/m2")) == 204
    finally:
        client.close()
        host.server.stop(5)
    assert [event["id"] for _, event in host.events] == ["e2", "e1"]
    assert len(host.connections) == 2


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /__/events/onCreated HTTP/1.1\r\n\r\n", 400),
        (b"POST /__/events/onCreated HTTP/1.1\r\n\r\n", 411),
        (b"POST /__/events/onCreated HTTP/1.1\r\nContent-Length: x\r\n\r\n", 411),
        (b"POST /__/events/onCreated HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    ],
)
def test_a_request_it_cannot_read_is_refused_and_the_connection_closed(request_bytes, status):
    host = _Host()
    try:
        with socket.create_connection(("127.0.0.1", host.server.port), timeout=10) as sock:
            sock.sendall(request_bytes)
            answer = b""
            while chunk := sock.recv(4096):  # the host closes the connection after answering
                answer += chunk
    finally:
        host.server.stop(5)
    assert answer.startswith(b"HTTP/1.1 %d " % status)
    assert b"Connection: close" in answer
    assert host.events == []
