"""Signed webhook notifications (cloudinary.com/documentation/notifications).

Each notification is POSTed as JSON in the background, after the upload has answered, with
``X-Cld-Timestamp`` and ``X-Cld-Signature`` (SHA-1 hex of body + timestamp + API secret).
A receiver that fails or answers other than 2xx is tried again after each delay in
``retry_delays``. Only loopback receivers are allowed: the emulator must never be turned
into a way to make requests to other machines.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

from emulators.cloudinary import signatures
from emulators.cloudinary.errors import bad_request

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT_SECONDS = 5.0


def check_notification_url(url: str) -> None:
    """Refuse anything but an http(s) URL on a loopback address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise bad_request(f"Invalid notification_url {url}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise bad_request(f"Invalid notification_url {url}")
    if not _is_loopback(host):
        raise bad_request(
            f"notification_url {url} is not a loopback address; "
            "the local Cloudinary only notifies localhost, 127.0.0.0/8 or ::1"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Notifier:
    def __init__(self, api_secret: str, retry_delays: Sequence[float]) -> None:
        self._secret = api_secret
        self._retry_delays = tuple(retry_delays)
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cloudinary-notify")
        # trust_env=False: no proxy from the environment may receive a local notification.
        self._client = httpx.Client(
            timeout=ATTEMPT_TIMEOUT_SECONDS, trust_env=False, follow_redirects=False
        )

    def send(self, url: str, payload: dict[str, Any]) -> None:
        check_notification_url(url)
        self._pool.submit(self._deliver, url, payload)

    def stop(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def _deliver(self, url: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":"))
        attempts = len(self._retry_delays) + 1
        for attempt in range(1, attempts + 1):
            if self._stopping.is_set():
                return
            # Signed per attempt: a retry carries a fresh timestamp, as Cloudinary's do.
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "X-Cld-Timestamp": str(timestamp),
                "X-Cld-Signature": signatures.notification_signature(body, timestamp, self._secret),
            }
            try:
                response = self._client.post(url, content=body.encode("utf-8"), headers=headers)
                if 200 <= response.status_code < 300:
                    return
                problem = f"status {response.status_code}"
            except httpx.HTTPError as exc:
                problem = repr(exc)
            if attempt == attempts:
                log.warning(
                    "notification to %s failed after %d attempts: %s", url, attempts, problem
                )
                return
            log.info("notification to %s failed (%s); retrying", url, problem)
            if self._stopping.wait(self._retry_delays[attempt - 1]):
                return
