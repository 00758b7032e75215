"""The Auth emulator: its HTTP server, and the in-process API other emulators use."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from emulators.auth import idtokens, persistence
from emulators.auth.accounts import AccountStore, UserAccount
from emulators.auth.routes import create_app
from emulators.auth.service import AuthService, TokenStatus
from emulators.base import Emulator, Hub
from emulators.config import Config
from emulators.serving import BackgroundServer

log = logging.getLogger(__name__)


class AuthEmulator(Emulator):
    name = "auth"

    def __init__(self, config: Config, hub: Hub) -> None:
        super().__init__(config, hub)
        self.service = AuthService(AccountStore())
        self._server: BackgroundServer | None = None
        self._journal: persistence.AuthJournal | None = None

    def start(self) -> None:
        store = self.service.store
        if self.config.data_dir is not None:
            self._journal = persistence.AuthJournal(self.config.data_dir)
            loaded = self._journal.attach(store)
            log.info("Auth: %d accounts loaded from %s", loaded, self.config.data_dir)
        if self.config.import_dir is not None:
            imported = persistence.import_all(store, self.config.import_dir)
            log.info("Auth: %d accounts imported from %s", imported, self.config.import_dir)
        app = create_app(self.service, self.config.project)
        self._server = BackgroundServer(app, self.address, name="auth")
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._journal is not None:
            self._journal.close(self.service.store)
            self._journal = None

    def export_state(self, folder: Path) -> None:
        persistence.export_all(self.service.store, folder)

    def environment(self) -> dict[str, str]:
        return {"FIREBASE_AUTH_EMULATOR_HOST": str(self.address)}

    # --- in-process API -------------------------------------------------------------------

    def token_status(self, claims: dict[str, Any]) -> TokenStatus:
        """Why a decoded ID token is or is not usable now: expired, its user deleted or
        disabled, or issued before the user's tokens were revoked."""
        return self.service.token_status(claims)

    def is_token_valid(self, claims: dict[str, Any]) -> bool:
        return self.service.token_status(claims) is TokenStatus.VALID

    def verify_id_token(self, token: str) -> dict[str, Any]:
        """Claims of a token that ``is_token_valid``; raises ``idtokens.InvalidIdToken``."""
        claims = idtokens.verify(token, self.config.project)
        status = self.service.token_status(claims)
        if status is not TokenStatus.VALID:
            raise idtokens.InvalidIdToken(f"ID token refused: {status.value}")
        return claims

    def get_user(self, uid: str, project_id: str | None = None) -> UserAccount | None:
        return self.service.store.project(project_id or self.config.project).get(uid)
