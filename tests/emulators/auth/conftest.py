"""The Auth emulator as a real subprocess on a free port, and firebase_admin pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import firebase_admin
import httpx
import pytest
from firebase_admin import credentials

from tests.support import emulators


@pytest.fixture(scope="session")
def auth_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulators.EmulatorProcess]:
    running = emulators.start(tmp_path_factory.mktemp("auth"), ["auth"], timeout=30)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def auth_emulator_host(
    auth_emulator: emulators.EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> str:
    """firebase_admin reads FIREBASE_AUTH_EMULATOR_HOST on every verify_id_token call, so it
    is set around each test rather than for the whole pytest session."""
    host = auth_emulator.host("auth")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", host)
    return host


class _NoCredential(credentials.Base):
    """firebase_admin uses its own emulator credential for Auth; this only satisfies
    initialize_app without looking for Google credentials."""

    def get_credential(self):  # pragma: no cover - never called in emulator mode
        raise AssertionError("the Auth emulator needs no Google credential")


@pytest.fixture(scope="session")
def admin_app(auth_emulator: emulators.EmulatorProcess) -> Iterator[firebase_admin.App]:
    app = firebase_admin.initialize_app(
        _NoCredential(), {"projectId": auth_emulator.project}, name="auth-emulator-tests"
    )
    yield app
    firebase_admin.delete_app(app)


@pytest.fixture
def http(auth_emulator: emulators.EmulatorProcess) -> Iterator[httpx.Client]:
    """Raw HTTP to the emulator, as the JS SDK talks to it (API key, no credentials)."""
    with httpx.Client(base_url=auth_emulator.url("auth"), timeout=10) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_accounts(http: httpx.Client, auth_emulator: emulators.EmulatorProcess) -> None:
    response = http.delete(f"/emulator/v1/projects/{auth_emulator.project}/accounts")
    assert response.status_code == 200, response.text
