"""Runs ``python -m emulators start`` as a real subprocess on free ports, for tests."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from emulators.config import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "demo-flowchat"


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range.

    Ports are picked before the emulators start; one picked among ephemeral ports could be
    taken meanwhile by any socket bound to port 0 or any outgoing connection (an emulator's
    own internal servers, a client), so tests pick from below that range.
    """
    low, _ = _ephemeral_range()
    while True:
        port = random.randrange(10_000, low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def child_pid(parent: int, marker: bytes) -> int | None:
    """The pid of ``parent``'s child whose command line holds ``marker`` (the functions host
    is ``emulators.functions.host``), or None."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and marker in cmdline:
            return int(proc.name)
    return None


def functions_instances(host: int) -> list[int]:
    """The functions host's further instances: its children serving the HTTP functions on
    its socket (``emulators/functions/instances.py``)."""
    try:
        children = Path(f"/proc/{host}/task/{host}/children").read_text().split()
    except OSError:
        return []
    found = []
    for pid in children:
        try:
            if b"--listen-fd" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def serving_instances(running: EmulatorProcess, count: int, timeout: float = 60) -> list[int]:
    """The pids of the functions' ``count`` instances, the first one first, once each of them
    serves (a further instance loads ``main.py`` after the emulators are ready)."""
    first = child_pid(running.process.pid, b"emulators.functions.host")
    assert first is not None, running.log()
    deadline = time.monotonic() + timeout
    while len(others := functions_instances(first)) < count - 1 or not all(
        f"instance (pid {pid}) serving" in running.log() for pid in others
    ):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} functions instances did not serve:\n{running.log()}")
        time.sleep(0.1)
    return [first, *others]


SMTP = "smtp"  # the mail emulator's second port, written as emulators.mail.smtpPort


def assert_not_listening(port: int) -> None:
    """Nothing listens on ``port`` (connections the server closed may linger in
    TIME_WAIT, which SO_REUSEADDR allows binding over; a listener would not)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


def free_ports(**fixed: int) -> dict[str, int]:
    """A distinct free port for each emulator (and the mail emulator's SMTP), except those given."""
    ports = dict(fixed)
    for name in [*DEFAULT_PORTS, SMTP]:
        while name not in ports:
            if (port := free_port()) not in ports.values():
                ports[name] = port
    return ports


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


@dataclass
class EmulatorProcess:
    process: subprocess.Popen
    ports: dict[str, int]
    project: str = PROJECT
    env: dict[str, str] = field(default_factory=dict)
    output: deque[str] = field(default_factory=lambda: deque(maxlen=400))
    args: list[str] = field(default_factory=list)

    def host(self, emulator: str) -> str:
        return f"127.0.0.1:{self.ports[emulator]}"

    def url(self, emulator: str) -> str:
        return f"http://{self.host(emulator)}"

    def functions_url(self, name: str = "", region: str = "us-central1") -> str:
        return f"{self.url('functions')}/{self.project}/{region}/{name}"

    def log(self) -> str:
        return "".join(self.output)

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C: SIGINT, then the exit status once the process has ended."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to save anything."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def write_config(
    folder: Path,
    only: list[str],
    *,
    firestore_rules: Path | None = None,
    database_rules: Path | None = None,
    firestore_indexes: Path | None = None,
    ports: dict[str, int] | None = None,
) -> tuple[Path, dict[str, int]]:
    """A firebase.json in ``folder`` that points at the repo's code (rules and indexes, which
    the Firestore emulator enforces). Every emulator gets a free port (or the one in
    ``ports``), started or not, so nothing reaches another run's emulators."""
    if ports is None:
        ports = free_ports()
    config = {
        "functions": [{"source": str(ROOT / "functions"), "runtime": "python311"}],
        "firestore": {
            "rules": str(firestore_rules or ROOT / "firestore.rules"),
            "indexes": str(firestore_indexes or ROOT / "firestore.indexes.json"),
        },
        "database": {"rules": str(database_rules or ROOT / "database.rules.json")},
        "emulators": {
            name: {"host": "127.0.0.1", "port": port}
            for name, port in ports.items()
            if name != SMTP
        },
    }
    if SMTP in ports and "mail" in ports:
        config["emulators"]["mail"]["smtpPort"] = ports[SMTP]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "firebase.json"
    path.write_text(json.dumps(config, indent=2))
    return path, ports


def start(
    folder: Path,
    only: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    ports: dict[str, int] | None = None,
    args: list[str] | None = None,
    **rules: Path,
) -> EmulatorProcess:
    """Start the emulators and return once they print ``All emulators ready``. ``args``
    are more options for ``start`` (``["--data-dir", folder]``)."""
    config_path, ports = write_config(folder, only, ports=ports, **rules)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulators",
            "start",
            "--only",
            ",".join(only),
            "--config",
            str(config_path),
            "--project",
            PROJECT,
            *(args or []),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = EmulatorProcess(process, ports, env=dict(env or {}), args=list(args or []))
    if not await_ready(process, running.output, timeout):
        running.stop()
        raise RuntimeError(f"emulators {only} did not start:\n{running.log()}")
    return running


def await_ready(process: subprocess.Popen, output: deque[str], timeout: float) -> bool:
    """Copy the process's output into ``output`` (from a thread, for as long as it runs) and
    wait for ``All emulators ready``, which ours and firebase-tools print; False if the
    process exits or ``timeout`` passes first."""
    ready = threading.Event()

    def pump() -> None:
        for line in process.stdout:
            output.append(line)
            if "All emulators ready" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
    return True


def restart(
    running: EmulatorProcess, folder: Path, only: list[str], **rules: Path
) -> EmulatorProcess:
    """Stop ``running`` and start the same emulators again on the same ports, with the
    same options (empty state, unless they name a data directory)."""
    running.stop()
    return start(folder, only, env=running.env, ports=running.ports, args=running.args, **rules)
