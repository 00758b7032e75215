"""The functions host's HTTP server (``host.FunctionsServer``, waitress): a stop waits for
the requests under way, not for idle kept-alive connections; no access line per request;
X-Forwarded-For reaches the functions; a large answer, written while the server thread
leaves it to the pool thread, arrives whole."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time

import flask
import pytest

from emulators.functions import host


@pytest.fixture
def served():
    app = flask.Flask("test-functions-server")
    entered = threading.Event()

    @app.get("/slow")
    def slow():
        entered.set()
        time.sleep(0.5)
        return "done"

    @app.get("/large")
    def large():
        # past waitress's high watermark (16 MiB), in pieces larger than a socket's buffer
        def pieces():
            for _ in range(40):
                time.sleep(0.005)
                yield b"x" * (1 << 20)

        return flask.Response(pieces(), mimetype="application/octet-stream")

    @app.get("/forwarded")
    def forwarded():
        return flask.request.headers.get("X-Forwarded-For", "")

    server = host.FunctionsServer(app, socket.create_server(("127.0.0.1", 0)))
    server.start()
    yield server, entered
    server.stop(5)


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_stop_answers_the_requests_under_way_then_refuses_connections(served):
    server, entered = served
    answers: list[tuple[int, bytes]] = []
    caller = threading.Thread(target=lambda: answers.append(_get(server.port, "/slow")))
    caller.start()
    assert entered.wait(5)
    began = time.monotonic()
    server.stop(5)
    assert time.monotonic() - began >= 0.3  # it waited for the request
    caller.join(5)
    assert answers == [(200, b"done")]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_an_idle_kept_alive_connection_does_not_hold_a_stop(served):
    server, _ = served
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/forwarded")
    assert connection.getresponse().read() == b""  # the connection stays open, idle
    began = time.monotonic()
    server.stop(5)
    assert time.monotonic() - began < 2
    connection.close()


def test_a_stop_after_waitress_closed_its_own_trigger_ends_quietly(served):
    """waitress closes its trigger (the pipe that wakes its loop) with the server when the
    listening socket fails under the loop; a stop then cannot hand the loop its work, and
    must end all the same (once, at a Ctrl-C, it raised EBADF here)."""
    server, _ = served
    assert _get(server.port, "/forwarded")[0] == 200
    server._server.trigger.close()
    began = time.monotonic()
    server.stop(5)
    assert time.monotonic() - began < 3


def test_x_forwarded_for_reaches_the_function_and_no_access_line_is_logged(served, caplog):
    server, _ = served
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            status, body = _get(server.port, "/forwarded", {"X-Forwarded-For": "203.0.113.9"})
            assert (status, body) == (200, b"203.0.113.9")
    assert not [record for record in caplog.records if record.name.startswith("waitress")]


def test_a_large_streamed_answer_arrives_whole_on_a_kept_alive_connection(served):
    server, _ = served
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for _ in range(2):
            connection.request("GET", "/large")
            response = connection.getresponse()
            first = response.read(1 << 16)
            time.sleep(0.2)  # the client lags: the server's buffers fill
            assert len(first) + len(response.read()) == 40 << 20
        connection.request("GET", "/forwarded", headers={"X-Forwarded-For": "198.51.100.1"})
        assert connection.getresponse().read() == b"198.51.100.1"
    finally:
        connection.close()
