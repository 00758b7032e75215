"""The in-process API the functions host uses: ``engine.subscribe`` sees every committed
write (path, before, after, auth), from REST and from WebSocket clients, including the
onDisconnect writes made when a client dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from emulators import config as config_module
from emulators.base import Hub
from emulators.database.emulator import DatabaseEmulator
from tests.support.emulators import free_port

from .support import mock_token

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def emulator(tmp_path):
    port = free_port()
    (tmp_path / "database.rules.json").write_text((REPO / "database.rules.json").read_text())
    (tmp_path / "firebase.json").write_text(
        json.dumps(
            {
                "database": {"rules": "database.rules.json"},
                "emulators": {"database": {"host": "127.0.0.1", "port": port}},
            }
        )
    )
    config = config_module.load(tmp_path / "firebase.json", "demo-flowchat")
    instance = DatabaseEmulator(config, Hub(config))
    instance.start()
    yield instance
    instance.stop()


def wait_for(events: list, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(events) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_subscribers_get_committed_writes_with_auth(emulator):
    events = []
    unsubscribe = emulator.engine.subscribe(events.append, path="/status")
    base = f"http://{emulator.address}"
    ns = "demo-flowchat-default-rtdb"
    assert emulator.environment() == {"FIREBASE_DATABASE_EMULATOR_HOST": str(emulator.address)}
    online = {"state": "online", "lastChanged": {".sv": "timestamp"}}
    alice = {"auth": mock_token("alice")}
    with httpx.Client(timeout=10) as client:
        response = client.put(f"{base}/status/alice/c1.json", params=alice, json=online)
        assert response.status_code == 200
        stored = response.json()
        wait_for(events, 1)
        [event] = events
        assert event.namespace == ns
        assert event.path == "/status/alice/c1"
        assert event.before is None
        assert event.after == stored
        assert event.auth["uid"] == "alice" and event.admin is False
        assert event.timestamp_ms == stored["lastChanged"]
        # a denied write commits nothing and reports nothing
        bob_token = {"auth": mock_token("bob")}
        response = client.put(f"{base}/status/alice/c1.json", params=bob_token, json=online)
        assert response.status_code == 401
        # a multi-path update: one event per location, one operation id
        update = {"c1": {**online, "state": "away"}, "c2": online}
        response = client.patch(f"{base}/status/alice.json", params=alice, json=update)
        assert response.status_code == 200
        wait_for(events, 3)
        assert [e.path for e in events[1:]] == ["/status/alice/c1", "/status/alice/c2"]
        assert events[1].operation_id == events[2].operation_id != event.operation_id
        assert events[1].before == stored and events[1].after["state"] == "away"
        assert events[2].value_before("/status/alice/c1") == stored
        assert events[2].value_after("/status/alice") == {
            "c1": events[1].after,
            "c2": events[2].after,
        }
        # admin writes outside the subscribed path are not reported; admin inside are
        owner = {"Authorization": "Bearer owner"}
        client.put(f"{base}/elsewhere.json", headers=owner, json=1).raise_for_status()
        client.delete(f"{base}/status/alice/c2.json", headers=owner).raise_for_status()
        wait_for(events, 4)
        assert len(events) == 4
        assert events[3].path == "/status/alice/c2" and events[3].after is None
        assert events[3].admin is True and events[3].auth is None
        # a write above the subscribed path is reported too (it replaces what is below)
        client.delete(f"{base}/.json", headers=owner).raise_for_status()
        wait_for(events, 5)
        assert events[4].path == "/" and events[4].value_after("/status") is None
        unsubscribe()
        client.put(f"{base}/status/alice/c3.json", params=alice, json=online).raise_for_status()
    time.sleep(0.2)
    assert len(events) == 5


@pytest.mark.node
def test_on_disconnect_writes_reach_subscribers(emulator):
    events = []
    emulator.engine.subscribe(events.append, path="/status/dave")
    env = {k: v for k, v in os.environ.items() if k != "FIREBASE_DATABASE_EMULATOR_HOST"}
    env.update({"RTDB_HOST": str(emulator.address), "RTDB_NS": "demo-flowchat-default-rtdb"})
    holder = subprocess.Popen(
        ["node", "rtdb_scenarios.mjs", "presence-holder", json.dumps({"uid": "dave"})],
        cwd=REPO / "tests" / "node",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(holder.stdout.readline())
        wait_for(events, 1)
        assert events[0].after["state"] == "online"
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()
        holder.stderr.close()
    wait_for(events, 2, timeout=15)
    offline = events[1]
    assert offline.path == f"/status/dave/{ready['key']}"
    assert offline.before["state"] == "online"
    assert offline.after["state"] == "offline"
    assert offline.auth["uid"] == "dave"
