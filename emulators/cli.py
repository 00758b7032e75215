"""``python -m emulators start [--only a,b] [--project P] [--config firebase.json]
[--data-dir DIR] [--import DIR] [--export-on-exit [DIR]]``.

Without ``--data-dir`` the emulators keep their state in memory (Cloudinary's files go to
``.flowchat/cloudinary`` beside the config). ``--import`` and ``--export-on-exit`` mean what
they mean to ``firebase emulators:start``.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import time
from pathlib import Path

from emulators import config as config_module
from emulators import datadir, registry
from emulators.base import Emulator, Hub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start emulators and serve until interrupted")
    start.add_argument("--only", help="comma-separated emulators (default: all available)")
    start.add_argument("--project", help="project id (default: .firebaserc's default)")
    start.add_argument("--config", default="firebase.json", help="path to firebase.json")
    start.add_argument(
        "--data-dir",
        type=Path,
        help="keep state in this folder across runs (default: in memory)",
    )
    start.add_argument(
        "--import",
        dest="import_dir",
        type=Path,
        help="load an export folder at start, replacing the state of the data dir",
    )
    start.add_argument(
        "--export-on-exit",
        nargs="?",
        const="",
        metavar="DIR",
        help="export state to DIR when stopping (default DIR: the --import folder)",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = config_module.load(args.config, args.project)
        names = select(args.only)
        export_dir = _export_dir(args.export_on_exit, args.import_dir)
        if args.import_dir is not None and not args.import_dir.is_dir():
            raise ValueError(f"--import: {args.import_dir} is not a folder")
    except (config_module.ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = dataclasses.replace(
        config,
        data_dir=args.data_dir.resolve() if args.data_dir else None,
        import_dir=args.import_dir.resolve() if args.import_dir else None,
    )
    if config.data_dir is not None:
        try:
            datadir.lock(config.data_dir)
        except datadir.DataDirInUse as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return serve(config, names, export_dir)


def _export_dir(option: str | None, import_dir: Path | None) -> Path | None:
    """``--export-on-exit DIR``, or the ``--import`` folder when DIR is left out."""
    if option is None:
        return None
    if option:
        return Path(option).resolve()
    if import_dir is None:
        raise ValueError("--export-on-exit needs a folder when --import is not given")
    return import_dir.resolve()


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


def serve(config: config_module.Config, names: list[str], export_dir: Path | None = None) -> int:
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
        for emulator in started:
            name = emulator.name
            emulator.ready()
    except Exception as exc:
        print(f"error: could not start {name}: {exc}", file=sys.stderr, flush=True)
        _stop_all(started)
        return 1

    where = f"data in {config.data_dir}" if config.data_dir else "data in memory"
    print(f"All emulators ready (project {config.project}, {where})", flush=True)
    while not stop_requested:
        time.sleep(0.2)
    print("Shutting down emulators", flush=True)
    _stop_all(started)
    if export_dir is not None:
        return _export(started, export_dir)
    return 0


def _stop_all(started: list[Emulator]) -> None:
    for emulator in sorted(started, key=lambda each: registry.STOP_ORDER.index(each.name)):
        try:
            emulator.stop()
        except Exception:  # keep stopping the others
            logging.getLogger(__name__).exception("stopping %s failed", emulator.name)


def _export(started: list[Emulator], folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for emulator in started:
            emulator.export_state(folder)
    except (OSError, ValueError) as exc:
        print(f"error: export to {folder} failed: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"Exported emulator state to {folder}", flush=True)
    return 0
