"""The functions run in a process of their own, started and stopped with the launcher
(``emulators/functions/host.py``), and never outlive it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from emulators.functions import instances
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


def _start_instances(
    tmp_path: Path, number: int
) -> tuple[emulators.EmulatorProcess, int, list[int]]:
    """The emulators with ``number`` functions instances: (launcher, first, the others)."""
    env = {
        "DATABASE_URL": "postgresql://127.0.0.1:9/none",
        "JWT_SECRET": "x" * 48,
        instances.VARIABLE: str(number),
    }
    running = emulators.start(tmp_path, ["auth", "firestore", "functions"], env=env)
    first, *others = emulators.serving_instances(running, number)
    return running, first, others


def test_a_further_instance_answers_while_the_first_is_frozen(tmp_path):
    running, host, others = _start_instances(tmp_path, 2)
    try:
        assert len(others) == 1
        url = running.functions_url("noSuchFunction")
        os.kill(host, signal.SIGSTOP)  # the first instance takes no connection now
        try:
            for _ in range(5):
                answer = httpx.get(url, timeout=10, headers={"Connection": "close"})
                assert answer.status_code == 404
        finally:
            os.kill(host, signal.SIGCONT)
        assert running.interrupt() == 0
        assert _gone(host) and all(_gone(pid) for pid in others)
    finally:
        running.stop()
    emulators.assert_not_listening(running.ports["functions"])


def test_further_instances_end_with_a_killed_first_instance(tmp_path):
    running, host, others = _start_instances(tmp_path, 3)
    try:
        assert len(others) == 2
        os.kill(host, signal.SIGKILL)
        assert all(_gone(pid) for pid in others)
    finally:
        running.stop()
    emulators.assert_not_listening(running.ports["functions"])


@pytest.mark.parametrize("value", ["0", "9", "two", "-1"])
def test_a_wrong_number_of_instances_is_named(value):
    with pytest.raises(ValueError, match=instances.VARIABLE):
        instances.count({instances.VARIABLE: value})


def test_instances_default_to_one_per_core_up_to_four():
    assert instances.count({}) == min(os.cpu_count() or 1, 4)
    assert instances.count({instances.VARIABLE: " 3 "}) == 3
