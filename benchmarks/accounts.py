"""Accounts over real HTTP against real PostgreSQL: login (argon2-bound by design), me,
refresh; and the import time main.py adds to a bare firebase_functions import."""

from __future__ import annotations

import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from benchmarks._support import summary, table, timed
from emulators import registry
from tests.support import emulators
from tests.support.accounts import new_account
from tests.support.database import fresh_database

ROOT = Path(__file__).resolve().parent.parent
# What main.py imports from the SDK to declare its triggers; the rest is our own code, and
# handlers load on first use.
SDK_IMPORTS = (
    "import firebase_admin, firebase_functions.https_fn, firebase_functions.options,"
    " firebase_functions.firestore_fn, firebase_functions.db_fn, firebase_functions.scheduler_fn"
)


def import_seconds(statement: str, runs: int = 7) -> float:
    """Median seconds a fresh interpreter takes to run ``statement`` (after start-up)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT / "functions",
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as database_url:
        env = {"DATABASE_URL": database_url, "JWT_SECRET": secrets.token_urlsafe(48)}
        only = [n for n in ("auth", "functions") if n in registry.available()]
        host = emulators.start(Path(tmp) / "emulators", only, env=env)
        try:
            rows = _requests(host)
        finally:
            host.stop()
    table(["request", "runs", "median ms", "p99 ms"], rows)

    bare = import_seconds("import firebase_functions")
    sdk = import_seconds(SDK_IMPORTS)
    with_main = import_seconds("import main")
    print()
    table(
        ["import (fresh interpreter)", "median ms"],
        [
            ["firebase_functions (bare package)", bare * 1000],
            ["the SDK modules main.py wires (https/firestore/db/scheduler_fn)", sdk * 1000],
            ["functions/main.py", with_main * 1000],
            ["added by FlowChat's code (target < 150)", (with_main - sdk) * 1000],
        ],
    )


def _requests(host: emulators.EmulatorProcess) -> list[list[object]]:
    with httpx.Client(base_url=host.functions_url(), timeout=30) as api:
        account = new_account(api)
        auth = {"Authorization": f"Bearer {account['accessToken']}"}
        login_body = {"login": account["user"]["username"], "password": account["password"]}

        def login() -> None:
            api.post("/login", json=login_body).raise_for_status()

        def me() -> None:
            api.get("/me", headers=auth).raise_for_status()

        token = [account["refreshToken"]]

        def refresh() -> None:
            response = api.post("/refresh", json={"refreshToken": token[0]})
            response.raise_for_status()
            token[0] = response.json()["refreshToken"]

        me()  # warm the pool and the imports
        return [
            ["login", 40, *summary(timed(login, 40))],
            ["me", 300, *summary(timed(me, 300))],
            ["refresh", 200, *summary(timed(refresh, 200))],
        ]
