"""The public Firestore port: one listener that speaks gRPC and HTTP/1.1.

grpcio cannot serve HTTP/1.1, and the browser SDK, the REST API and the clear endpoint
need it on the same host:port as gRPC. The front accepts each connection, reads until it
can tell the HTTP/2 client preface (``PRI * HTTP/2.0``) from anything else, connects to
the grpcio server or the uvicorn app on their loopback ports, replays the bytes it read
and then relays both directions. It runs one asyncio loop in a background thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading

from emulators.config import Address

log = logging.getLogger(__name__)

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_HIGH_WATER = 1 << 20


class _Relay(asyncio.Protocol):
    """One side of a relayed connection; writes what it receives to its peer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: _Relay | None = None
        self.pending: list[bytes] = []

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        peer = self.peer
        if peer is not None and peer.transport is not None:
            peer.transport.write(data)
        else:
            self.pending.append(data)

    def pause_writing(self) -> None:  # our outgoing buffer is full: stop reading the peer
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()

    def eof_received(self):
        peer = self.peer
        if peer is not None and peer.transport is not None and peer.transport.can_write_eof():
            peer.transport.write_eof()
        return True

    def connection_lost(self, exc) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()


class _Sniffer(_Relay):
    """The client side: buffers the first bytes, picks the backend, then relays."""

    def __init__(self, front: PortFront) -> None:
        super().__init__()
        self.front = front
        self.head = b""
        self.connecting = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.front.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.front.connections.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.peer is not None or self.connecting:
            super().data_received(data)
            return
        self.head += data
        is_grpc = self.head.startswith(HTTP2_PREFACE[: len(self.head)])
        if is_grpc and len(self.head) < len(HTTP2_PREFACE):
            return  # not enough bytes to decide yet
        backend = (
            self.front.grpc_port if self.head.startswith(HTTP2_PREFACE) else self.front.http_port
        )
        self.pending.append(self.head)
        self.connecting = True
        self.connect_task = asyncio.ensure_future(self._connect(backend))

    async def _connect(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, backend = await loop.create_connection(_Relay, "127.0.0.1", port)
        except OSError as exc:
            log.warning("firestore front: backend on port %s refused: %s", port, exc)
            self.transport.close()
            return
        backend.peer = self
        self.peer = backend
        self.connecting = False
        for chunk in self.pending:
            backend.transport.write(chunk)
        self.pending.clear()
        if self.transport.is_closing():
            backend.transport.close()


class PortFront:
    def __init__(self, address: Address, grpc_port: int, http_port: int) -> None:
        self.address = address
        self.grpc_port = grpc_port
        self.http_port = http_port
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self.connections: set[_Sniffer] = set()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="firestore-front", daemon=True
        )

    def start(self) -> None:
        async def listen() -> asyncio.AbstractServer:
            return await self._loop.create_server(
                lambda: _Sniffer(self),
                self.address.host,
                self.address.port,
                reuse_address=True,
                backlog=1024,
            )

        self._server = self._loop.run_until_complete(listen())
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return

        async def shutdown() -> None:
            self._server.close()
            # Open client connections (a browser's streaming channel) would hold
            # wait_closed() up; a stopping emulator drops them, as a dying process would.
            for connection in list(self.connections):
                if connection.transport is not None:
                    connection.transport.abort()
            await self._server.wait_closed()

        future = asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        with contextlib.suppress(Exception):  # connections still open: the loop stops anyway
            future.result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
