"""The web client: gzip size of what the first page load needs (target 250 kB), from
web/scripts/bundle-size.mjs, which builds the client and reads Vite's manifest; then the time
from navigation start to the first paint of a room's messages over 10 page loads cold (no
service worker, no Firestore cache, no last known state: the design before issue 19) beside 10
warm (app shell from the service worker, messages from what the previous load left; target median
under 200 ms), median and p99, in the same run as the client before the last known state
(PAINT_OLD_REF), from web/scripts/first-paint.mjs, which runs the e2e backend and Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
# The last main before issues 19-21: no last known state, no service worker (docs/web.md).
PAINT_OLD_REF = "796494d"


def run(script: str, *args: str) -> None:
    command = ["npm", "run", "--silent", script, *(["--", *args] if args else [])]
    result = subprocess.run(command, cwd=WEB, text=True, capture_output=True)
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(
            f"({script}: over target or failed: exit {result.returncode})\n{result.stderr.rstrip()}"
        )


def main() -> None:
    run("bench")
    print()
    run("bench:paint", "--old-ref", PAINT_OLD_REF)
