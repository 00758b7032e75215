"""Reads the mail emulator's Mailpit-style API over HTTP, as a developer's browser would."""

from __future__ import annotations

import time

import httpx


class Mailbox:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def messages(self) -> list[dict]:
        response = httpx.get(f"{self.base_url}/api/v1/messages", params={"limit": 1000})
        response.raise_for_status()
        return response.json()["messages"]

    def message(self, message_id: str) -> dict:
        response = httpx.get(f"{self.base_url}/api/v1/message/{message_id}")
        response.raise_for_status()
        return response.json()

    def to(self, address: str) -> list[dict]:
        """Summaries of the messages addressed to ``address``, newest first."""
        wanted = address.lower()
        return [m for m in self.messages() if any(t["Address"].lower() == wanted for t in m["To"])]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 20) -> list[dict]:
        """Full messages to ``address`` once at least ``count`` arrived, newest first."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.to(address)
            if len(found) >= count:
                return [self.message(m["ID"]) for m in found]
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} mail(s) to {address} did not arrive; got {found}")
            time.sleep(0.1)

    def clear(self) -> None:
        httpx.delete(f"{self.base_url}/api/v1/messages").raise_for_status()
