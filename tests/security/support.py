"""Acting on the Realtime Database and on ID tokens as an attacker or a client would."""

from __future__ import annotations

import httpx

from emulators.auth import idtokens
from tests.support.emulators import EmulatorProcess


def put_presence(
    host: EmulatorProcess, uid: str, token: str, connection: str = "c1", state: str = "online"
) -> int:
    """A client's presence write over REST with ``token``; the HTTP status."""
    response = httpx.put(
        f"{host.url('database')}/status/{uid}/{connection}.json",
        params={"ns": f"{host.project}-default-rtdb", "auth": token},
        json={"state": state, "lastChanged": {".sv": "timestamp"}},
        timeout=10,
    )
    return response.status_code


def reissued(id_token: str, **claims) -> str:
    """The same ID token with some claims changed (emulator tokens are unsigned)."""
    return idtokens.encode_unsigned({**idtokens.decode_unverified(id_token)[1], **claims})
