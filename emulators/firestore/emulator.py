"""The Firestore emulator: engine + grpcio server + Starlette app behind one public port.

Wires the core to its subscribers and transports: the Listen registry, the hot-document
monitor and the event bus (for triggers) subscribe to the engine's commits, in that
order; gRPC and WebChannel share the one Listen registry.

Settings (``emulators.firestore`` in firebase.json): ``host``, ``port``, and
``transactionTimeoutSeconds`` (idle time after which a transaction expires and releases
its locks; default 60, the environment variable FIRESTORE_EMULATOR_TRANSACTION_TIMEOUT
overrides it); ``enforceIndexes`` (default true: queries that need an index missing from
the ``firestore.indexes`` file of firebase.json are refused, as production does; the
environment variable FIRESTORE_EMULATOR_ENFORCE_INDEXES=false turns it off).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from emulators.base import Emulator
from emulators.config import Address
from emulators.events import FirestoreWrite
from emulators.firestore import persistence
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.hotspots import HotDocumentMonitor
from emulators.firestore.indexes import IndexGate
from emulators.firestore.listen import Listeners
from emulators.firestore.transactions import DEFAULT_IDLE_TIMEOUT
from emulators.firestore.transports.front import PortFront
from emulators.firestore.transports.grpc import GrpcServer
from emulators.firestore.transports.http import build_app
from emulators.firestore.transports.rest import rest_routes
from emulators.firestore.transports.webchannel.routes import webchannel_routes
from emulators.serving import BackgroundServer

log = logging.getLogger(__name__)


def _indexes_path(config) -> Path | None:
    section = config.raw.get("firestore")
    if isinstance(section, list):
        section = section[0] if section else None
    if not section or "indexes" not in section:
        return None
    return config.root / section["indexes"]


def _enforce_indexes(settings: dict) -> bool:
    value = os.environ.get("FIRESTORE_EMULATOR_ENFORCE_INDEXES", settings.get("enforceIndexes"))
    if value is None:
        return True
    return str(value).strip().lower() not in ("false", "0", "no", "off")


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
            config.firestore_rules,
            project=config.project,
            transaction_idle_timeout=float(timeout),
            indexes=IndexGate(_indexes_path(config), _enforce_indexes(settings)),
        )
        self.listeners = Listeners(self.engine)
        self.engine.add_commit_observer(HotDocumentMonitor().observe)
        self.engine.add_commit_observer(self._publish)
        self.engine.after_write = hub.events.hold_writer
        self._grpc = None
        self._http: BackgroundServer | None = None
        self._front: PortFront | None = None
        self._journal: persistence.FirestoreJournal | None = None

    def start(self) -> None:
        if self.config.data_dir is not None:
            self._journal = persistence.FirestoreJournal(self.config.data_dir)
            loaded = self._journal.attach(self.engine)
            log.info("Firestore: %d documents loaded from %s", loaded, self.config.data_dir)
        if self.config.import_dir is not None:
            imported = persistence.import_all(self.engine, self.config.import_dir)
            log.info("Firestore: %d documents imported from %s", imported, self.config.import_dir)
        self._grpc = GrpcServer(self.engine, self.listeners)
        grpc_port = self._grpc.start()
        app = build_app(
            self.engine,
            extra_routes=[
                *rest_routes(self.engine),
                *webchannel_routes(self.engine, self.listeners),
            ],
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
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def export_state(self, folder: Path) -> None:
        persistence.export_all(self.engine, folder)

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
