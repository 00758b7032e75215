"""Who a credential makes the caller: shared by the WebSocket and REST protocols."""

from __future__ import annotations

from typing import Any

from emulators.auth import idtokens
from emulators.database.rules.ruleset import ADMIN, Auth

OWNER_CREDENTIAL = "owner"


def auth_for_token(token: Any) -> Auth:
    """``owner`` is the admin credential the SDKs send in emulator mode; anything else must
    be an ID token: from the Auth emulator, or a ``mockUserToken`` built by
    ``connectDatabaseEmulator`` (``idtokens.decode`` accepts those despite their long-past
    expiry, as Google's emulator does). Raises InvalidIdToken."""
    if token == OWNER_CREDENTIAL:
        return ADMIN
    if not isinstance(token, str) or not token:
        raise idtokens.InvalidIdToken("credential must be a non-empty string")
    return Auth.from_claims(idtokens.decode(token))
