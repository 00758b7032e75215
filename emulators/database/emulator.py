"""``DatabaseEmulator``: serves the WebSocket and REST protocols on the database port
and reloads ``database.rules.json`` when the file changes."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from emulators.base import Emulator, Hub
from emulators.config import Config
from emulators.database import persistence
from emulators.database.engine import CommittedWrite, DatabaseEngine
from emulators.database.longpoll import LongPollEndpoint
from emulators.database.rest import RestApi, namespace_of
from emulators.database.rules.ruleset import RulesError, Ruleset
from emulators.database.websocket import serve_websocket
from emulators.events import DatabaseWrite
from emulators.rules_support import WatchedFile
from emulators.serving import BackgroundServer

log = logging.getLogger(__name__)

DENY_ALL = {"rules": {".read": False, ".write": False}}
RULES_POLL_SECONDS = 0.5
# A client that vanishes without closing its socket is noticed by missed pings.
PING_INTERVAL_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 5.0


def build_app(engine: DatabaseEngine) -> Starlette:
    rest = RestApi(engine)
    long_poll = LongPollEndpoint(engine, namespace_of)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        namespace = namespace_of(websocket, engine)
        await serve_websocket(websocket, engine, namespace, long_poll.upgrading)

    return Starlette(
        routes=[
            WebSocketRoute("/.ws", websocket_endpoint),
            Route("/.lp", long_poll.handle, methods=["GET"]),
            Route("/.settings/rules.json", rest.rules, methods=["GET", "PUT"]),
            Route("/.emulator/reset", rest.reset, methods=["POST"]),
            Route("/{path:path}", rest.data, methods=["GET", "PUT", "POST", "PATCH", "DELETE"]),
        ]
    )


class RulesFileWatcher:
    """Polls the rules file and hands each new valid version to the engine."""

    def __init__(self, path: Path, engine: DatabaseEngine) -> None:
        self.file = WatchedFile(path)
        self.file.changed()  # the version the engine was started with
        self.engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="database-rules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(RULES_POLL_SECONDS):
            if not self.file.changed() or self.file.stamp() is None:
                continue
            try:
                rules = Ruleset.from_text(self.file.path.read_text())
            except (OSError, RulesError) as exc:
                log.error("database rules not reloaded, keeping the previous ones: %s", exc)
                continue
            self.engine.set_file_rules(rules)
            log.info("database rules reloaded from %s", self.file.path)


class DatabaseEmulator(Emulator):
    name = "database"

    def __init__(self, config: Config, hub: Hub) -> None:
        super().__init__(config, hub)
        self.engine = DatabaseEngine(self._load_rules(), config.project)
        self.engine.subscribe(self._publish)
        self._last_event = (0, 0)  # (operation id, event time in microseconds)
        self._server: BackgroundServer | None = None
        self._watcher: RulesFileWatcher | None = None
        self._journal: persistence.DatabaseJournal | None = None

    def _load_rules(self) -> Ruleset:
        path = self.config.database_rules
        if path is None:
            return Ruleset(DENY_ALL)
        try:
            return Ruleset.from_text(path.read_text())
        except OSError as exc:
            raise RulesError(f"cannot read {path}: {exc}") from None

    def start(self) -> None:
        if self.config.data_dir is not None:
            self._journal = persistence.DatabaseJournal(self.config.data_dir)
            loaded = self._journal.attach(self.engine)
            log.info("Database: %d namespaces loaded from %s", loaded, self.config.data_dir)
        if self.config.import_dir is not None:
            imported = persistence.import_all(self.engine, self.config.import_dir)
            log.info("Database: %d namespaces imported from %s", imported, self.config.import_dir)
        self._server = BackgroundServer(
            build_app(self.engine),
            self.address,
            name="database",
            ws_ping_interval=PING_INTERVAL_SECONDS,
            ws_ping_timeout=PING_TIMEOUT_SECONDS,
        )
        self._server.start()
        if self.config.database_rules is not None:
            self._watcher = RulesFileWatcher(self.config.database_rules, self.engine)
            self._watcher.start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._server is not None:
            self._server.stop()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def ready(self) -> None:
        if self._journal is not None:
            lost = self._journal.run_orphaned()
            if lost:
                log.info("Database: ran the onDisconnect writes of %d lost connections", lost)

    def export_state(self, folder: Path) -> None:
        persistence.export_all(self.engine, folder)

    def environment(self) -> dict[str, str]:
        return {"FIREBASE_DATABASE_EMULATOR_HOST": str(self.address)}

    def _publish(self, write: CommittedWrite) -> None:
        """Announce the write on the launcher's event bus (for the functions' triggers)."""
        if not self.hub.events.has_listeners(DatabaseWrite):
            return
        # Event times are distinct and in commit order, as production's are; the database's
        # own clock has millisecond resolution, so later operations may need a nudge.
        last_operation, last_us = self._last_event
        if write.operation_id != last_operation:
            last_us = max(write.timestamp_ms * 1000, last_us + 1)
            self._last_event = (write.operation_id, last_us)
        self.hub.events.publish(
            DatabaseWrite(
                project=self.config.project,
                instance=write.namespace,
                path=write.path.strip("/"),
                before=write.before,
                after=write.after,
                time=datetime.fromtimestamp(last_us / 1_000_000, UTC),
                operation_id=write.operation_id,
                read_before=write.value_before,
                read_after=write.value_after,
                auth_uid=(write.auth or {}).get("uid"),
            )
        )
