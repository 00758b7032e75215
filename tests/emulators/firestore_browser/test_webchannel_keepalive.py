"""Back-channel keep-alives and recycling, against an in-process server on a real socket
with the timings shortened (the defaults are 25 s and 60 s / 500 arrays)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from emulators.config import Address
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.transports.http import build_app
from emulators.firestore.transports.webchannel import routes as webchannel_routes_module
from emulators.firestore.transports.webchannel.routes import webchannel_routes
from emulators.serving import BackgroundServer
from tests.emulators.firestore_browser.webchannel_client import (
    DB,
    DOCS,
    Channel,
    listen_to,
    parse_chunks,
)
from tests.support.emulators import free_port


@pytest.fixture
def quick_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(webchannel_routes_module, "KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setattr(webchannel_routes_module, "STREAMING_MAX_ARRAYS", 3)
    engine = FirestoreEngine(None, project="demo-flowchat-test")
    app = build_app(engine, extra_routes=webchannel_routes(engine))
    address = Address("127.0.0.1", free_port())
    server = BackgroundServer(app, address, name="webchannel-test")
    server.start()
    try:
        yield f"http://{address}"
    finally:
        server.stop()


def read_stream(channel: Channel, after: int) -> tuple[list, float]:
    """One streaming back-channel request (CI=0), read to its end."""
    params = {**channel.session_params(), "RID": "rpc", "AID": after, "CI": "0", "TYPE": "xmlhttp"}
    started = time.monotonic()
    response = httpx.get(channel.url, params=params, timeout=10)
    assert response.status_code == 200
    arrays = [array for chunk in parse_chunks(response.text) for array in chunk]
    return arrays, time.monotonic() - started


def test_streaming_back_channel_sends_noops_and_is_recycled(quick_server: str) -> None:
    channel = Channel(quick_server, "Listen")
    assert channel.open([listen_to(f"{DOCS}/notes/a")], None).status_code == 200

    first, _ = read_stream(channel, 0)
    kinds = [payload[0].get("targetChange", {}).get("targetChangeType") for _, payload in first]
    assert kinds[:2] == ["ADD", "CURRENT"]
    assert len(first) >= 3  # the response ended once three arrays had gone out

    # Idle: an immediate noop, then keep-alive noops every 0.3 s until the limit.
    idle, elapsed = read_stream(channel, first[-1][0])
    assert [payload for _, payload in idle] == [["noop"]] * 3
    assert [array_id for array_id, _ in idle] == list(range(first[-1][0] + 1, first[-1][0] + 4))
    assert 0.5 < elapsed < 5

    # The next back channel acknowledges everything: nothing is sent twice.
    again, _ = read_stream(channel, idle[-1][0])
    assert all(array_id > idle[-1][0] for array_id, _ in again)
    channel.terminate()


def test_a_newer_back_channel_takes_over(quick_server: str) -> None:
    channel = Channel(quick_server, "Listen")
    channel.open(
        [{"database": DB, "addTarget": {"documents": {"documents": []}, "targetId": 2}}], None
    )
    params = {**channel.session_params(), "RID": "rpc", "AID": 0, "CI": "1", "TYPE": "xmlhttp"}
    with httpx.Client(timeout=10) as client:
        first = client.get(channel.url, params={**params, "TO": "5000"})
        assert first.status_code == 200
        last = parse_chunks(first.text)[-1][-1][0]
        # A long poll waiting for data ends when another back-channel request arrives.
        with client.stream("GET", channel.url, params={**params, "AID": last, "TO": "5000"}) as old:
            started = time.monotonic()
            newer = client.get(channel.url, params={**params, "AID": last, "TO": "300"})
            old_text = old.read().decode()
        assert time.monotonic() - started < 4
        assert newer.status_code == 200
        assert parse_chunks(old_text)  # never an empty body (the client would retry)
    channel.terminate()
