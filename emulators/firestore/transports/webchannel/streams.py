"""The two Firestore streams the browser SDK opens over WebChannel, bridged to the engine.

Messages arrive as proto3 JSON (the browser SDK serializes with ``useProto3Json``) and
leave the same way. A stream error is sent as ``{"error": {code, message, status}}``,
after which the stream is over, as a failed gRPC stream would be.
"""

from __future__ import annotations

import logging
from typing import Any

from google.protobuf.message import Message

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.listen import Listeners
from emulators.firestore.security import Caller
from emulators.firestore.streams import WriteRequest, WriteStream
from emulators.firestore.transports.protojson import parse, to_json
from emulators.firestore.transports.webchannel.session import ChannelSession

log = logging.getLogger(__name__)


def send_error(session: ChannelSession, error: FirestoreError) -> None:
    session.push_error(error.http_status, Code(error.code).name, error.message)


class ListenBridge:
    """google.firestore.v1.Firestore/Listen: targets in, snapshots out."""

    def __init__(self, listeners: Listeners, caller: Caller, session: ChannelSession) -> None:
        self.session = session
        self.failed = False
        self.listen = listeners.open(caller, self._send)

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
            responses = self.stream.handle(parse(message, WriteRequest))
        except FirestoreError as error:
            self.failed = True
            send_error(self.session, error)
            return
        for response in responses:
            self.session.push_message(to_json(response))

    def close(self) -> None:
        self.failed = True
        self.stream.close()
