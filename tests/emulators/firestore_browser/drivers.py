"""Shared by the JS SDK tests and benchmarks/browser.py: Vite builds of the test pages in
tests/node, and the Node drivers that run them (which print JSON for Python to judge)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import firebase_admin
from firebase_admin import auth, credentials

from tests.support import emulators

NODE_DIR = Path(__file__).resolve().parents[2] / "node"
VITE = NODE_DIR / "node_modules" / ".bin" / "vite"
CHROMIUM = Path("/usr/bin/chromium")


def build_page(page: str, out: Path) -> Path:
    """tests/node/<page> bundled by Vite with the real browser SDK into ``out``."""
    built = subprocess.run(
        [str(VITE), "build", page, "--outDir", str(out), "--emptyOutDir", "--logLevel", "error"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0:
        raise RuntimeError(f"vite build {page} failed:\n{built.stdout}{built.stderr}")
    return out


class _NoCredential(credentials.Base):
    def get_credential(self):  # pragma: no cover - emulator mode never asks
        raise AssertionError("no Google credential in emulator mode")


def mint_custom_tokens(firebase: emulators.EmulatorProcess, uids: list[str]) -> dict[str, str]:
    """Custom tokens for ``uids`` from firebase_admin in emulator mode (unsigned), which the
    Auth emulator of ``firebase`` accepts."""
    previous = os.environ.get("FIREBASE_AUTH_EMULATOR_HOST")
    os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = firebase.host("auth")
    app = firebase_admin.initialize_app(
        _NoCredential(), {"projectId": firebase.project}, name=f"custom-tokens-{uuid.uuid4().hex}"
    )
    try:
        return {uid: auth.create_custom_token(uid, app=app).decode() for uid in uids}
    finally:
        firebase_admin.delete_app(app)
        if previous is None:
            del os.environ["FIREBASE_AUTH_EMULATOR_HOST"]
        else:
            os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = previous


def driver_env(firebase: emulators.EmulatorProcess, tokens: dict, **extra: str) -> dict:
    return {
        **os.environ,
        "PROJECT_ID": firebase.project,
        "AUTH_URL": firebase.url("auth"),
        "FIRESTORE_HOST": "127.0.0.1",
        "FIRESTORE_PORT": str(firebase.ports["firestore"]),
        "TOKENS": json.dumps(tokens),
        **extra,
    }


def run_driver(script: str, env: dict, timeout: float = 600) -> tuple[dict, str]:
    """Runs tests/node/<script>; returns its last JSON line and its stderr. A ``failure``
    in the output fails the caller with the driver's stack and the page console."""
    done = subprocess.run(
        ["node", script], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"no output from {script}: {done.stderr[-3000:]}"
    output = json.loads(lines[-1])
    assert "failure" not in output, (
        output["failure"]
        + "\n"
        + json.dumps(output.get("results", {}))[:3000]
        + "\n"
        + "\n".join(output.get("console", []))
    )
    return output, done.stderr
