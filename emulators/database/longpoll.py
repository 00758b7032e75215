"""The long-polling transport (``/.lp``) of the realtime protocol, which the browser SDK
uses when WebSockets failed before (or with ``forceLongPolling()``), usually upgrading to
a WebSocket once connected.

The browser loads script tags into a hidden iframe:
- ``/.lp?start=t&cb=ID&ser=..&ns=..`` opens a session; the script calls the page's
  ``pLPCommandID("start", id, pw)`` and delivers packet 0 (the handshake) to
  ``pRTLPCBID(0, [...])``.
- ``/.lp?id=..&pw=..&ser=..[&seg0=n&ts0=count&d0=base64...]`` sends message segments
  (web-safe base64 of the JSON, numbered across the session; ``tsN`` is how many segments
  the message has) and is held open until there is something to deliver (numbered
  packets, reordered by the client) or for at most ``POLL_HOLD_SECONDS``; a newer poll
  releases the older ones.
- ``/.lp?dframe=t&id=..&pw=..`` is an iframe kept loading for the session's lifetime:
  when the page goes away, so does that request, and the session ends.
A session that stops polling for ``IDLE_SECONDS`` ends too.

Upgrade: the client opens ``/.ws?...&s=SESSION``; once that socket answered its pings the
client sends "n" (end of transmission) here, we answer "n" as the last packet and the
session continues on the socket.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from emulators.database.engine import DatabaseEngine
from emulators.database.protocol import PONG, Session

log = logging.getLogger(__name__)

POLL_HOLD_SECONDS = 20.0  # under the client's 25 s keepalive, after which it re-polls
IDLE_SECONDS = 45.0
END_OF_TRANSMISSION = {"t": "c", "d": {"t": "n", "d": {}}}
_CALLBACK_ID = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def _script(response: str) -> Response:
    return Response(
        response,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache, no-store"},
    )


class LongPollTransport:
    def __init__(self, session_factory: Any, callback_id: str) -> None:
        self.id = secrets.token_hex(8)
        self.password = secrets.token_hex(8)
        self.callback_id = callback_id
        self.session: Session = session_factory(self.deliver)
        self.upgraded = False
        self.closed = False
        self.last_seen = time.monotonic()
        self._outbox: list[dict] = []
        self._next_packet = 0
        self._held: list[asyncio.Future[str]] = []
        self._segments: dict[int, tuple[int, str]] = {}
        self._next_segment = 0
        self._websocket: Any = None

    # --- outgoing ------------------------------------------------------------------------

    def deliver(self, envelope: dict) -> None:
        self._outbox.append(envelope)
        if self._held:
            asyncio.get_running_loop().call_soon(self._flush)

    def _packet(self) -> str:
        envelopes, self._outbox = self._outbox, []
        number = self._next_packet
        self._next_packet += 1
        payload = json.dumps(envelopes, separators=(",", ":"), ensure_ascii=False)
        return f"window.parent.pRTLPCB{self.callback_id}({number},{payload});"

    def _flush(self) -> None:
        while self._outbox and self._held:
            poll = self._held.pop()
            if not poll.done():
                poll.set_result(self._packet())

    def start_script(self, host: str) -> str:
        self.deliver(self.session.handshake(host))
        start = json.dumps(["start", self.id, self.password])[1:-1]
        return f"window.parent.pLPCommand{self.callback_id}({start});" + self._packet()

    # --- incoming ------------------------------------------------------------------------

    async def poll(self, params: dict[str, str]) -> Response:
        self.last_seen = time.monotonic()
        self._take_segments(params)
        for older in self._held:  # the client wants a fresh poll open: release the old
            if not older.done():
                older.set_result("")
        self._held = []
        if self._outbox or self.closed:
            return _script(self._packet() if self._outbox else "")
        poll: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._held.append(poll)
        try:
            body = await asyncio.wait_for(poll, POLL_HOLD_SECONDS)
        except TimeoutError:
            body = ""
        finally:
            if poll in self._held:
                self._held.remove(poll)
            self.last_seen = time.monotonic()
        return _script(body)

    def _take_segments(self, params: dict[str, str]) -> None:
        index = 0
        while f"seg{index}" in params:
            try:
                number = int(params[f"seg{index}"])
                count = int(params[f"ts{index}"])
                data = params[f"d{index}"]
            except (KeyError, ValueError):
                log.warning("long-poll segment %d malformed", index)
                return
            self._segments[number] = (count, data)
            index += 1
        while self._next_segment in self._segments:
            count = self._segments[self._next_segment][0]
            numbers = range(self._next_segment, self._next_segment + count)
            if not all(number in self._segments for number in numbers):
                return
            text = "".join(self._segments.pop(number)[1] for number in numbers)
            self._next_segment += count
            self._on_message(text)

    def _on_message(self, encoded: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(encoded.replace(".", "=").encode("ascii"))
            message = json.loads(raw.decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            self.deliver({"t": "c", "d": {"t": "e", "d": "Invalid long-poll message"}})
            return
        if not isinstance(message, dict):
            return
        if message.get("t") == "c":
            control = message.get("d") if isinstance(message.get("d"), dict) else {}
            if control.get("t") == "p":
                self.deliver(PONG)
            elif control.get("t") == "n" and self._websocket is not None:
                self._switch_to_websocket()
            return
        if message.get("t") == "d" and isinstance(message.get("d"), dict):
            self.session.receive(message["d"])

    @property
    def holding(self) -> bool:
        return bool(self._held)

    # --- upgrade and end -----------------------------------------------------------------

    def attach_upgrade(self, websocket_transport: Any) -> None:
        self._websocket = websocket_transport

    def detach_upgrade(self, websocket_transport: Any) -> None:
        if self._websocket is websocket_transport:
            self._websocket = None

    def _switch_to_websocket(self) -> None:
        self.deliver(END_OF_TRANSMISSION)
        self.session.deliver = self._websocket.deliver
        self.upgraded = True

    def end(self) -> None:
        """The page went away (or stopped polling): the session ends, unless it lives on
        over the WebSocket it upgraded to."""
        if self.closed:
            return
        self.closed = True
        for poll in self._held:
            if not poll.done():
                poll.set_result("")
        if not self.upgraded:
            self.session.close()


class LongPollEndpoint:
    """``/.lp`` and the registry of live long-poll sessions (which WebSocket upgrades
    look up by session id)."""

    def __init__(self, engine: DatabaseEngine, namespace_of: Any) -> None:
        self.engine = engine
        self.namespace_of = namespace_of
        self._by_id: dict[str, LongPollTransport] = {}
        self._reaper: asyncio.Task | None = None

    def upgrading(self, session_id: str) -> LongPollTransport | None:
        for transport in self._by_id.values():
            if transport.session.id == session_id and not transport.closed:
                return transport
        return None

    async def handle(self, request: Request) -> Response:
        params = dict(request.query_params)
        if self._reaper is None:
            self._reaper = asyncio.create_task(self._reap_idle())
        if params.get("start") == "t":
            return self._start(request, params)
        transport = self._by_id.get(params.get("id", ""))
        if transport is None or not secrets.compare_digest(
            transport.password, params.get("pw", "")
        ):
            return PlainTextResponse("Unknown long-poll session", status_code=404)
        if params.get("dframe") == "t":
            return self._disconnect_frame(transport)
        if transport.closed:
            return PlainTextResponse("Long-poll session closed", status_code=404)
        return await transport.poll(params)

    def _start(self, request: Request, params: dict[str, str]) -> Response:
        callback_id = params.get("cb", "")
        if not _CALLBACK_ID.match(callback_id):
            return PlainTextResponse("Missing or invalid cb", status_code=400)
        namespace = self.namespace_of(request, self.engine)

        def new_session(deliver: Any) -> Session:
            return Session(self.engine, namespace, deliver)

        transport = LongPollTransport(new_session, callback_id)
        self._by_id[transport.id] = transport
        return _script(transport.start_script(request.headers.get("host", "127.0.0.1")))

    def _disconnect_frame(self, transport: LongPollTransport) -> Response:
        async def hold_open() -> AsyncIterator[str]:
            try:
                yield "<html><body>"
                while not transport.closed:
                    await asyncio.sleep(1)
            finally:
                # the iframe was removed or the page closed (Starlette cancels us on disconnect)
                self._end(transport)

        return StreamingResponse(hold_open(), media_type="text/html")

    def _end(self, transport: LongPollTransport) -> None:
        transport.end()
        self._by_id.pop(transport.id, None)

    async def _reap_idle(self) -> None:
        while True:
            await asyncio.sleep(5)
            now = time.monotonic()
            for transport in list(self._by_id.values()):
                if now - transport.last_seen > IDLE_SECONDS and not transport.holding:
                    self._end(transport)
