"""Helpers shared by the database tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time

from emulators.auth import idtokens
from tests.emulators.database.conftest import PROJECT


def mock_token(uid: str, project: str = PROJECT, **claims) -> str:
    """An unsigned ID token for ``project`` as the Auth emulator issues (alg none), valid
    for an hour unless ``claims`` say otherwise."""

    now = int(time.time())
    return idtokens.encode_unsigned(
        {
            "iss": idtokens.issuer(project),
            "aud": project,
            "sub": uid,
            "user_id": uid,
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
    )
