"""Who a credential makes the caller: shared by the WebSocket and REST protocols."""

from __future__ import annotations

from typing import Any

from emulators.auth import idtokens
from emulators.database.rules.ruleset import ADMIN, Auth

OWNER_CREDENTIAL = "owner"


def auth_for_token(token: Any, project: str) -> Auth:
    """``owner`` is the admin credential the SDKs send in emulator mode; anything else must
    be an ID token for ``project``, checked by the shared verifier: from the Auth emulator,
    or a ``mockUserToken`` built by ``connectDatabaseEmulator``. Raises InvalidIdToken."""
    if token == OWNER_CREDENTIAL:
        return ADMIN
    return Auth.from_claims(idtokens.verify(token, project, accept_mock_user_tokens=True))
