"""The WebChannel (BrowserChannel protocol version 8) wire format.

Server to client, every response body is a sequence of chunks ``<length>\\n<json>`` where
``length`` counts the characters the client's XHR sees (JavaScript string length); the
JSON is written ASCII-only so characters, bytes and UTF-16 units agree.

- handshake response: ``[[0, ["c", sid, hostPrefix, 8, serverVersion, keepAliveMs]]]``
- back channel: ``[[arrayId, payload], ...]`` where payload is ``[message]`` for a
  Firestore response (the SDK reads ``data[0]``), ``["noop"]`` or ``["close"]``
- forward-channel acknowledgement: ``[backChannelPresent, lastArrayId, outstandingBytes]``

Client to server, forward-channel POST bodies are form-encoded:
``count=N&ofs=K&req0___data__=<json>&req1___data__=...`` (map ids ``K + i``), and the
handshake's may start with ``headers=<"Name:value\\r\\n" block>`` carrying the SDK's
Authorization header (``encodeInitMessageHeaders``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

PROTOCOL_VERSION = 8
SERVER_VERSION = 14


class FramingError(ValueError):
    pass


def encode_chunk(payload: Any) -> bytes:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True) + "\n"
    return f"{len(text)}\n{text}".encode("ascii")


def handshake_chunk(sid: str, keepalive_ms: int) -> bytes:
    return encode_chunk([[0, ["c", sid, "", PROTOCOL_VERSION, SERVER_VERSION, keepalive_ms]]])


@dataclass
class ForwardBody:
    headers: dict[str, str] = field(default_factory=dict)
    # (map id, message) in the order sent.
    messages: list[tuple[int, Any]] = field(default_factory=list)


def parse_forward_body(raw: bytes) -> ForwardBody:
    try:
        text = raw.decode("utf-8")
        form = parse_qs(text, keep_blank_values=True) if text else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise FramingError(f"unreadable forward-channel body: {exc}") from None
    body = ForwardBody()
    if "headers" in form:
        body.headers = parse_header_block(form["headers"][-1])
    if not form.get("count"):
        return body
    try:
        count = int(form["count"][-1])
        offset = int(form.get("ofs", ["0"])[-1])
    except ValueError:
        raise FramingError("count and ofs must be integers") from None
    for index in range(count):
        key = f"req{index}___data__"
        if key not in form:
            raise FramingError(f"message {index} of {count} is missing (expected {key})")
        try:
            message = json.loads(form[key][-1])
        except ValueError as exc:
            raise FramingError(f"message {index} is not JSON: {exc}") from None
        body.messages.append((offset + index, message))
    return body


def parse_header_block(block: str) -> dict[str, str]:
    """``"Name:value\\r\\nName2:value2\\r\\n"`` -> lower-cased names to values."""
    headers = {}
    for line in block.split("\r\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers[name.strip().lower()] = value.strip()
    return headers
