"""People who sign up through the functions and act through the real SDKs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from google.cloud import firestore

from tests.conftest import new_account
from tests.support import firebase
from tests.support.emulators import EmulatorProcess


@dataclass
class Person:
    host: EmulatorProcess
    uid: str
    username: str
    access_token: str
    id_token: str
    db: firebase.UserFirestore

    def call(self, name: str, data: Any = None) -> httpx.Response:
        return firebase.call(self.host, name, data if data is not None else {}, self.id_token)

    def ok(self, name: str, data: Any = None) -> Any:
        """Call and expect success; the callable's result."""
        response = self.call(name, data)
        assert response.status_code == 200, f"{name}: {response.status_code} {response.text}"
        return response.json()["result"]


@pytest.fixture(scope="session")
def admin_db(functions_host: EmulatorProcess) -> firestore.Client:
    return firebase.admin_firestore(functions_host)


@pytest.fixture
def person(api: httpx.Client, functions_host: EmulatorProcess):
    """Make a new signed-up, signed-in person: ``person()``."""

    def make(name: str = "user") -> Person:
        account = new_account(api, username=f"{name}{uuid.uuid4().hex[:8]}")
        id_token = firebase.sign_in(functions_host, account["firebaseToken"])
        return Person(
            host=functions_host,
            uid=account["user"]["id"],
            username=account["user"]["username"],
            access_token=account["accessToken"],
            id_token=id_token,
            db=firebase.UserFirestore(functions_host, id_token),
        )

    return make
