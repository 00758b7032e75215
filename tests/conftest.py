"""Fixtures shared by every suite: a migrated PostgreSQL database and the functions host."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from emulators import registry
from tests.support import emulators, google_auth
from tests.support.database import fresh_database

JWT_SECRET = secrets.token_urlsafe(48)
CLOUDINARY_SECRET = secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("state")) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection]:
    """A direct connection, for looking at what the functions wrote."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@contextmanager
def serving_functions(
    database_url: str,
    state: Path,
    auth_backend: str = "ours",
    extra_env: dict[str, str] | None = None,
) -> Iterator[emulators.EmulatorProcess]:
    """The functions served over real HTTP by our emulator, with the Auth, Firestore,
    Database, Cloudinary and mail emulators beside them; pushes are recorded in ``PUSH_LOG_PATH``.
    With ``auth_backend="google"`` the Auth emulator is firebase-tools' instead of ours."""
    only = [
        name
        for name in ("auth", "firestore", "database", "cloudinary", "mail", "functions")
        if name in registry.available()
    ]
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "PUSH_LOG_PATH": str(state / "pushes.jsonl"),
        # The test client stands in for Google's front end: the one proxy whose
        # X-Forwarded-For entry is trusted (see the api fixture).
        "TRUSTED_PROXY_HOPS": "1",
        # Tests run schedules by POSTing to them; none fires on its own mid-test.
        "FLOWCHAT_SCHEDULES": "manual",
        # The local Cloudinary serves this account, and the functions sign for it.
        "CLOUDINARY_URL": f"cloudinary://424242424242424:{CLOUDINARY_SECRET}@demo-flowchat",
        **(extra_env or {}),
    }
    with ExitStack() as stack:
        ports = None
        if auth_backend == "google":
            google = google_auth.start(state / "google-auth", emulators.PROJECT)
            stack.callback(google.stop)
            ports = emulators.free_ports(auth=google.port)
            only.remove("auth")
        running = emulators.start(state, only, env=env, ports=ports)
        stack.callback(running.stop)
        yield running


@pytest.fixture(scope="session")
def functions_host(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[emulators.EmulatorProcess]:
    with serving_functions(database_url, tmp_path_factory.mktemp("functions")) as running:
        yield running


@pytest.fixture
def api(functions_host: emulators.EmulatorProcess) -> Iterator[httpx.Client]:
    """An HTTP client for the functions, calling from its own address, so that the
    per-address login throttle of one test does not reach another."""
    address = f"127.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    with httpx.Client(
        base_url=functions_host.functions_url(),
        headers={"X-Forwarded-For": address},
        timeout=30,
    ) as client:
        yield client
