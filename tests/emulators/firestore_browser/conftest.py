"""Auth + Firestore emulators as one real subprocess, with rules written for these
transport tests, and custom tokens from firebase_admin for two users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulators.firestore_browser.drivers import build_page, mint_custom_tokens
from tests.support import emulators

HERE = Path(__file__).resolve().parent
RULES = HERE / "transport_test.rules"
# The composite indexes the suite's queries need (the emulator enforces them).
INDEXES = HERE / "transport_test.indexes.json"


@pytest.fixture(scope="session")
def firebase(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulators.EmulatorProcess]:
    running = emulators.start(
        tmp_path_factory.mktemp("firestore-browser"),
        ["auth", "firestore"],
        firestore_rules=RULES,
        firestore_indexes=INDEXES,
        timeout=60,
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def custom_tokens(firebase: emulators.EmulatorProcess) -> dict[str, str]:
    """Custom tokens minted by firebase_admin in emulator mode (unsigned)."""
    return {**mint_custom_tokens(firebase, ["alice", "bob"]), "aliceUid": "alice"}


@pytest.fixture(scope="session")
def id_tokens(firebase: emulators.EmulatorProcess, custom_tokens: dict[str, str]) -> dict:
    """ID tokens for alice and bob, from signInWithCustomToken over HTTP."""
    tokens = {}
    for user in ("alice", "bob"):
        response = httpx.post(
            f"{firebase.url('auth')}/identitytoolkit.googleapis.com/v1/"
            "accounts:signInWithCustomToken?key=fake",
            json={"token": custom_tokens[user]},
        )
        response.raise_for_status()
        tokens[user] = response.json()["idToken"]
    return tokens


@pytest.fixture
def firestore_url(firebase: emulators.EmulatorProcess) -> Iterator[str]:
    """The Firestore base URL, with every document cleared before the test."""
    base = firebase.url("firestore")
    cleared = httpx.delete(
        f"{base}/emulator/v1/projects/{firebase.project}/databases/(default)/documents"
    )
    assert cleared.status_code == 200, cleared.text
    yield base


@pytest.fixture(scope="session")
def resilience_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/node/firestore_resilience (offline, reconnect, delivery) built by Vite."""
    return build_page("firestore_resilience", tmp_path_factory.mktemp("resilience-page"))
