"""The browser SDK's offline persistence (IndexedDB, ``persistentLocalCache``) against our
emulator in headless Chromium: the cache survives a reload, writes made offline are
applied locally at once and reach the server when the page is back online.

The steps run in tests/node/firestore_offline_driver.mjs; the assertions are here.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.emulators.firestore_browser.drivers import CHROMIUM, driver_env, run_driver
from tests.support import emulators


@pytest.mark.browser
def test_offline_writes_reach_the_server_after_reconnecting(
    firebase: emulators.EmulatorProcess,
    custom_tokens: dict,
    resilience_page: Path,
    firestore_url: str,
) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    output, _stderr = run_driver(
        "firestore_offline_driver.mjs",
        driver_env(firebase, custom_tokens, DIST=str(resilience_page)),
    )
    r = output["results"]
    assert r["signIn"] == {"ok": True, "value": "alice"}
    assert r["onlineWrite"]["ok"], r["onlineWrite"]

    # After a reload, Auth and the Firestore cache come back from IndexedDB.
    assert r["restoredUser"] == {"ok": True, "value": "alice"}
    cached = r["cachedAfterReload"]
    assert cached["ok"], cached
    assert cached["value"]["data"]["text"] == "written online"
    assert cached["value"]["fromCache"] is True

    # Offline: the cache still answers, the server cannot be reached.
    assert r["cachedWhileOffline"]["value"]["data"]["text"] == "written online"
    assert r["serverWhileOffline"]["ok"] is False
    assert r["serverWhileOffline"]["code"] == "unavailable"

    # The offline write is visible locally at once, as a pending write...
    local = r["localEvent"]
    assert local is not None, "no local snapshot of the offline write"
    assert local["data"]["text"] == "written offline"
    assert local["fromCache"] is True
    assert r["cachedOfflineWrite"]["value"]["pending"] is True
    # ...and is not on the server, nor acknowledged, while the page is offline.
    assert r["onServerBeforeReconnect"]["status"] == 404
    assert r["writeStateBeforeReconnect"]["value"] == {"state": "pending"}
    assert r["adminUpdate"]["status"] == 200
    assert "changed while offline" not in r["keptEventsWhileOffline"]

    # Back online: the write is acknowledged and lands with its server timestamp.
    assert r["acknowledged"] is not None, "the offline write was never acknowledged"
    assert r["acknowledged"]["state"] == "acknowledged", r["acknowledged"]
    synced = r["syncedEvent"]
    assert synced is not None, "no snapshot of the write confirmed by the server"
    assert synced["data"]["createdAt"]["timestampMillis"] > 0
    landed = r["onServerAfterReconnect"]
    assert landed["status"] == 200
    assert landed["body"]["fields"]["text"] == {"stringValue": "written offline"}
    assert landed["body"]["fields"]["owner"] == {"stringValue": "alice"}
    assert "timestampValue" in landed["body"]["fields"]["createdAt"]
    # The listener caught up with what changed on the server while it was offline.
    assert r["keptEventAfterReconnect"] is not None
    print(f"offline write acknowledged {r['secondsToAcknowledge']:.2f} s after reconnecting")

    # Checked from here too, outside the browser and the driver.
    document = httpx.get(
        f"{firestore_url}/v1/projects/{firebase.project}/databases/(default)/documents/"
        "notes/offline",
        headers={"Authorization": "Bearer owner"},
    )
    assert document.status_code == 200
    assert document.json()["fields"]["text"] == {"stringValue": "written offline"}
