"""Who a credential makes the caller: shared by the WebSocket and REST protocols."""

from __future__ import annotations

from typing import Any

from emulators.auth import idtokens
from emulators.database.rules.ruleset import ADMIN, Auth

OWNER_CREDENTIAL = "owner"


def auth_for_token(token: Any) -> Auth:
    """``owner`` is the admin credential the SDKs send in emulator mode; anything else must
    be an ID token: from the Auth emulator, or a ``mockUserToken`` built by
    ``connectDatabaseEmulator``. Those always carry ``iat: 0, exp: 3600`` (they are long
    "expired"), and Google's emulator accepts them, so expiry is only enforced for tokens
    with a real issue time. Raises InvalidIdToken."""
    if token == OWNER_CREDENTIAL:
        return ADMIN
    if not isinstance(token, str) or not token:
        raise idtokens.InvalidIdToken("credential must be a non-empty string")
    claims = idtokens.decode(token, now=0)
    if claims.get("iat") != 0:
        claims = idtokens.decode(token)
    return Auth.from_claims(claims)
