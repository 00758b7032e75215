"""``python -m tools.reindex``: index every message Firestore holds for search
(``functions/search/backfill.py``). Safe to run at any time and more than once.

PostgreSQL and Firestore are found as ``python -m tools.reconcile`` finds them:
``DATABASE_URL`` (unset: the embedded server of ``make dev``), and ``FIRESTORE_EMULATOR_HOST``,
else the project in ``GOOGLE_CLOUD_PROJECT``/``GCLOUD_PROJECT`` with Application Default
Credentials, else the Firestore emulator that ``firebase.json`` names.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tools.reconcile import ROOT, configure, wait_for_emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reindex", description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "firebase.json")
    parser.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for the Firestore emulator"
    )
    args = parser.parse_args(argv)
    target = configure(args.config)
    if not wait_for_emulator(args.wait):
        print(f"reindex: Firestore did not answer ({target})", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from search import backfill  # functions/search/, importable once configure() ran

    counts = backfill.reindex()
    indexed, skipped = counts["indexed"], counts["skipped"]
    print(f"reindex: {indexed} message(s) indexed, {skipped} skipped ({target})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
