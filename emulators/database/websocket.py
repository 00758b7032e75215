"""The WebSocket transport (``/.ws?ns=NAME&v=5``) of the realtime protocol.

One JSON envelope per frame, except that a client may split a long message into frames by
first sending their count; ``"0"`` alone is its keepalive. A socket whose ``s`` parameter
names a live long-poll session is that session's upgrade: it answers pings at once and
carries the session from the moment the long-poll side ends its transmission.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from emulators.database.engine import DatabaseEngine
from emulators.database.protocol import PONG, Session

log = logging.getLogger(__name__)

SWITCH_ACK = {"t": "c", "d": {"t": "a", "d": {}}}


class WebSocketTransport:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.session: Session | None = None
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self._pending_frames: list[str] = []
        self._frames_expected = 0
        self._long_poll: Any = None

    def deliver(self, envelope: dict) -> None:
        self._outbox.put_nowait(json.dumps(envelope, separators=(",", ":"), ensure_ascii=False))

    async def serve(
        self,
        engine: DatabaseEngine,
        namespace: str,
        upgrading: Callable[[str], Any],
    ) -> None:
        await self.websocket.accept()
        long_poll = upgrading(self.websocket.query_params.get("s", ""))
        self._long_poll = long_poll
        if long_poll is not None:
            # the switch acknowledgement starts the client's ping/pong health check
            self.session = long_poll.session
            long_poll.attach_upgrade(self)
            self.deliver(SWITCH_ACK)
        else:
            self.session = Session(engine, namespace, self.deliver)
            host = self.websocket.headers.get("host", "127.0.0.1")
            self.deliver(self.session.handshake(host))
        sender = asyncio.create_task(self._send_loop())
        try:
            while True:
                self._on_frame(await self.websocket.receive_text())
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("database WebSocket failed")
        finally:
            self._outbox.put_nowait(None)
            # the session ends with the socket that carries it, not with an upgrade that
            # never completed (that one just stops being a candidate)
            if self.session.deliver == self.deliver:
                self.session.close()
            elif self._long_poll is not None:
                self._long_poll.detach_upgrade(self)
            await asyncio.gather(sender, return_exceptions=True)

    async def _send_loop(self) -> None:
        while True:
            message = await self._outbox.get()
            if message is None:
                return
            try:
                await self.websocket.send_text(message)
            except Exception:
                return

    def _on_frame(self, frame: str) -> None:
        if self._frames_expected:
            self._pending_frames.append(frame)
            if len(self._pending_frames) < self._frames_expected:
                return
            frame = "".join(self._pending_frames)
            self._pending_frames, self._frames_expected = [], 0
        elif len(frame) <= 6 and frame.isdigit():
            self._frames_expected = int(frame)  # "0" is the client's keepalive
            return
        try:
            message = json.loads(frame)
        except ValueError:
            self.deliver({"t": "c", "d": {"t": "e", "d": "Invalid JSON in frame"}})
            return
        if not isinstance(message, dict):
            return
        if message.get("t") == "c":
            control = message.get("d")
            # pings are answered on the socket they came by (upgrade health checks too);
            # the client's switch acknowledgement needs no answer
            if isinstance(control, dict) and control.get("t") == "p":
                self.deliver(PONG)
            return
        if message.get("t") == "d" and isinstance(message.get("d"), dict):
            assert self.session is not None
            self.session.receive(message["d"])


async def serve_websocket(
    websocket: WebSocket,
    engine: DatabaseEngine,
    namespace: str,
    upgrading: Callable[[str], Any] = lambda session_id: None,
) -> None:
    await WebSocketTransport(websocket).serve(engine, namespace, upgrading)
