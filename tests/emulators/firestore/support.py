"""Constants and helpers shared by the Firestore emulator tests."""

from __future__ import annotations

import httpx

PROJECT = "demo-flowchat-test"
# The emulator under test expires idle transactions after this many seconds.
TRANSACTION_TIMEOUT = 3.0


def clear_all(http: httpx.Client) -> None:
    response = http.delete(f"/emulator/v1/projects/{PROJECT}/databases/(default)/documents")
    response.raise_for_status()
