"""The Firebase JS SDK (firebase@12) against our Auth + Firestore emulators, in headless
Chromium (REST + WebChannel, streaming and long-polling) and in Node (gRPC).

The cases live in tests/node/firestore_suite.mjs; the drivers print what happened and
the assertions are here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.emulators.firestore_browser.drivers import (
    CHROMIUM,
    build_page,
    driver_env,
    run_driver,
)
from tests.support import emulators


@pytest.fixture(scope="session")
def test_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/node/firestore_browser bundled by Vite with the real browser SDK."""
    return build_page("firestore_browser", tmp_path_factory.mktemp("firestore-page"))


def check_suite(results: dict) -> None:
    assert results["aliceSignIn"] == {"ok": True, "value": "alice"}
    assert results["bobSignIn"] == {"ok": True, "value": "bob"}

    # A write seen by the other user's listener, with the server timestamp resolved.
    assert results["write"]["ok"], results["write"]
    seen = results["seenByBob"]
    assert "timedOut" not in seen, seen
    assert seen["data"]["text"] == "hello"
    assert seen["data"]["greeting"] == "héllo 👋 世界"
    assert seen["data"]["owner"] == "alice"
    assert seen["data"]["createdAt"]["timestampMillis"] > 0

    assert all(r["ok"] for r in results["moreWrites"]), results["moreWrites"]
    assert results["query"] == {"ok": True, "value": ["n2", "n3"]}  # where/orderBy/limit
    assert results["count"] == {"ok": True, "value": 3}

    # increment and arrayUnion, seen by the writer and by the listener.
    assert all(r["ok"] for r in results["bumps"]), results["bumps"]
    after = results["afterBumps"]["value"]
    assert after["n"] == 4
    assert after["tags"] == ["x", "y"]
    assert results["bobSeesBumps"]["data"]["n"] == 4

    # Ten concurrent read-modify-write transactions from two clients: no lost update.
    transactions = results["transactions"]
    assert transactions["fromAlice"]["ok"] and transactions["fromBob"]["ok"], transactions
    assert sorted(transactions["fromAlice"]["value"] + transactions["fromBob"]["value"]) == list(
        range(1, 11)
    )
    assert results["counter"] == {"ok": True, "value": {"value": 10}}

    assert results["forbiddenWrite"]["code"] == "permission-denied"
    assert results["bobUpdatesAlicesNote"]["code"] == "permission-denied"
    assert results["forbiddenListener"] == {"error": "permission-denied"}

    assert results["bobSignOut"]["ok"]
    assert results["bobWatchAfterSignOut"] == {"error": "permission-denied"}
    assert results["signedOutRead"]["code"] == "permission-denied"
    assert results["signedOutWrite"]["code"] == "permission-denied"
    assert results["finalRead"]["value"]["n"] == 4


@pytest.mark.browser
@pytest.mark.parametrize("long_polling", [False, True], ids=["streaming", "long-polling"])
def test_browser_sdk_over_rest_and_webchannel(
    firebase: emulators.EmulatorProcess,
    custom_tokens: dict,
    test_page: Path,
    firestore_url: str,
    long_polling: bool,
) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    output, _stderr = run_driver(
        "firestore_browser_driver.mjs",
        driver_env(
            firebase,
            custom_tokens,
            DIST=str(test_page),
            LONG_POLLING="1" if long_polling else "0",
        ),
    )
    check_suite(output["results"])

    traffic = output["traffic"]
    # Both streams went over WebChannel, transactions and count over REST.
    for kind in ("Listen handshake", "Write handshake", "Write forward", "Listen forward"):
        assert traffic.get(kind, 0) >= 1, traffic
    assert traffic.get("rest batchGet", 0) >= 10, traffic
    assert traffic.get("rest commit", 0) >= 10, traffic
    assert traffic.get("rest runAggregationQuery", 0) == 1, traffic
    # terminate() closes the channels with a TYPE=terminate request.
    assert traffic.get("Listen terminate", 0) >= 1, traffic
    print(json.dumps(traffic, sort_keys=True))
    if long_polling:
        assert traffic.get("Listen back channel CI=1", 0) >= 1, traffic
        assert "Listen back channel CI=0" not in traffic, traffic
    else:
        assert traffic.get("Listen back channel CI=0", 0) >= 1, traffic


@pytest.mark.node
def test_node_sdk_over_grpc(
    firebase: emulators.EmulatorProcess, custom_tokens: dict, firestore_url: str
) -> None:
    output, _stderr = run_driver("firestore_node_driver.mjs", driver_env(firebase, custom_tokens))
    check_suite(output["results"])


@pytest.mark.node
def test_node_sdk_listeners_queries_and_transactions_over_grpc(
    firebase: emulators.EmulatorProcess, custom_tokens: dict, firestore_url: str
) -> None:
    """Documents written by another client (admin commits over REST) reach the Node SDK's
    listeners, queries, count and transactions (Commit RPC), under the rules."""
    output, _stderr = run_driver(
        "firestore_node_driver.mjs", driver_env(firebase, custom_tokens, SUITE="reads")
    )
    results = output["results"]
    assert results["aliceSignIn"] == {"ok": True, "value": "alice"}
    seen = results["seenByBob"]
    assert "timedOut" not in seen, seen
    assert seen["data"]["greeting"] == "héllo 👋 世界"
    assert seen["data"]["createdAt"]["timestampMillis"] > 0
    assert results["query"] == {"ok": True, "value": ["n2", "n3"]}
    assert results["count"] == {"ok": True, "value": 3}
    transactions = results["transactions"]
    assert transactions["fromAlice"]["ok"] and transactions["fromBob"]["ok"], transactions
    assert sorted(transactions["fromAlice"]["value"] + transactions["fromBob"]["value"]) == list(
        range(1, 11)
    )
    assert results["counter"] == {"ok": True, "value": {"value": 10}}
    assert results["forbiddenWrite"]["code"] == "permission-denied"
    assert results["forbiddenListener"] == {"error": "permission-denied"}
    assert results["bobWatchAfterSignOut"] == {"error": "permission-denied"}
    assert results["signedOutRead"]["code"] == "permission-denied"
    assert results["signedOutWrite"]["code"] == "permission-denied"
    assert results["finalRead"]["value"]["n"] == 1
