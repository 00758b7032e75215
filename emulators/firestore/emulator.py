"""The Firestore emulator: engine + grpcio server + Starlette app behind one public port.

Settings (``emulators.firestore`` in firebase.json): ``host``, ``port``, and
``transactionTimeoutSeconds`` (idle time after which a transaction expires and releases
its locks; default 60, the environment variable FIRESTORE_EMULATOR_TRANSACTION_TIMEOUT
overrides it).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime

from emulators.base import Emulator
from emulators.config import Address
from emulators.events import FirestoreWrite
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.front import PortFront
from emulators.firestore.grpc_service import GrpcServer
from emulators.firestore.http_app import build_app
from emulators.firestore.rest import browser_routes
from emulators.firestore.transactions import DEFAULT_IDLE_TIMEOUT
from emulators.serving import BackgroundServer

log = logging.getLogger(__name__)


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FirestoreEmulator(Emulator):
    name = "firestore"

    def __init__(self, config, hub) -> None:
        super().__init__(config, hub)
        settings = config.raw.get("emulators", {}).get("firestore", {})
        timeout = os.environ.get(
            "FIRESTORE_EMULATOR_TRANSACTION_TIMEOUT",
            settings.get("transactionTimeoutSeconds", DEFAULT_IDLE_TIMEOUT),
        )
        self.engine = FirestoreEngine(
            config.firestore_rules, transaction_idle_timeout=float(timeout)
        )
        self.engine.commit_observers.append(self._publish)
        self._grpc = None
        self._http: BackgroundServer | None = None
        self._front: PortFront | None = None

    def start(self) -> None:
        self._grpc = GrpcServer(self.engine)
        grpc_port = self._grpc.start()
        app = build_app(
            self.engine,
            extra_routes=browser_routes(self.engine),
            default_export_dir=self.config.state_dir / "firestore-export",
        )
        for attempt in range(3):  # the free port we picked may be taken before we bind it
            http_address = Address("127.0.0.1", _free_loopback_port())
            self._http = BackgroundServer(app, http_address, name="firestore-http")
            try:
                self._http.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._front = PortFront(self.address, grpc_port, http_address.port)
        self._front.start()
        log.info(
            "Firestore on %s (gRPC on 127.0.0.1:%s, HTTP on %s)",
            self.address,
            grpc_port,
            http_address,
        )

    def stop(self) -> None:
        if self._front is not None:
            self._front.stop()
        if self._http is not None:
            self._http.stop()
        if self._grpc is not None:
            self._grpc.stop()

    def environment(self) -> dict[str, str]:
        return {"FIRESTORE_EMULATOR_HOST": str(self.address)}

    def _publish(self, database: str, changes: list, commit_us: int) -> None:
        """Announce each changed document on the launcher's event bus (for triggers)."""
        if not self.hub.events.has_listeners(FirestoreWrite):
            return
        _, project, _, database_id = database.split("/")[:4]
        commit_time = datetime.fromtimestamp(commit_us / 1_000_000, UTC)
        for path, before, after in changes:
            self.hub.events.publish(
                FirestoreWrite(
                    project=project,
                    database=database_id,
                    document=path,
                    before=before.doc if before is not None else None,
                    after=after.doc if after is not None else None,
                    commit_time=commit_time,
                )
            )
