"""How the launcher hands trigger events to the functions host: CloudEvents in the HTTP
binary content mode (``ce-*`` headers, the data as the body), as Eventarc posts them to a
function, over connections that stay open.

Events once went to the host's HTTP server, then werkzeug's, which closed every connection
after one response: an event per connection cost a TCP connect, a new thread and a Flask
request in the host, and an ``httpx`` request in the launcher, for every event (about a
fifth of each process's CPU under ``benchmarks/pipeline_load.py``). Events have a listener
of their own in the host instead (``EventServer``, an ephemeral port the manifest names),
speaking the subset of HTTP/1.1 the launcher uses: ``POST /__/events/NAME`` with a
``Content-Length``, answered ``204`` (the function returned) or ``500`` (it raised), the
connection kept for the next event. Each of the launcher's delivery threads keeps one
connection (``EventClient``), so a function's deliveries in flight are at most its workers.
(The HTTP functions are now served by waitress, which keeps connections open too; events
stay here, where no Flask request is built for them and no pool thread stands between the
connection and the function.)

Header values are sent and read as UTF-8 (a document id may hold any character).
"""

from __future__ import annotations

import http
import http.client
import json
import socket
import socketserver
import threading
from collections.abc import Callable

from cloudevents.http import CloudEvent, from_http

EVENTS_PATH = "/__/events"


def encode(event: CloudEvent) -> tuple[dict[str, str], bytes]:
    """The binary content mode of ``event``: the headers and the body (what
    ``cloudevents.conversion.to_binary`` gives, without its marshaller's per-event work)."""
    headers: dict[str, str] = {}
    content_type = None
    for key, value in event.get_attributes().items():
        if key == "datacontenttype":
            content_type = value
        elif value is not None:
            headers[f"ce-{key}"] = str(value)
    data = event.get_data()
    if isinstance(data, bytes | bytearray | memoryview):
        body = bytes(data)
    else:
        body = json.dumps(data).encode()
    if content_type is not None:
        headers = {"content-type": content_type, **headers}
    return headers, body


def decode(headers: dict[str, str], body: bytes) -> CloudEvent:
    """The CloudEvent of a binary-mode request, as functions-framework reads it."""
    return from_http(headers, body)


class EventClient:
    """Posts events to the host, one kept-alive connection per calling thread."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._local = threading.local()
        self._all: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()
        self._closed = False

    def post(self, name: str, event: CloudEvent) -> int:
        """Delivers ``event`` to function ``name``; returns the HTTP status. A connection
        the host closed while it sat idle is replaced once (the event was not taken)."""
        headers, body = encode(event)
        headers["Content-Length"] = str(len(body))
        path = f"{EVENTS_PATH}/{name}"
        encoded = [(key, value.encode()) for key, value in headers.items()]
        for attempt in (1, 2):
            connection, reused = self._connection()
            try:
                connection.putrequest("POST", path, skip_host=False, skip_accept_encoding=True)
                for key, value in encoded:
                    connection.putheader(key, value)
                connection.endheaders(body)
                response = connection.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop(connection)
                if reused and attempt == 1:
                    continue  # a stale connection: nothing reached the function
                raise
            except BaseException:
                self._drop(connection)
                raise
            if response.will_close:
                self._drop(connection)
            return response.status
        raise AssertionError("unreachable")

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        with self._lock:
            if self._closed:
                raise ConnectionError("the event client is closed")
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._all.add(connection)
        self._local.connection = connection
        return connection, False

    def _drop(self, connection: http.client.HTTPConnection) -> None:
        connection.close()
        self._local.connection = None
        with self._lock:
            self._all.discard(connection)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._all = self._all, set()
        for connection in connections:
            connection.close()


class _EventHandler(socketserver.StreamRequestHandler):
    """Reads requests off one connection until the launcher closes it. Only what the
    launcher sends is understood (a request line, headers, a ``Content-Length`` body); the
    headers are read here rather than by ``http.server``, whose e-mail parser cost the
    host more per event than the rest of the transport."""

    server: EventServer

    def handle(self) -> None:
        while self._one_request():
            pass

    def _one_request(self) -> bool:
        line = self.rfile.readline(_MAX_LINE)
        if not line:
            return False  # the launcher closed the connection
        parts = line.split()
        headers: dict[str, str] = {}
        while True:
            header = self.rfile.readline(_MAX_LINE)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(parts) != 3 or parts[0] != b"POST":
            return self._answer(400, keep=False)
        try:
            length = int(headers["content-length"])
        except (KeyError, ValueError):
            return self._answer(411, keep=False)
        if length < 0:  # read(-1) would wait for the connection to close
            return self._answer(400, keep=False)
        body = self.rfile.read(length)
        path = parts[1].decode("latin-1")
        if not path.startswith(f"{EVENTS_PATH}/"):
            return self._answer(404, keep=True)
        status = self.server.deliver(path.removeprefix(f"{EVENTS_PATH}/"), headers, body)
        return self._answer(status, keep=headers.get("connection", "").lower() != "close")

    def _answer(self, status: int, *, keep: bool) -> bool:
        reason = http.HTTPStatus(status).phrase
        closing = b"" if keep else b"Connection: close\r\n"
        self.wfile.write(
            b"HTTP/1.1 %d %s\r\nContent-Length: 0\r\n%s\r\n" % (status, reason.encode(), closing)
        )
        return keep


_MAX_LINE = 65536


class EventServer(socketserver.ThreadingTCPServer):
    """The host's event listener. ``deliver(name, headers, body)`` runs the function and
    returns the status to answer. A connection's thread waits for its next event, so
    threads are daemons; ``stop`` waits for the deliveries under way instead."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, host: str, deliver: Callable[[str, dict[str, str], bytes], int], port: int = 0
    ) -> None:
        super().__init__((host, port), _EventHandler)
        self._deliver = deliver
        self._busy = 0
        self._idle = threading.Condition()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    def deliver(self, name: str, headers: dict[str, str], body: bytes) -> int:
        with self._idle:
            self._busy += 1
        try:
            return self._deliver(name, headers, body)
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def stop(self, timeout: float) -> None:
        """Stops taking connections, then waits up to ``timeout`` for the deliveries under
        way."""
        self.shutdown()
        self.server_close()
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout)
