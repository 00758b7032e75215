"""The two Firestore streams the browser SDK opens over WebChannel, bridged to the engine.

Messages arrive as proto3 JSON (the browser SDK serializes with ``useProto3Json``) and
leave the same way. A stream error is sent as ``{"error": {code, message, status}}``,
after which the stream is over, as a failed gRPC stream would be.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from typing import Any

from google.cloud.firestore_v1.types import firestore as firestore_types
from google.protobuf import json_format
from google.protobuf.message import Message

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.security import Caller
from emulators.firestore.webchannel.session import ChannelSession

log = logging.getLogger(__name__)

WriteRequest = firestore_types.WriteRequest.pb()
WriteResponse = firestore_types.WriteResponse.pb()


def to_json(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def parse(message: Any, message_class: type[Message]) -> Message:
    if not isinstance(message, dict):
        raise invalid(f"{message_class.DESCRIPTOR.name} must be a JSON object")
    parsed = message_class()
    try:
        json_format.ParseDict(message, parsed)
    except json_format.ParseError as exc:
        raise invalid(f"Invalid {message_class.DESCRIPTOR.name}: {exc}") from None
    return parsed


def send_error(session: ChannelSession, error: FirestoreError) -> None:
    session.push_error(error.http_status, Code(error.code).name, error.message)


class ListenBridge:
    """google.firestore.v1.Firestore/Listen: targets in, snapshots out."""

    def __init__(self, engine: FirestoreEngine, caller: Caller, session: ChannelSession) -> None:
        self.session = session
        self.failed = False
        self.listen = engine.open_listen(caller, self._send)

    def _send(self, response: Message) -> None:
        self.session.push_message(to_json(response))

    def handle(self, message: Any) -> None:
        if self.failed:
            return
        try:
            request = parse(message, protos.ListenRequest)
            if request.database and request.database != self.session.database:
                raise invalid(
                    f"ListenRequest for {request.database} on a channel opened for "
                    f"{self.session.database}"
                )
            self.listen.handle(request)
        except FirestoreError as error:
            self.failed = True
            send_error(self.session, error)
            self.listen.close()

    def close(self) -> None:
        self.listen.close()


class WriteStream:
    """google.firestore.v1.Firestore/Write without a transport: WriteRequest protos in,
    WriteResponse protos out, FirestoreError for a request that ends the stream. The first
    request is the handshake that hands out a stream token; each later one is a commit,
    answered in order with the next token. (The gRPC server can serve Write with it too.)
    """

    def __init__(self, engine: FirestoreEngine, caller: Caller, database: str | None) -> None:
        self.engine = engine
        self.caller = caller
        self.database = database
        self.stream_id = secrets.token_hex(8)
        self.handshaken = False
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()

    def _next_token(self) -> bytes:
        return f"{self.stream_id}:{next(self._tokens)}".encode()

    def handle(self, request: Message) -> Message:
        with self._lock:  # commits of one stream apply in the order they were sent
            if self.database is None:
                if not request.database:
                    raise invalid("The first WriteRequest must name the database")
                self.database = request.database
            elif request.database and request.database != self.database:
                raise invalid(
                    f"WriteRequest for {request.database} on a stream for {self.database}"
                )
            if not self.handshaken:
                if request.writes:
                    raise invalid("The first WriteRequest of a stream must not contain writes")
                self.handshaken = True
                return WriteResponse(stream_id=self.stream_id, stream_token=self._next_token())
            if not request.stream_token:
                raise invalid("WriteRequest after the handshake needs the stream_token")
            commit = protos.CommitRequest(database=self.database)
            commit.writes.extend(request.writes)
            result = self.engine.commit(commit, self.caller)
            response = WriteResponse(stream_token=self._next_token())
            response.write_results.extend(result.write_results)
            response.commit_time.CopyFrom(result.commit_time)
            return response


class WriteBridge:
    """The Write stream over WebChannel: JSON in, JSON out, errors end the stream."""

    def __init__(self, engine: FirestoreEngine, caller: Caller, session: ChannelSession) -> None:
        self.session = session
        self.stream = WriteStream(engine, caller, session.database)
        self.failed = False

    def handle(self, message: Any) -> None:
        if self.failed:
            return
        try:
            response = self.stream.handle(parse(message, WriteRequest))
        except FirestoreError as error:
            self.failed = True
            send_error(self.session, error)
            return
        self.session.push_message(to_json(response))

    def close(self) -> None:
        self.failed = True
