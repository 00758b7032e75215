"""The backend the browser tests run against: a throwaway PostgreSQL database and the real
functions plus the Auth emulator, served by ``python -m emulators`` on free ports.

Run from the repository root with the project's virtualenv:
    .venv/bin/python web/e2e/backend.py
Prints one JSON line ``{"functionsUrl": ..., "authEmulatorHost": ..., ...}`` once ready, then
serves until stdin closes or it gets SIGTERM/SIGINT. Firestore and the Realtime Database
emulators run too (their hosts are in the JSON line). Uses ``DATABASE_URL`` if set (a fresh
database is created beside it), else embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.emulators import free_port  # noqa: E402
from tests.support.link_origin import LinkOrigin  # noqa: E402
from tools import localdb  # noqa: E402
from tools.migrate import migrate  # noqa: E402

PROJECT = "demo-flowchat"


def database_url(state: Path) -> str:
    name = f"flowchat_e2e_{uuid.uuid4().hex[:10]}"
    admin_url = os.environ.get("DATABASE_URL") or localdb.start(
        state / "postgres", database="postgres"
    )
    localdb.create_database(admin_url, name)
    return psycopg.conninfo.make_conninfo(admin_url, dbname=name)


def main() -> int:
    state = Path(tempfile.mkdtemp(prefix="flowchat-e2e-"))
    url = database_url(state)
    migrate(url)

    # Firestore because the functions mirror profiles and memberships into it; the Realtime
    # Database for presence; Cloudinary for attachments (signUpload, uploads, previews); the
    # mail emulator for sign-up and reset mails (its SMTP port is a second one).
    ports = {
        name: free_port()
        for name in ("auth", "firestore", "database", "cloudinary", "mail", "functions")
    }
    smtp_port = free_port()
    config = state / "firebase.json"
    config.write_text(
        json.dumps(
            {
                "functions": [{"source": str(ROOT / "functions"), "runtime": "python311"}],
                # The project's rules and indexes, enforced for the browser as in production.
                "firestore": {
                    "rules": str(ROOT / "firestore.rules"),
                    "indexes": str(ROOT / "firestore.indexes.json"),
                },
                "database": {"rules": str(ROOT / "database.rules.json")},
                "emulators": {
                    **{name: {"host": "127.0.0.1", "port": port} for name, port in ports.items()},
                    "mail": {"host": "127.0.0.1", "port": ports["mail"], "smtpPort": smtp_port},
                },
            }
        )
    )
    # A local web site for link previews, which the functions may fetch through the test
    # allowance (docs/link-previews.md); nothing else on loopback is reachable to them.
    origin = LinkOrigin().__enter__()
    env = {
        **os.environ,
        "LINK_PREVIEW_TEST_ALLOW": origin.address,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        # Short-lived access tokens so the browser tests exercise silent refresh.
        "ACCESS_TOKEN_TTL_SECONDS": os.environ.get("E2E_ACCESS_TOKEN_TTL_SECONDS", "20"),
        # Missed-message emails after 3 s instead of 10 minutes (missed-mail.e2e.mjs).
        "MISSED_MAIL_DELAY_SECONDS": os.environ.get("E2E_MISSED_MAIL_DELAY_SECONDS", "3"),
        # Schedules run when a test POSTs to them, never on their own: a reconcile pass due a
        # minute in rebuilds what recovery.e2e.mjs wipes, while that test watches the app do
        # it (the test failed in a full run, never alone).
        "FLOWCHAT_SCHEDULES": "manual",
    }
    emulators = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulators",
            "start",
            "--only",
            ",".join(ports),
            "--config",
            str(config),
            "--project",
            PROJECT,
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def stop(*_: object) -> None:
        if emulators.poll() is None:
            emulators.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # The test runner closing our stdin (or dying) stops everything.
    threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()

    assert emulators.stdout is not None
    for line in emulators.stdout:
        sys.stderr.write(line)
        if "All emulators ready" in line:
            ready = {
                "functionsUrl": f"http://127.0.0.1:{ports['functions']}/{PROJECT}/us-central1",
                "authEmulatorHost": f"127.0.0.1:{ports['auth']}",
                "firestoreEmulatorHost": f"127.0.0.1:{ports['firestore']}",
                "databaseEmulatorHost": f"127.0.0.1:{ports['database']}",
                "cloudinaryUrl": f"http://127.0.0.1:{ports['cloudinary']}",
                "mailUrl": f"http://127.0.0.1:{ports['mail']}",
                "linkOriginUrl": origin.url(""),
            }
            print(json.dumps(ready), flush=True)
    code = emulators.wait()
    # Embedded PostgreSQL stops with this process (cleanup_mode="stop").
    return code


if __name__ == "__main__":
    raise SystemExit(main())
