"""``python -m emulators start``: selection, errors, readiness and clean shutdown."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import websockets.sync.client

from tests.support import emulators


def test_unknown_emulator_is_a_clear_error(tmp_path):
    config, _ = emulators.write_config(tmp_path, ["functions"])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulators",
            "start",
            "--only",
            "functions,nosuch",
            "--config",
            str(config),
        ],
        cwd=emulators.ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "no emulator named nosuch; available:" in result.stderr


def test_missing_config_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "emulators", "start", "--config", str(tmp_path / "nope.json")],
        cwd=emulators.ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "nope.json not found" in result.stderr


def test_sigterm_stops_cleanly_and_frees_the_port(tmp_path, database_url):
    running = emulators.start(tmp_path, ["functions"], env={"DATABASE_URL": database_url})
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(15) == 0
    assert "Shutting down emulators" in running.log()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", running.ports["functions"]))


ALL = ["auth", "firestore", "database", "cloudinary", "functions"]


def _presence(running: emulators.EmulatorProcess, uid: str) -> str | None:
    response = httpx.get(
        f"{running.url('firestore')}/v1/projects/{running.project}/databases/(default)"
        f"/documents/users/{uid}",
        headers={"Authorization": "Bearer owner"},
    )
    if response.status_code == 404:
        return None
    fields = response.json()["fields"]
    return fields["presence"]["mapValue"]["fields"]["state"]["stringValue"]


def _wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while (value := check()) is None or value is False:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return value


@contextlib.contextmanager
def _connected_with_presence(running: emulators.EmulatorProcess, uid: str) -> Iterator[None]:
    """A Realtime Database connection (as admin) that is online and will go offline."""
    namespace = f"{running.project}-default-rtdb"
    url = f"ws://{running.host('database')}/.ws?ns={namespace}&v=5"
    with websockets.sync.client.connect(url, open_timeout=10) as connection:
        connection.recv(timeout=10)  # the handshake
        requests = [
            ("gauth", {"cred": "owner"}),
            ("p", {"p": f"/status/{uid}/c1", "d": {"state": "online"}}),
            ("o", {"p": f"/status/{uid}/c1", "d": {"state": "offline"}}),
        ]
        for number, (action, body) in enumerate(requests, start=1):
            connection.send(json.dumps({"t": "d", "d": {"r": number, "a": action, "b": body}}))
        for number in range(1, len(requests) + 1):
            while json.loads(connection.recv(timeout=10))["d"].get("r") != number:
                pass
        assert _wait_for(lambda: _presence(running, uid) == "online")
        yield


def _start_all(tmp_path, database_url: str) -> emulators.EmulatorProcess:
    data = str(tmp_path / "data")
    return emulators.start(
        tmp_path, ALL, env={"DATABASE_URL": database_url}, args=["--data-dir", data]
    )


def _status(running: emulators.EmulatorProcess, uid: str):
    return httpx.get(
        f"{running.url('database')}/status/{uid}.json?ns={running.project}-default-rtdb",
        headers={"Authorization": "Bearer owner"},
    ).json()


def test_ctrl_c_runs_ondisconnect_triggers_then_exits_0_without_traceback(tmp_path, database_url):
    """The case that printed 'cannot schedule new futures after shutdown': a connection's
    onDisconnect write at shutdown fires the presence trigger, which writes Firestore."""
    running = _start_all(tmp_path, database_url)
    uid = str(uuid.uuid4())
    try:
        with _connected_with_presence(running, uid):
            assert running.interrupt() == 0
        log = running.log()
        assert "Traceback" not in log and "Error" not in log, log
        for port in running.ports.values():
            emulators.assert_not_listening(port)

        # The onDisconnect write and the trigger it fired both landed before the stop.
        running = emulators.restart(running, tmp_path, ALL)
        assert _status(running, uid) == {"c1": {"state": "offline"}}
        assert _presence(running, uid) == "offline"
    finally:
        running.stop()


def test_ondisconnect_writes_lost_to_a_sigkill_run_at_the_next_start(tmp_path, database_url):
    """A killed emulator closes no connection; the next start runs what they queued, and
    the presence trigger mirrors it, as if the server had seen the connections drop."""
    running = _start_all(tmp_path, database_url)
    uid = str(uuid.uuid4())
    try:
        with _connected_with_presence(running, uid):
            running.kill()
        running = emulators.restart(running, tmp_path, ALL)
        assert _status(running, uid) == {"c1": {"state": "offline"}}
        assert _wait_for(lambda: _presence(running, uid) == "offline")
        assert "ran the onDisconnect writes of 1 lost connections" in running.log()
    finally:
        running.stop()
