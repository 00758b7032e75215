"""``python -m tools.reconcile``: bring the Firestore documents the functions own back in
line with PostgreSQL (``functions/reconcile.py``), in one whole pass.

PostgreSQL is ``DATABASE_URL`` (unset: the embedded server of ``make dev`` in
``.flowchat/postgres``). Firestore is ``FIRESTORE_EMULATOR_HOST`` when set; else the
project in ``GOOGLE_CLOUD_PROJECT``/``GCLOUD_PROJECT`` with Application Default Credentials
(production); else the Firestore emulator that ``firebase.json`` names.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

from emulators import config as emulator_config

ROOT = Path(__file__).resolve().parent.parent


def configure(config_path: Path) -> str:
    """Point this process at the stores, as the functions see them; a line saying which."""
    if not os.environ.get("DATABASE_URL"):
        from tools.dev import database_url

        os.environ["DATABASE_URL"] = database_url()
    project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")
    if not os.environ.get("FIRESTORE_EMULATOR_HOST") and not project:
        config = emulator_config.load(config_path)
        os.environ.update(config.client_environment())
        project = config.project
    os.environ.setdefault("GCLOUD_PROJECT", project or "")
    if str(ROOT / "functions") not in sys.path:
        sys.path.insert(0, str(ROOT / "functions"))
    where = os.environ.get("FIRESTORE_EMULATOR_HOST") or "production Firestore"
    return f"project {os.environ['GCLOUD_PROJECT'] or '(default)'} at {where}"


def wait_for_emulator(seconds: float) -> bool:
    """Wait until the Firestore emulator answers HTTP (True), or time runs out."""
    host = os.environ.get("FIRESTORE_EMULATOR_HOST")
    if not host:
        return True
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://{host}/", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reconcile", description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "firebase.json")
    parser.add_argument(
        "--if-drift",
        action="store_true",
        help="first compare document counts, and do the pass only when they differ",
    )
    parser.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for the Firestore emulator"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every path written")
    args = parser.parse_args(argv)

    target = configure(args.config)
    if not wait_for_emulator(args.wait):
        print(f"reconcile: Firestore did not answer ({target})", file=sys.stderr)
        return 1

    import reconcile  # functions/reconcile.py, importable once configure() ran

    if args.if_drift:
        differing = reconcile.drift()
        if not differing:
            print("reconcile: Firestore's mirror matches PostgreSQL's counts", flush=True)
            return 0
        found = ", ".join(f"{name} {got} of {want}" for name, (want, got) in differing.items())
        print(f"reconcile: Firestore drifted from PostgreSQL ({found}); repairing", flush=True)

    started = time.monotonic()
    outcome = reconcile.full_pass()
    if args.verbose:
        for path in outcome.written:
            print(f"  wrote {path}")
    print(
        f"reconcile: {outcome.subjects} subjects checked, {outcome.writes} documents written"
        f" in {time.monotonic() - started:.1f} s ({target})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # Ctrl-C in make dev reaches this helper too; nothing to report
        # make dev forwards the Ctrl-C as well: a second SIGINT while the interpreter joins
        # its threads on the way out would print a traceback, so later ones are ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(130) from None
