"""google.firestore.v1.Firestore/Write without a transport, shared by gRPC and WebChannel.

WriteRequest protos in, WriteResponse protos out, ``FirestoreError`` for a request that
ends the stream (the transport sends it as the stream's status). The protocol, from
google/firestore/v1/firestore.proto and the JS SDK's write stream:

- The first request is the handshake: it names the database and carries no writes. The
  answer holds only a ``stream_id`` and a ``stream_token``.
- Every later request carries the token of a response the client has received (which
  acknowledges it and those before it) and writes, applied atomically as one commit. The
  answers come in request order, each with the results, the commit time and a new token.
  A client may send several requests with the same token before the answers arrive.
- A request without writes after the handshake (the SDK's last one, before it closes)
  is answered with a new token and commits nothing.
- Resumption: a first request with ``stream_id`` and ``stream_token`` reattaches to a
  stream whose connection ended. The answers later than that token are sent again, then
  a response with only an up-to-date token. Streams are kept for resumption for
  ``KEEP_SECONDS`` after their connection ends, and only when they ended without an
  error. A stream may have at most ``MAX_UNACKNOWLEDGED`` answers not acknowledged.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from google.protobuf.message import Message

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.security import Caller

WriteRequest = protos.WriteRequest
WriteResponse = protos.WriteResponse

KEEP_SECONDS = 300.0
MAX_UNACKNOWLEDGED = 1000


@dataclass
class _StreamState:
    """What outlives one connection of a write stream."""

    stream_id: str
    database: str
    caller: Caller
    issued: int = 0  # the number of the last token handed out
    acknowledged: int = 0  # the client has received answers up to this token number
    # Answers not yet acknowledged, by token number, for resumption.
    unacknowledged: dict[int, Message] = field(default_factory=dict)
    attached: bool = True
    detached_at: float = 0.0

    def token(self, number: int) -> bytes:
        return f"{self.stream_id}:{number}".encode()

    def next_token(self) -> tuple[int, bytes]:
        self.issued += 1
        return self.issued, self.token(self.issued)

    def acknowledge(self, token: bytes) -> None:
        stream_id, _, number = token.decode("ascii", "replace").rpartition(":")
        if stream_id != self.stream_id or not number.isdigit():
            raise invalid("The stream_token does not belong to this write stream")
        count = int(number)
        if count > self.issued:
            raise invalid("The stream_token was never sent on this write stream")
        if count < self.acknowledged:
            raise invalid("The stream_token was already superseded by a later one")
        for old in [n for n in self.unacknowledged if n <= count]:
            del self.unacknowledged[old]
        self.acknowledged = count


def _same_caller(a: Caller, b: Caller) -> bool:
    uid_a = (a.claims or {}).get("uid")
    uid_b = (b.claims or {}).get("uid")
    return a.admin == b.admin and uid_a == uid_b


class WriteStreamRegistry:
    """The streams of one transport, by id, so that a new connection can resume one."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._streams: dict[str, _StreamState] = {}
        self._lock = threading.Lock()

    def add(self, state: _StreamState) -> None:
        with self._lock:
            self._expire()
            self._streams[state.stream_id] = state

    def resume(self, stream_id: str, caller: Caller) -> _StreamState:
        with self._lock:
            self._expire()
            state = self._streams.get(stream_id)
            if state is None:
                raise FirestoreError(Code.NOT_FOUND, f"Write stream {stream_id} not found")
            if not _same_caller(state.caller, caller):
                raise FirestoreError(
                    Code.PERMISSION_DENIED, f"Write stream {stream_id} belongs to another caller"
                )
            if state.attached:
                raise FirestoreError(
                    Code.ABORTED, f"Write stream {stream_id} is still open on another connection"
                )
            state.attached = True
            return state

    def detach(self, state: _StreamState) -> None:
        with self._lock:
            state.attached = False
            state.detached_at = time.monotonic()

    def discard(self, state: _StreamState) -> None:
        with self._lock:
            self._streams.pop(state.stream_id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        stale = [
            stream_id
            for stream_id, state in self._streams.items()
            if not state.attached and now - state.detached_at > self.keep_seconds
        ]
        for stream_id in stale:
            del self._streams[stream_id]

    def __len__(self) -> int:
        with self._lock:
            return len(self._streams)


class WriteStream:
    """One connection's Write stream. ``database`` may be fixed by the transport (a
    WebChannel URL names it); otherwise the first request must name it. Without a
    registry the stream cannot be resumed."""

    def __init__(
        self,
        engine: FirestoreEngine,
        caller: Caller,
        database: str | None = None,
        registry: WriteStreamRegistry | None = None,
    ) -> None:
        self.engine = engine
        self.caller = caller
        self.database = database
        self.registry = registry
        self.state: _StreamState | None = None
        self.failed = False
        self._lock = threading.Lock()

    @property
    def stream_id(self) -> str | None:
        return self.state.stream_id if self.state is not None else None

    def handle(self, request: Message) -> list[Message]:
        """The answers to one request, in order. Raises FirestoreError to end the stream."""
        with self._lock:  # requests of one stream apply in the order they were sent
            if self.failed:
                raise FirestoreError(Code.FAILED_PRECONDITION, "The write stream has ended")
            try:
                if self.state is None:
                    return self._open(request)
                return [self._write(request)]
            except Exception:  # FirestoreError, or a bug the transport reports as INTERNAL
                self.failed = True
                if self.state is not None and self.registry is not None:
                    self.registry.discard(self.state)
                raise

    def close(self) -> None:
        """The connection ended; a stream that did not fail stays resumable for a while.
        Does not wait for a request still being applied (the transport may call this on
        its event loop); that request's answer is kept for resumption."""
        if self.state is not None and self.registry is not None and not self.failed:
            self.registry.detach(self.state)

    def _check_database(self, request: Message) -> str:
        if self.database is None:
            if not request.database:
                raise invalid("The first WriteRequest must name the database")
            self.database = request.database
        elif request.database and request.database != self.database:
            raise invalid(f"WriteRequest for {request.database} on a stream for {self.database}")
        return self.database

    def _open(self, request: Message) -> list[Message]:
        database = self._check_database(request)
        if request.writes:
            raise invalid("The first WriteRequest of a stream must not contain writes")
        if request.stream_id:
            return self._resume(request, database)
        if request.stream_token:
            raise invalid("A stream_token on a new write stream needs the stream_id to resume")
        self.state = _StreamState(secrets.token_hex(8), database, self.caller)
        if self.registry is not None:
            self.registry.add(self.state)
        _, token = self.state.next_token()
        return [WriteResponse(stream_id=self.state.stream_id, stream_token=token)]

    def _resume(self, request: Message, database: str) -> list[Message]:
        if self.registry is None:
            raise FirestoreError(
                Code.NOT_FOUND, f"Write stream {request.stream_id} not found (not resumable)"
            )
        if not request.stream_token:
            raise invalid("Resuming a write stream needs the stream_token to resume from")
        state = self.registry.resume(request.stream_id, self.caller)
        if state.database != database:
            self.registry.detach(state)
            raise invalid(f"Write stream {state.stream_id} is for {state.database}")
        try:
            state.acknowledge(request.stream_token)
        except FirestoreError:
            self.registry.detach(state)
            raise
        self.state = state
        replay = [state.unacknowledged[n] for n in sorted(state.unacknowledged)]
        _, token = state.next_token()
        return [*replay, WriteResponse(stream_id=state.stream_id, stream_token=token)]

    def _write(self, request: Message) -> Message:
        self._check_database(request)
        state = self.state
        if request.stream_id and request.stream_id != state.stream_id:
            raise invalid("stream_id may only be set on the first WriteRequest")
        if not request.stream_token:
            raise invalid("WriteRequest after the handshake needs the stream_token")
        state.acknowledge(request.stream_token)
        if len(state.unacknowledged) >= MAX_UNACKNOWLEDGED:
            raise FirestoreError(
                Code.RESOURCE_EXHAUSTED,
                f"More than {MAX_UNACKNOWLEDGED} write responses were not acknowledged",
            )
        if not request.writes:
            _, token = state.next_token()
            return WriteResponse(stream_token=token)
        commit = protos.CommitRequest(database=state.database)
        commit.writes.extend(request.writes)
        result = self.engine.commit(commit, self.caller)
        number, token = state.next_token()
        response = WriteResponse(stream_token=token)
        response.write_results.extend(result.write_results)
        response.commit_time.CopyFrom(result.commit_time)
        if self.registry is not None:
            state.unacknowledged[number] = response
        return response
