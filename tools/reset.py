"""``make reset``: deletes FlowChat's local state on purpose, saying what goes.

Removes the emulators' data directory (Firestore, Realtime Database, Auth, Cloudinary
uploads, pending trigger events), the embedded PostgreSQL's data (accounts, rooms,
memberships, search index), uploads and pushes kept by runs without a data directory.
Generated secrets (``.flowchat/secrets.env``) and exports stay. Refuses while ``make dev``
is using them. Asks first only when a person is at the terminal (``--yes`` skips the
question); with no terminal (CI) it just does it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from emulators import datadir

STATE = Path(__file__).resolve().parent.parent / ".flowchat"


def targets(state: Path) -> list[tuple[Path, str]]:
    return [
        (state / "emulators", "emulator data: Firestore, Realtime Database, Auth users, uploads"),
        (state / "postgres", "embedded PostgreSQL: accounts, rooms, memberships, search index"),
        (state / "cloudinary", "uploads of emulator runs without a data directory"),
        (state / "pushes.jsonl", "the local push log"),
    ]


def in_use(state: Path) -> str | None:
    """What still runs on the state, if anything."""
    emulator_data, postgres_data = state / "emulators", state / "postgres"
    if emulator_data.is_dir():
        try:
            os.close(datadir.lock(emulator_data))
        except datadir.DataDirInUse:
            return f"the emulators are running on {emulator_data}"
    if _server_running(postgres_data / "postmaster.pid"):
        return f"PostgreSQL is running on {postgres_data}"
    return None


def _server_running(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (OSError, ValueError, IndexError) as exc:
        # No file, or a stale one from a server that is gone; EPERM: it runs as another user.
        return isinstance(exc, PermissionError)
    return True


def main(argv: list[str] | None = None, state: Path = STATE) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reset", description=__doc__)
    parser.add_argument("--yes", action="store_true", help="do not ask")
    args = parser.parse_args(argv)

    present = [(path, what) for path, what in targets(state) if path.exists()]
    if not present:
        print("make reset: no local state to remove")
        return 0
    busy = in_use(state)
    if busy:
        print(f"make reset: {busy}; stop make dev first", file=sys.stderr)
        return 1
    print("make reset removes:")
    for path, what in present:
        print(f"  {path}  ({what})")
    asking = not args.yes and sys.stdin.isatty()
    if asking and input("Remove them? [y/N] ").strip().lower() not in ("y", "yes"):
        print("make reset: nothing removed")
        return 1
    for path, _ in present:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    print("make reset: done; the next make dev starts empty")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
