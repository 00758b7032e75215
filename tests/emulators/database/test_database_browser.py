"""The browser build of the JS SDK in headless Chromium: WebSockets, long polling (when
the browser remembers a failed WebSocket, then the upgrade; or forced), onDisconnect when
a page closes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed"),
]


def test_browser_sdk_over_websockets_and_long_polling(
    database_server, namespace, open_namespace_2, until
):
    config = {
        "host": database_server.host,
        "port": database_server.port,
        "ns": namespace,
        "openNs": open_namespace_2,
        "uid": "hana",
    }
    driver = subprocess.Popen(
        ["node", "rtdb_browser.mjs", json.dumps(config)],
        cwd=REPO / "tests" / "node",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def next_line() -> dict:
        line = driver.stdout.readline()
        assert line, driver.stderr.read()
        return json.loads(line)

    def say(word: str) -> None:
        driver.stdin.write(word + "\n")
        driver.stdin.flush()

    def state_becomes(path: str, state: str):
        def check():
            value = database_server.admin_get(path, namespace)
            return value if value and value["state"] == state else None

        return until(check, timeout=20)

    try:
        ready = next_line()["ready"]
        assert ready["denied"] == "permission_denied"
        assert ready["anonymousRead"] == "permission_denied"
        path = f"status/hana/{ready['key']}"
        assert database_server.admin_get(path, namespace)["state"] == "online"
        say("close")
        # closing the page closes its WebSocket: the onDisconnect write runs
        assert state_becomes(path, "offline")

        lp_ready = next_line()["lpReady"]
        lp_path = f"status/hana-lp/{lp_ready['key']}"
        assert database_server.admin_get(lp_path, namespace)["state"] == "online"
        # a change made elsewhere reaches the long-polling page through a held poll
        entry = database_server.admin_get(lp_path, namespace)
        database_server.admin_put(lp_path, namespace, {**entry, "state": "away"})
        say("check")
        assert next_line()["longPollSeen"] == ["online", "away"]
        say("close")
        # the page's disconnect frame goes away with it: onDisconnect runs
        assert state_becomes(lp_path, "offline")
        out, err = driver.communicate(timeout=60)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.communicate()
    assert driver.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {
        "queryKeys": ["c", "a"],
        "seen": [None, "from another connection"],
        "committed": True,
        "count": 5,
        "userAgentIsChrome": True,
        "afterWebSocketFailure": {
            "connected": True,
            "committed": True,
            "value": 1,
            "flagCleared": True,
            "afterUpgrade": "upgraded",
        },
        "longPollSeen": ["online", "away"],
    }
