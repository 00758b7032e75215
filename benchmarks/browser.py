"""Browser-to-browser delivery through the Firestore emulator's WebChannel: a message
written with the browser SDK in one Chromium context, received by an onSnapshot listener
in another (two signed-in users, rules checked), one message at a time. Median and p99
over ``MESSAGES`` messages after ``WARMUP`` unmeasured ones, for streaming and
long-polling back channels.

Run with ``python -m benchmarks browser``. Needs /usr/bin/chromium and tests/node's npm
packages (``make setup``). The driver is tests/node/firestore_delivery_driver.mjs; the
page is the resilience test page (tests/node/firestore_resilience), built by Vite.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks._support import summary, table
from tests.emulators.firestore_browser.drivers import (
    CHROMIUM,
    build_page,
    driver_env,
    mint_custom_tokens,
    run_driver,
)
from tests.support import emulators

MESSAGES = 200
WARMUP = 20
# Any signed-in user may read and write the benchmark rooms.
RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{roomId}/messages/{messageId} {
      allow read, write: if request.auth != null;
    }
  }
}
"""


def delivery_latencies(
    firebase: emulators.EmulatorProcess, tokens: dict, page: Path, long_polling: bool
) -> list[float]:
    env = driver_env(
        firebase,
        tokens,
        DIST=str(page),
        MESSAGES=str(MESSAGES),
        WARMUP=str(WARMUP),
        LONG_POLLING="1" if long_polling else "0",
    )
    output, _stderr = run_driver("firestore_delivery_driver.mjs", env)
    assert output["lastWrite"]["state"] != "failed", output["lastWrite"]
    latencies = [float(ms) for ms in output["latencies"]]  # JSON turns 24.0 into 24
    assert len(latencies) == MESSAGES
    return latencies


def main() -> None:
    if not CHROMIUM.exists():
        print("skipped: needs Chromium (apt-get install -y chromium)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rules = folder / "bench.rules"
        rules.write_text(RULES)
        page = build_page("firestore_resilience", folder / "page")
        firebase = emulators.start(
            folder / "emulators", ["auth", "firestore"], firestore_rules=rules, timeout=60
        )
        try:
            tokens = mint_custom_tokens(firebase, ["alice", "bob"])
            rows = []
            for label, long_polling in (("WebChannel streaming", False), ("long polling", True)):
                latencies = delivery_latencies(firebase, tokens, page, long_polling)
                rows.append([label, len(latencies), *summary(latencies)])
        finally:
            firebase.stop()
    table(["browser to browser", "messages", "median ms", "p99 ms"], rows)
