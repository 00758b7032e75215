"""WebChannel endpoints for ``/google.firestore.v1.Firestore/{Listen|Write}/channel``.

One URL, told apart by its query parameters (all set by the SDK's WebChannel client):

- ``POST`` without ``SID``: handshake. Creates the session, applies the messages in the
  body, answers with the ``c`` array and the ``X-HTTP-Session-Id`` header.
- ``POST`` with ``SID``: forward channel. Applies the messages (map ids already seen are
  retransmissions and skipped), answers ``[backChannelPresent, lastArrayId, bytes]``.
- ``GET`` with ``RID=rpc``: back channel, acknowledging arrays up to ``AID``. ``CI=0``
  streams chunks as messages arrive (with ``noop`` keep-alives); ``CI=1`` is long
  polling: the response ends after the first batch.
- ``TYPE=terminate`` (GET image or sendBeacon POST): closes the session.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError
from emulators.firestore.listen import Listeners
from emulators.firestore.security import Caller, caller_from_authorization
from emulators.firestore.transports.webchannel.framing import (
    FramingError,
    encode_chunk,
    handshake_chunk,
    parse_forward_body,
    parse_header_block,
)
from emulators.firestore.transports.webchannel.session import (
    DROPPED_GRACE_SECONDS,
    ChannelSession,
    SessionRegistry,
)
from emulators.firestore.transports.webchannel.streams import (
    ListenBridge,
    WriteBridge,
    send_error,
)

log = logging.getLogger(__name__)

CHANNEL_PATH = "/google.firestore.v1.Firestore/{rpc}/channel"
KEEPALIVE_SECONDS = 25.0
# A streaming back channel is recycled after this long or this many arrays, so that the
# client's next request acknowledges what it received and the buffer stays small.
STREAMING_MAX_SECONDS = 60.0
STREAMING_MAX_ARRAYS = 500
TEXT = "text/plain; charset=utf-8"


def webchannel_routes(
    engine: FirestoreEngine,
    listeners: Listeners | None = None,
    registry: SessionRegistry | None = None,
):
    """The WebChannel route; its Listen streams join ``listeners`` (a registry of their
    own if none is given)."""
    channel = WebChannel(engine, listeners or Listeners(engine), registry or SessionRegistry())
    routes: list[BaseRoute] = [Route(CHANNEL_PATH, channel.endpoint, methods=["GET", "POST"])]
    return routes


class WebChannel:
    def __init__(
        self, engine: FirestoreEngine, listeners: Listeners, registry: SessionRegistry
    ) -> None:
        self.engine = engine
        self.sessions = registry
        self.bridges: dict[str, Callable[[Caller, ChannelSession], object]] = {
            "Listen": lambda caller, session: ListenBridge(listeners, caller, session),
            "Write": lambda caller, session: WriteBridge(engine, caller, session),
        }

    async def endpoint(self, request: Request) -> Response:
        try:
            response = await self._dispatch(request)
        except FramingError as exc:
            response = PlainTextResponse(f"Bad WebChannel request: {exc}", status_code=400)
        return response

    async def _dispatch(self, request: Request) -> Response:
        rpc = request.path_params["rpc"]
        if rpc not in self.bridges:
            return PlainTextResponse(f"No WebChannel stream named {rpc}", status_code=404)
        params = request.query_params
        if params.get("TYPE") == "terminate":
            self.sessions.close(params.get("SID", ""))
            return PlainTextResponse("", media_type=TEXT)
        if request.method == "POST" and "SID" not in params:
            return await self._handshake(request, rpc)
        session = self.sessions.get(params.get("SID"))
        if session is None or session.rpc != rpc:
            # The client looks for "Unknown SID" past the first character of the body.
            return PlainTextResponse("Error 400: Unknown SID", status_code=400)
        if request.method == "POST":
            return await self._forward(request, session)
        if params.get("RID") == "rpc":
            return self._back_channel(request, session)
        return PlainTextResponse("Unsupported WebChannel request", status_code=400)

    async def _handshake(self, request: Request, rpc: str) -> Response:
        params = request.query_params
        database = params.get("database")
        if not database:
            return PlainTextResponse("The database URL parameter is required", status_code=400)
        if params.get("VER") not in (None, "8"):
            return PlainTextResponse("Only WebChannel protocol version 8", status_code=400)
        body = parse_forward_body(await request.body())
        # The SDK encodes its headers in the body; other WebChannel clients may use the
        # ``$httpHeaders`` URL parameter or real headers.
        url_headers = parse_header_block(params.get("$httpHeaders", ""))
        authorization = (
            body.headers.get("authorization")
            or url_headers.get("authorization")
            or request.headers.get("authorization")
        )

        def bridge(session: ChannelSession):
            return self.bridges[rpc](caller, session)

        try:
            caller = caller_from_authorization(authorization, self.engine.project)
        except FirestoreError as error:
            # Still open the channel, so the SDK receives the error as a stream error.
            session = self.sessions.create(rpc, database, _RefusedBridge)
            send_error(session, error)
        else:
            session = self.sessions.create(rpc, database, bridge)
            await self._apply(session, body.messages)
        headers = {"X-HTTP-Session-Id": session.http_session_id}
        return Response(
            handshake_chunk(session.sid, int(KEEPALIVE_SECONDS * 1000)),
            media_type=TEXT,
            headers=headers,
        )

    async def _forward(self, request: Request, session: ChannelSession) -> Response:
        body = parse_forward_body(await request.body())
        acknowledged = request.query_params.get("AID")
        if acknowledged is not None and acknowledged.lstrip("-").isdigit():
            session.acknowledge(int(acknowledged))
        await self._apply(session, body.messages)
        status = [
            1 if session.back_channel_present() else 0,
            session.last_array_id,
            session.outstanding_bytes(),
        ]
        return Response(encode_chunk(status), media_type=TEXT)

    async def _apply(self, session: ChannelSession, messages: list) -> None:
        async with session.forward_lock:  # one POST at a time, in map order
            for map_id, message in messages:
                if map_id <= session.last_map_id:
                    continue  # a retransmission of something already applied
                session.last_map_id = map_id
                try:
                    await run_in_threadpool(session.bridge.handle, message)
                except Exception:
                    log.exception("WebChannel %s message failed", session.rpc)
                    send_error(
                        session, FirestoreError(Code.INTERNAL, f"internal error in {session.rpc}")
                    )

    def _back_channel(self, request: Request, session: ChannelSession) -> Response:
        params = request.query_params
        acknowledged = params.get("AID", "0")
        after = int(acknowledged) if acknowledged.lstrip("-").isdigit() else 0
        session.acknowledge(after)
        streaming = params.get("CI") != "1"
        poll_seconds = KEEPALIVE_SECONDS
        if not streaming and params.get("TO", "").isdigit():
            poll_seconds = min(KEEPALIVE_SECONDS, int(params["TO"]) / 1000)
        owner = session.claim_back_channel()
        return StreamingResponse(
            self._arrays(session, owner, after, streaming, poll_seconds),
            media_type=TEXT,
            headers={"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"},
        )

    async def _arrays(
        self,
        session: ChannelSession,
        owner: int,
        after: int,
        streaming: bool,
        poll_seconds: float,
    ) -> AsyncIterator[bytes]:
        started = time.monotonic()
        sent = 0
        answered = False  # ended by us; otherwise the client went away (cancelled, closed)
        try:
            while session.owns_back_channel(owner):
                arrays = session.arrays_after(after)
                if not arrays:
                    # An immediate byte tells the client no buffering proxy is in the way.
                    wait = 0.0 if streaming and sent == 0 else poll_seconds
                    if wait and await session.wait_for_arrays(after, wait, owner):
                        continue
                    session.push(["noop"])
                    continue
                chunk = "[" + ",".join(a.text for a in arrays) + "]\n"
                yield f"{len(chunk)}\n{chunk}".encode("ascii")
                after = arrays[-1].array_id
                sent += len(arrays)
                if (
                    not streaming
                    or sent >= STREAMING_MAX_ARRAYS
                    or (time.monotonic() - started > STREAMING_MAX_SECONDS)
                ):
                    answered = True
                    return
            if sent == 0:
                # Superseded or closed before anything went out. An empty body would count
                # as a failed request; repeating the acknowledged array id changes nothing.
                yield encode_chunk([[after, ["noop"]]])
            answered = True
        finally:
            session.release_back_channel(owner, dropped=not answered)
            if not answered:
                # Closed once the grace has passed without the client coming back.
                asyncio.get_running_loop().call_later(
                    DROPPED_GRACE_SECONDS + 0.1, self.sessions.expire_idle
                )


class _RefusedBridge:
    """The stream of a channel whose credentials were refused: it takes nothing."""

    def __init__(self, session: ChannelSession) -> None:
        self.session = session

    def handle(self, message) -> None:
        return None

    def close(self) -> None:
        return None
