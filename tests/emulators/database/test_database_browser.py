"""The browser build of the JS SDK in headless Chromium (native WebSocket)."""

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


def test_browser_sdk_presence_queries_transactions(
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
    try:
        line = driver.stdout.readline()
        assert line, driver.stderr.read()
        ready = json.loads(line)["ready"]
        assert ready["denied"] == "permission_denied"
        assert ready["anonymousRead"] == "permission_denied"
        path = f"status/hana/{ready['key']}"
        assert database_server.admin_get(path, namespace)["state"] == "online"
        driver.stdin.write("close\n")
        driver.stdin.flush()

        # closing the page closes its WebSocket: the onDisconnect write runs
        def offline():
            value = database_server.admin_get(path, namespace)
            return value if value and value["state"] == "offline" else None

        assert until(offline, timeout=15)
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
        "afterWebSocketFailure": {"connected": True},
    }
