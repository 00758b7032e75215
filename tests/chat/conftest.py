"""People who sign up through the functions and act through the real SDKs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from google.cloud import firestore

from tests.conftest import new_account
from tests.support import emulators, firebase
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


@pytest.fixture
def functions_env(functions_host: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process set up as the functions host sets up theirs, to run the functions'
    own code (``chat.messages`` ...) directly against the same emulators and database."""
    for key, value in functions_host.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", functions_host.host("firestore"))
    monkeypatch.setenv("GCLOUD_PROJECT", functions_host.project)
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")


def create_room_while_firestore_is_down(person: Person, tmp_path, name: str) -> str:
    """createRoom through a second functions host whose Firestore address is dead: the
    change commits in PostgreSQL and its mirror stays pending in the outbox."""
    cut_off = emulators.start(tmp_path, ["functions"], env=person.host.env)
    try:
        response = httpx.post(
            cut_off.functions_url("createRoom"),
            json={"data": {"name": name}},
            headers={"Authorization": f"Bearer {person.id_token}"},
            timeout=60,
        )
    finally:
        cut_off.stop()
    assert response.status_code == 200, response.text
    return response.json()["result"]["roomId"]


def pending_outbox_rows(db, subject_id: str) -> int:
    """How many outbox rows for ``subject_id`` are not applied yet."""
    return db.execute(
        "SELECT count(*) AS n FROM outbox WHERE subject_id = %s AND applied_at IS NULL",
        (subject_id,),
    ).fetchone()["n"]
