"""``python -m emulators start [--only a,b] [--project P] [--config firebase.json]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time

from emulators import config as config_module
from emulators import registry
from emulators.base import Emulator, Hub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start emulators and serve until interrupted")
    start.add_argument("--only", help="comma-separated emulators (default: all available)")
    start.add_argument("--project", help="project id (default: .firebaserc's default)")
    start.add_argument("--config", default="firebase.json", help="path to firebase.json")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = config_module.load(args.config, args.project)
        names = select(args.only)
    except (config_module.ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return serve(config, names)


def select(only: str | None) -> list[str]:
    available = registry.available()
    if not only:
        return available
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ValueError(
            f"no emulator named {', '.join(unknown)}; available: {', '.join(available)}"
        )
    return [name for name in registry.START_ORDER if name in wanted]


def serve(config: config_module.Config, names: list[str]) -> int:
    # The handler only flips a flag: taking a lock there (Event.set) could deadlock with the
    # main thread waiting on the same lock when the signal arrives.
    stop_requested: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: stop_requested.append(signum))

    hub = Hub(config)
    started: list[Emulator] = []
    try:
        for name in names:
            emulator = registry.load(name)(config, hub)
            emulator.start()
            hub.emulators[name] = emulator
            started.append(emulator)
            print(f"✔  {name}: http://{emulator.address}", flush=True)
    except Exception as exc:
        print(f"error: could not start {name}: {exc}", file=sys.stderr, flush=True)
        _stop_all(started)
        return 1

    print(f"All emulators ready (project {config.project})", flush=True)
    while not stop_requested:
        time.sleep(0.2)
    print("Shutting down emulators", flush=True)
    _stop_all(started)
    return 0


def _stop_all(started: list[Emulator]) -> None:
    for emulator in reversed(started):
        try:
            emulator.stop()
        except Exception:  # keep stopping the others
            logging.getLogger(__name__).exception("stopping %s failed", emulator.name)
