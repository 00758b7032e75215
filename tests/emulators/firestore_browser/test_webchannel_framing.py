"""WebChannel framing and session bookkeeping, in process (the wire and SDK tests cover
the same code over sockets; these pin the details that are hard to provoke from outside)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest

from emulators.firestore.transports.webchannel import session as session_module
from emulators.firestore.transports.webchannel.framing import (
    FramingError,
    encode_chunk,
    parse_forward_body,
    parse_header_block,
)
from emulators.firestore.transports.webchannel.session import SessionRegistry


def test_chunk_length_counts_what_javascript_sees() -> None:
    chunk = encode_chunk([[1, [{"text": "héllo 👋"}]]]).decode("ascii")
    size, _, body = chunk.partition("\n")
    assert int(size) == len(body)
    assert json.loads(body) == [[1, [{"text": "héllo 👋"}]]]


def test_forward_body_with_headers_and_offset() -> None:
    headers = quote("Authorization:Bearer abc\r\nX-Goog-Api-Client:gl-js/\r\n", safe="")
    messages = [{"a": 1}, {"b": "x&y=z"}]
    raw = f"headers={headers}&count=2&ofs=7&" + "&".join(
        f"req{i}___data__={quote(json.dumps(m), safe='')}" for i, m in enumerate(messages)
    )
    body = parse_forward_body(raw.encode())
    assert body.headers == {"authorization": "Bearer abc", "x-goog-api-client": "gl-js/"}
    assert body.messages == [(7, {"a": 1}), (8, {"b": "x&y=z"})]
    assert parse_header_block("no colon\r\n:empty\r\n") == {}


@pytest.mark.parametrize(
    "raw",
    [b"count=two", b"count=1&ofs=0", b"count=1&ofs=0&req0___data__=%7Bnope", b"\xff\xfe"],
)
def test_malformed_forward_bodies(raw: bytes) -> None:
    with pytest.raises(FramingError):
        parse_forward_body(raw)


class RecordingBridge:
    def __init__(self, session) -> None:
        self.closed = False

    def handle(self, message) -> None:
        raise AssertionError("not used")

    def close(self) -> None:
        self.closed = True


async def test_acknowledged_arrays_are_dropped_and_idle_sessions_expire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = SessionRegistry()
    session = registry.create("Listen", "projects/p/databases/(default)", RecordingBridge)
    for n in range(3):
        session.push_message({"n": n})
    assert [a.array_id for a in session.arrays_after(0)] == [1, 2, 3]
    session.acknowledge(2)
    assert [a.array_id for a in session.arrays_after(0)] == [3]
    assert session.outstanding_bytes() == len('[3,[{"n":2}]]')

    monkeypatch.setattr(session_module, "SESSION_IDLE_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    registry.expire_idle()
    assert len(registry) == 0
    assert session.closed and session.bridge.closed
    session.push_message({"late": True})  # ignored once closed
    assert [a.array_id for a in session.arrays_after(0)] == [3]
