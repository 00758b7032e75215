"""Acting as a signed-in person against the emulators with the real SDKs: the Auth
emulator's custom-token sign-in, callable functions, and Firestore as that person."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers

from tests.support.emulators import EmulatorProcess


def sign_in(host: EmulatorProcess, custom_token: str) -> str:
    """Exchange a custom token for an ID token, as signInWithCustomToken does."""
    response = httpx.post(
        f"{host.url('auth')}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken",
        params={"key": "fake-api-key"},
        json={"token": custom_token, "returnSecureToken": True},
    )
    response.raise_for_status()
    return response.json()["idToken"]


def admin_firestore(host: EmulatorProcess) -> firestore.Client:
    """Firestore as the functions see it: ``Bearer owner``, rules do not apply."""
    with _emulator_host(host.host("firestore")):
        return firestore.Client(project=host.project, credentials=AnonymousCredentials())


class UserFirestore(firestore.Client):
    """google-cloud-firestore sending a person's ID token instead of the emulator's
    ``Bearer owner``, so the security rules apply as they do to a browser."""

    def __init__(self, host: EmulatorProcess, id_token: str | None) -> None:
        with _emulator_host(host.host("firestore")):
            super().__init__(project=host.project, credentials=AnonymousCredentials())
        self._id_token = id_token

    @property
    def _rpc_metadata(self):
        metadata = _helpers.metadata_with_prefix(self._database_string)
        if self._id_token:
            metadata.append(("authorization", f"Bearer {self._id_token}"))
        return metadata


@contextmanager
def _emulator_host(address: str) -> Iterator[None]:
    """The client reads FIRESTORE_EMULATOR_HOST once, when it is made."""
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = address
    try:
        yield
    finally:
        if previous is None:
            del os.environ["FIRESTORE_EMULATOR_HOST"]
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous


def call(host: EmulatorProcess, name: str, data: Any, id_token: str | None) -> httpx.Response:
    """A callable function over HTTP, as the client SDK's httpsCallable sends it."""
    headers = {"Authorization": f"Bearer {id_token}"} if id_token else {}
    return httpx.post(host.functions_url(name), json={"data": data}, headers=headers, timeout=30)


def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy (for work triggers do later)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
