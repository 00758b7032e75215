"""The functions run in a process of their own, started and stopped with the launcher
(``emulators/functions/host.py``), and never outlive it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support import emulators


def _host_pid(launcher: int) -> int | None:
    return emulators.child_pid(launcher, b"emulators.functions.host")


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, waiting for its parent to collect it
            return True
        time.sleep(0.1)
    return False


def _start(tmp_path: Path) -> emulators.EmulatorProcess:
    env = {"DATABASE_URL": "postgresql://127.0.0.1:9/none", "JWT_SECRET": "x" * 48}
    return emulators.start(tmp_path, ["auth", "firestore", "functions"], env=env)


def test_the_functions_serve_from_their_own_process_which_stops_with_the_launcher(tmp_path):
    running = _start(tmp_path)
    try:
        child = _host_pid(running.process.pid)
        assert child is not None and child != running.process.pid
        answer = httpx.get(running.functions_url("noSuchFunction"), timeout=30)
        assert answer.status_code == 404
        assert "does not exist" in answer.json()["error"]["message"]
        assert running.interrupt() == 0
        assert _gone(child)
    finally:
        running.stop()
    emulators.assert_not_listening(running.ports["functions"])


def test_a_killed_launcher_takes_the_functions_host_with_it(tmp_path):
    running = _start(tmp_path)
    try:
        child = _host_pid(running.process.pid)
        assert child is not None
        running.kill()  # SIGKILL: the launcher cannot stop its children itself
        assert _gone(child)
    finally:
        running.stop()
    emulators.assert_not_listening(running.ports["functions"])
