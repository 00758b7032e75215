"""People who sign up through the functions and act through the real SDKs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import firebase_admin
import httpx
import pytest
from google.cloud import firestore

from tests.support import emulators, firebase
from tests.support.accounts import new_account
from tests.support.emulators import EmulatorProcess


@dataclass
class Person:
    host: EmulatorProcess
    uid: str
    username: str
    access_token: str
    id_token: str
    db: firebase.UserFirestore
    password: str = ""

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
        return sign_up(api, functions_host, name)

    return make


def sign_up(api: httpx.Client, host: EmulatorProcess, name: str) -> Person:
    """A new person, registered through ``api`` and signed in to ``host``'s Auth."""
    account = new_account(api, username=f"{name}{uuid.uuid4().hex[:8]}")
    id_token = firebase.sign_in(host, account["firebaseToken"])
    return Person(
        host=host,
        uid=account["user"]["id"],
        username=account["user"]["username"],
        access_token=account["accessToken"],
        id_token=id_token,
        db=firebase.UserFirestore(host, id_token),
        password=account["password"],
    )


@pytest.fixture
def functions_env(
    functions_host: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """This process set up as the functions host sets up theirs, to run the functions'
    own code (``chat.messages`` ...) directly against the same emulators and database.
    The Firebase app the functions make on first use goes with the test, so that later
    tests can make their own."""
    for key, value in functions_host.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", functions_host.host("firestore"))
    monkeypatch.setenv("FIREBASE_DATABASE_EMULATOR_HOST", functions_host.host("database"))
    monkeypatch.setenv("GCLOUD_PROJECT", functions_host.project)
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    yield
    with contextlib.suppress(ValueError):  # ValueError: the test never made one
        firebase_admin.delete_app(firebase_admin.get_app())


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


def run_tool(functions_host: EmulatorProcess, module: str, *args: str) -> str:
    """``python -m <module>`` (``tools.reconcile``, ``tools.reindex``) against the test
    stack; its output."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=emulators.ROOT,
        env={
            **os.environ,
            "DATABASE_URL": functions_host.env["DATABASE_URL"],
            "FIRESTORE_EMULATOR_HOST": functions_host.host("firestore"),
            "FIREBASE_DATABASE_EMULATOR_HOST": functions_host.host("database"),
            "GCLOUD_PROJECT": functions_host.project,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
