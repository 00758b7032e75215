"""Starts the Realtime Database emulator once per session, as a subprocess, on a free port.

Tests isolate themselves by namespace (``?ns=``): each gets a fresh namespace and may
install its own rules there with ``PUT /.settings/rules.json``; the default rules are a
copy of the repository's ``database.rules.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.emulators import free_port

REPO = Path(__file__).resolve().parents[3]
NODE_DIR = REPO / "tests" / "node"
SCENARIOS = NODE_DIR / "rtdb_scenarios.mjs"
PROJECT = "demo-flowchat"  # the projectId of the JS scenarios: their mockUserTokens carry it


@dataclass
class DatabaseServer:
    host: str
    port: int
    rules_path: Path
    process: subprocess.Popen

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"

    def url(self, path: str, ns: str) -> str:
        return f"{self.base_url}/{path.strip('/')}.json?ns={ns}"

    def admin(self) -> httpx.Client:
        return httpx.Client(headers={"Authorization": "Bearer owner"}, timeout=10)

    def set_rules(self, ns: str, rules: dict) -> None:
        with self.admin() as client:
            url = f"{self.base_url}/.settings/rules.json"
            response = client.put(url, params={"ns": ns}, content=json.dumps(rules))
            response.raise_for_status()

    def reset(self, ns: str | None = None) -> None:
        params = {"ns": ns} if ns else {}
        httpx.post(f"{self.base_url}/.emulator/reset", params=params, timeout=10).raise_for_status()

    def admin_get(self, path: str, ns: str):
        with self.admin() as client:
            response = client.get(self.url(path, ns))
            response.raise_for_status()
            return response.json()

    def admin_put(self, path: str, ns: str, value) -> None:
        with self.admin() as client:
            client.put(self.url(path, ns), json=value).raise_for_status()


@pytest.fixture(scope="session")
def database_server(tmp_path_factory) -> DatabaseServer:
    workdir = tmp_path_factory.mktemp("rtdb")
    rules_path = workdir / "database.rules.json"
    shutil.copy(REPO / "database.rules.json", rules_path)
    port = free_port()
    config = {
        "database": {"rules": "database.rules.json"},
        "emulators": {"database": {"host": "127.0.0.1", "port": port}},
    }
    (workdir / "firebase.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", "emulators", "start", "--only", "database"]
    command += ["--config", str(workdir / "firebase.json"), "--project", PROJECT]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "All emulators ready" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30):
        process.kill()
        pytest.fail("database emulator did not start:\n" + "".join(output))
    server = DatabaseServer("127.0.0.1", port, rules_path, process)
    server.output = output  # type: ignore[attr-defined]
    yield server
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def namespace(database_server: DatabaseServer) -> str:
    """A fresh namespace with the repository's rules."""
    name = f"ns-{uuid.uuid4().hex[:10]}"
    yield name
    database_server.reset(name)


OPEN_RULES = {
    "rules": {
        ".read": "auth != null",
        ".write": "auth != null",
        "scores": {".indexOn": ["score", "name", "meta/rank"]},
        "plain": {".indexOn": ".value"},
    }
}


@pytest.fixture
def open_namespace(database_server: DatabaseServer, namespace: str) -> str:
    """A fresh namespace where any signed-in user may read and write, with indexes."""
    database_server.set_rules(namespace, OPEN_RULES)
    return namespace


@pytest.fixture
def open_namespace_2(database_server: DatabaseServer) -> str:
    """A second open namespace, for tests that also use ``namespace``."""
    name = f"ns-{uuid.uuid4().hex[:10]}"
    database_server.set_rules(name, OPEN_RULES)
    yield name
    database_server.reset(name)


def node_env(server: DatabaseServer, ns: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FIREBASE_DATABASE_EMULATOR_HOST"}
    env.update({"RTDB_HOST": server.address, "RTDB_NS": ns})
    return env


def run_scenario(server: DatabaseServer, ns: str, name: str, timeout: float = 60, **args):
    """Run one scenario of tests/node/rtdb_scenarios.mjs; returns its JSON result."""
    completed = subprocess.run(
        ["node", str(SCENARIOS), name, json.dumps(args)],
        cwd=NODE_DIR,
        env=node_env(server, ns),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"scenario {name} failed ({completed.returncode}):\n"
            f"{completed.stderr}\n{completed.stdout}"
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def start_scenario(server: DatabaseServer, ns: str, name: str, **args) -> subprocess.Popen:
    return subprocess.Popen(
        ["node", str(SCENARIOS), name, json.dumps(args)],
        cwd=NODE_DIR,
        env=node_env(server, ns),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


@dataclass
class Scenarios:
    """Runs tests/node/rtdb_scenarios.mjs against the session's emulator."""

    server: DatabaseServer

    def run(self, ns: str, name: str, timeout: float = 60, **args):
        return run_scenario(self.server, ns, name, timeout, **args)

    def start(self, ns: str, name: str, **args) -> subprocess.Popen:
        return start_scenario(self.server, ns, name, **args)


@pytest.fixture
def scenarios(database_server: DatabaseServer) -> Scenarios:
    return Scenarios(database_server)


@pytest.fixture
def until():
    return wait_until
