"""Starts our Firestore emulator once per session, as ``python -m emulators start``."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from google.cloud import firestore

from tests.emulators.firestore.support import PROJECT, TRANSACTION_TIMEOUT
from tests.support.emulators import free_port as _free_port

REPO = Path(__file__).resolve().parents[3]
RULES = Path(__file__).with_name("test.rules")


@pytest.fixture(scope="session")
def emulator_host(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("firestore-emulator")
    rules = folder / "firestore.rules"
    rules.write_text(RULES.read_text())
    port = _free_port()
    # Each test queries a fresh collection, which no indexes file can name: index
    # enforcement is off here and tested in test_fs_indexes.py.
    config = {
        "firestore": {"rules": "firestore.rules"},
        "emulators": {"firestore": {"host": "127.0.0.1", "port": port, "enforceIndexes": False}},
    }
    (folder / "firebase.json").write_text(json.dumps(config))
    env = dict(os.environ, FIRESTORE_EMULATOR_TRANSACTION_TIMEOUT=str(TRANSACTION_TIMEOUT))
    command = [sys.executable, "-m", "emulators", "start", "--only", "firestore"]
    command += ["--config", str(folder / "firebase.json"), "--project", PROJECT]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    deadline = time.monotonic() + 30
    seen = []
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail(f"emulator did not start: {''.join(seen)}")
        seen.append(line)
        if "All emulators ready" in line:
            break
        if process.poll() is not None:
            pytest.fail(f"emulator exited: {''.join(seen)}")
    host = f"127.0.0.1:{port}"
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = host
    yield host
    if previous is None:
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
    else:
        os.environ["FIRESTORE_EMULATOR_HOST"] = previous
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def rules_file(emulator_host, tmp_path_factory) -> Path:
    """The rules file the emulator watches (tests may rewrite it)."""
    return next(tmp_path_factory.getbasetemp().glob("firestore-emulator*/firestore.rules"))


@pytest.fixture(scope="session")
def db(emulator_host) -> firestore.Client:
    return firestore.Client(project=PROJECT)


@pytest.fixture
def async_db(emulator_host) -> firestore.AsyncClient:
    return firestore.AsyncClient(project=PROJECT)


@pytest.fixture
def col(db):
    """A fresh collection for one test."""
    return db.collection(f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def http(emulator_host):
    with httpx.Client(base_url=f"http://{emulator_host}", timeout=10) as client:
        yield client
