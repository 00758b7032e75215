"""Push notifications to people's devices.

Deployed, pushes go through Firebase Cloud Messaging. Under the emulator FCM cannot be
reached, so pushes are appended to a JSON-lines file (``PUSH_LOG_PATH``) for people and
tests to read.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Protocol

from firebase_functions.params import StringParam

log = logging.getLogger(__name__)

PUSH_LOG_PATH = StringParam("PUSH_LOG_PATH", default=".flowchat/pushes.jsonl")


@dataclass(frozen=True)
class Push:
    user_id: str
    title: str
    body: str
    tokens: list[str] = field(default_factory=list)
    data: dict[str, str] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, pushes: list[Push]) -> None: ...


class FcmNotifier:
    def send(self, pushes: list[Push]) -> None:
        from firebase_admin import messaging

        import clients

        messages = [
            messaging.Message(
                token=token,
                notification=messaging.Notification(title=push.title, body=push.body),
                data=push.data,
            )
            for push in pushes
            for token in push.tokens
        ]
        for start in range(0, len(messages), 500):  # FCM's limit per call
            response = messaging.send_each(
                messages[start : start + 500], app=clients.firebase_app()
            )
            if response.failure_count:
                log.warning(
                    "%d of %d pushes failed", response.failure_count, len(response.responses)
                )


class RecordingNotifier:
    _lock = threading.Lock()

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, pushes: list[Push]) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as file:
            for push in pushes:
                file.write(json.dumps(asdict(push)) + "\n")


def notifier() -> Notifier:
    if os.environ.get("FUNCTIONS_EMULATOR") == "true":
        return RecordingNotifier(PUSH_LOG_PATH.value)
    return FcmNotifier()
