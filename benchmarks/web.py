"""The web client: gzip size of what the first page load needs (target 250 kB), from
web/scripts/bundle-size.mjs, which builds the client and reads Vite's manifest; then the time
from navigation start to the first paint of a room's messages over 10 page loads (median and
p99), from web/scripts/first-paint.mjs, which runs the e2e backend and Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"


def run(script: str) -> None:
    result = subprocess.run(
        ["npm", "run", "--silent", script], cwd=WEB, text=True, capture_output=True
    )
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(f"({script}: over target or failed: exit {result.returncode})\n{result.stderr.rstrip()}")


def main() -> None:
    run("bench")
    print()
    run("bench:paint")
