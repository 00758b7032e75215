"""A listener survives an emulator restart: the Firestore emulator process is stopped and
started again on the same port (with empty state, it keeps everything in memory), the
document is written again by an admin client, and the listener that was open before the
restart delivers it — in Chromium over WebChannel without reloading the page, and in
Node over gRPC. The listener runs in tests/node/firestore_listen_driver.mjs."""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.emulators.firestore_browser.conftest import INDEXES, RULES
from tests.emulators.firestore_browser.drivers import CHROMIUM, NODE_DIR, driver_env
from tests.support import emulators

ONLY = ["auth", "firestore"]
WATCHED = "notes/r1"
LINE_TIMEOUT = 60.0


@dataclass
class Restartable:
    folder: Path
    running: emulators.EmulatorProcess

    def restart(self) -> None:
        self.running = emulators.restart(
            self.running, self.folder, ONLY, firestore_rules=RULES, firestore_indexes=INDEXES
        )

    def admin_set(self, path: str, fields: dict) -> None:
        document = (
            f"{self.running.url('firestore')}/v1/projects/{self.running.project}"
            f"/databases/(default)/documents/{path}"
        )
        response = httpx.patch(
            document, json={"fields": fields}, headers={"Authorization": "Bearer owner"}
        )
        assert response.status_code == 200, response.text


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    """Auth + Firestore of this test alone, so restarting them disturbs no other test."""
    holder = Restartable(
        tmp_path,
        emulators.start(
            tmp_path, ONLY, firestore_rules=RULES, firestore_indexes=INDEXES, timeout=60
        ),
    )
    yield holder
    holder.running.stop()


class ListenDriver:
    """tests/node/firestore_listen_driver.mjs as a subprocess; its JSON lines are read
    by a thread as they come."""

    def __init__(self, env: dict) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by kill()
        self.process = subprocess.Popen(
            ["node", "firestore_listen_driver.mjs"],
            cwd=NODE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def _explain(self) -> str:
        self.stderr.seek(0)
        return f"lines: {json.dumps(self.seen)[-4000:]}\nstderr: {self.stderr.read()[-3000:]}"

    def wait_for(self, matches: Callable[[dict], bool], timeout: float = LINE_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                message = f"timed out waiting for the driver\n{self._explain()}"
                raise AssertionError(message) from None
            if line is None or "failure" in line:
                raise AssertionError(f"the driver ended or failed: {line}\n{self._explain()}")
            self.seen.append(line)
            if matches(line):
                return line

    def finish(self) -> dict:
        self.process.stdin.close()
        done = self.wait_for(lambda line: "done" in line, timeout=30)["done"]
        self.process.wait(30)
        return done

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


NOTE = {"owner": {"stringValue": "alice"}}


def open_listener(
    stack: Restartable, custom_tokens: dict, resilience_page: Path, mode: str
) -> ListenDriver:
    """The driver listening to WATCHED, once it has seen the document at v=1."""
    if mode == "browser" and not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    env = driver_env(
        stack.running, custom_tokens, MODE=mode, DIST=str(resilience_page), WATCH=WATCHED
    )
    driver = ListenDriver(env)
    try:
        driver.wait_for(lambda line: "ready" in line)
        stack.admin_set(WATCHED, {**NOTE, "v": {"integerValue": "1"}})
        driver.wait_for(value_event(1))
    except BaseException:
        driver.kill()
        raise
    return driver


def value_event(value: int) -> Callable[[dict], bool]:
    def matches(line: dict) -> bool:
        event = line.get("event", {})
        assert "error" not in event, f"the listener failed: {event}"
        data = event.get("data") or {}
        return data.get("v") == value and not event["pending"] and not event["fromCache"]

    return matches


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param("browser", marks=pytest.mark.browser),
        pytest.param("node", marks=pytest.mark.node),
    ],
)
def test_listener_resumes_after_the_emulator_restarts(
    restartable: Restartable, custom_tokens: dict, resilience_page: Path, mode: str
) -> None:
    driver = open_listener(restartable, custom_tokens, resilience_page, mode)
    try:
        port = restartable.running.ports["firestore"]
        stopping = time.time()
        restartable.restart()
        assert restartable.running.ports["firestore"] == port
        restarted = time.monotonic()
        restarted_at = time.time()
        # The new process has none of the old state; write the document again.
        restartable.admin_set(WATCHED, {**NOTE, "v": {"integerValue": "2"}})
        delivered = driver.wait_for(value_event(2))
        seconds = time.monotonic() - restarted
        assert delivered["event"]["exists"] is True
        # No error reached the listener (the SDK retried the stream by itself).
        errors = [line for line in driver.seen if "error" in line.get("event", {})]
        assert errors == []

        done = driver.finish()  # terminate() ends the listener with "aborted"
        print(f"{mode}: delivered {seconds:.2f} s after the restarted emulator was ready")
        if mode == "browser":
            assert done["pageLoadsAfterStart"] == 0  # the same page, never reloaded
            # Typically one new channel, opened once WebChannel's own back-channel retry
            # (a 5-15 s timer in the client) hears "Unknown SID" from the new process.
            attempts = [f"{ms / 1000 - stopping:.1f}" for ms in done["listenHandshakes"]]
            print(
                f"  restart took {restarted_at - stopping:.1f} s; Listen channels opened at "
                f"{', '.join(attempts)} s from the stop"
            )
    finally:
        driver.kill()


@pytest.fixture
def restartable_with_data(tmp_path: Path) -> Iterator[Restartable]:
    """Like ``restartable``, keeping state in a data directory across restarts."""
    running = emulators.start(
        tmp_path, ONLY, firestore_rules=RULES, args=["--data-dir", str(tmp_path / "data")]
    )
    holder = Restartable(tmp_path, running)
    yield holder
    holder.running.stop()


def _server_events(driver: ListenDriver) -> list[dict]:
    return [
        line["event"]
        for line in driver.seen
        if "exists" in line.get("event", {})
        and not line["event"]["fromCache"]
        and not line["event"]["pending"]
    ]


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param("browser", marks=pytest.mark.browser),
        pytest.param("node", marks=pytest.mark.node),
    ],
)
def test_listener_resumes_after_a_sigkill_of_an_emulator_that_kept_its_data(
    restartable_with_data: Restartable, custom_tokens: dict, resilience_page: Path, mode: str
) -> None:
    """The old tab's listener reconnects to the restarted process with its resume token:
    it is sent what changed since (one document read), never the document as if new, and
    sees no error, no missing document and no value going back."""
    stack = restartable_with_data
    driver = open_listener(stack, custom_tokens, resilience_page, mode)
    try:
        stack.running.kill()
        stack.running = emulators.start(
            stack.folder,
            ONLY,
            ports=stack.running.ports,
            args=stack.running.args,
            firestore_rules=RULES,
        )
        if mode == "node":
            time.sleep(3)  # the gRPC stream is back (its backoff is ~1 s) before the write
        stack.admin_set(WATCHED, {**NOTE, "v": {"integerValue": "2"}})
        driver.wait_for(value_event(2))
        usage = httpx.get(
            f"{stack.running.url('firestore')}/emulator/v1/projects/{stack.running.project}:usage"
        ).json()
        errors = [line for line in driver.seen if "error" in line.get("event", {})]
        driver.finish()  # terminate() ends the listener with "aborted"
    finally:
        driver.kill()

    assert errors == []
    values = [event["data"]["v"] for event in _server_events(driver) if event["exists"]]
    assert all(event["exists"] for event in _server_events(driver))
    assert values == sorted(values) and values[-1] == 2 and 1 in values
    # Read after the restart: only the change, not the whole target again (a RESET).
    assert usage["listener_reads"] == 1, usage
