"""Push notifications to people's devices.

Deployed, pushes go through Firebase Cloud Messaging. Under the emulator FCM cannot be
reached, so pushes are appended to a JSON-lines file for people and tests to read. Its path
is the environment variable ``PUSH_LOG_PATH``, which the emulator sets; it is not a function
param, because a deployed function never reads it.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Protocol

import logs

log = logs.get(__name__)

PUSH_LOG_PATH_DEFAULT = ".flowchat/pushes.jsonl"


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
    """Data-only web pushes: the client's service worker shows each one itself (sender,
    room, preview, grouped per room) and opens ``data["link"]`` on a click. Tokens FCM
    calls dead are deleted from ``device_tokens``."""

    def send(self, pushes: list[Push]) -> None:
        from firebase_admin import messaging

        import clients

        sent = [
            (
                token,
                messaging.Message(
                    token=token,
                    data=push.data,
                    webpush=messaging.WebpushConfig(headers={"Urgency": "high", "TTL": "86400"}),
                ),
            )
            for push in pushes
            for token in push.tokens
        ]
        dead: list[str] = []
        for start in range(0, len(sent), 500):  # FCM's limit per call
            chunk = sent[start : start + 500]
            response = messaging.send_each(
                [message for _, message in chunk], app=clients.firebase_app()
            )
            for (token, _), result in zip(chunk, response.responses, strict=True):
                if not result.success and is_dead_token(result.exception):
                    dead.append(token)
            if response.failure_count:
                log.warning(
                    "%d of %d pushes failed", response.failure_count, len(response.responses)
                )
        if dead:
            from db import notifications, pool

            with pool.transaction() as conn:
                removed = notifications.remove_device_tokens(conn, dead)
            log.info("removed %d dead device tokens", removed)


def is_dead_token(error: Exception | None) -> bool:
    """Whether FCM's answer says the token will never work again: unregistered (the app
    was removed or the token expired), registered to another sender, or not a token at
    all. Other failures (quota, unavailable, a bad payload) leave the token alone."""
    from firebase_admin import exceptions, messaging

    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return True
    if not isinstance(error, exceptions.InvalidArgumentError):
        return False
    if "registration token" in str(error).lower():
        return True
    try:
        details = error.http_response.json()["error"]["details"]
    except Exception:
        return False
    return any(
        violation.get("field") == "message.token"
        for detail in details
        if isinstance(detail, dict)
        for violation in detail.get("fieldViolations") or []
        if isinstance(violation, dict)
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
        return RecordingNotifier(os.environ.get("PUSH_LOG_PATH", PUSH_LOG_PATH_DEFAULT))
    return FcmNotifier()
