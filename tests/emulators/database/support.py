"""Helpers shared by the database tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import json
import time


def mock_token(uid: str, **claims) -> str:
    """An unsigned ID token as the Auth emulator issues (alg none), valid for an hour
    unless ``claims`` say otherwise."""

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"sub": uid, "user_id": uid, "iat": now, "exp": now + 3600, **claims}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."
