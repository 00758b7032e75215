"""The web client: gzip size of what the first page load needs (target 250 kB), from
web/scripts/bundle-size.mjs, which builds the client and reads Vite's manifest."""

from __future__ import annotations

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"


def main() -> None:
    result = subprocess.run(
        ["npm", "run", "--silent", "bench"], cwd=WEB, text=True, capture_output=True
    )
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(f"(over target or failed: exit {result.returncode})\n{result.stderr.rstrip()}")
