"""Helpers shared by the database tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time

from emulators.auth import idtokens


def mock_token(uid: str, **claims) -> str:
    """An unsigned ID token as the Auth emulator issues (alg none), valid for an hour
    unless ``claims`` say otherwise."""

    now = int(time.time())
    return idtokens.encode_unsigned(
        {"sub": uid, "user_id": uid, "iat": now, "exp": now + 3600, **claims}
    )
