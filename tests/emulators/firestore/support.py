"""Constants and helpers shared by the Firestore emulator tests."""

from __future__ import annotations

import queue
import threading

import httpx
from google.cloud.firestore_v1.types import firestore as firestore_types

PROJECT = "demo-flowchat-test"
# The emulator under test expires idle transactions after this many seconds.
TRANSACTION_TIMEOUT = 3.0
LISTEN_TIMEOUT = 10


def clear_all(http: httpx.Client) -> None:
    response = http.delete(f"/emulator/v1/projects/{PROJECT}/databases/(default)/documents")
    response.raise_for_status()


class RawListen:
    """Drives the Listen RPC directly to check the protocol messages."""

    def __init__(self, db) -> None:
        self.db = db
        self.requests: queue.Queue = queue.Queue()
        self.responses: queue.Queue = queue.Queue()
        self.stream = db._firestore_api._transport.listen(
            iter(self.requests.get, None), metadata=db._rpc_metadata
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for response in self.stream:
                self.responses.put(response)
        except Exception as exc:  # the stream was cancelled
            self.responses.put(exc)

    def send(self, **target) -> None:
        self.requests.put(
            firestore_types.ListenRequest(database=self.db._database_string, **target)
        )

    def next(self):
        return firestore_types.ListenResponse.pb(self.responses.get(timeout=LISTEN_TIMEOUT))

    def close(self) -> None:
        self.stream.cancel()
        self.requests.put(None)
