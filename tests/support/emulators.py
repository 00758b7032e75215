"""Runs ``python -m emulators start`` as a real subprocess on free ports, for tests."""

from __future__ import annotations

import json
import os
import random
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

    def host(self, emulator: str) -> str:
        return f"127.0.0.1:{self.ports[emulator]}"

    def url(self, emulator: str) -> str:
        return f"http://{self.host(emulator)}"

    def functions_url(self, name: str = "", region: str = "us-central1") -> str:
        return f"{self.url('functions')}/{self.project}/{region}/{name}"

    def log(self) -> str:
        return "".join(self.output)

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
    ports: dict[str, int] | None = None,
) -> tuple[Path, dict[str, int]]:
    """A firebase.json in ``folder`` that points at the repo's code. Every emulator gets a
    free port (or the one in ``ports``), started or not, so nothing reaches another run's
    emulators."""
    if ports is None:
        ports = {}
        for name in DEFAULT_PORTS:
            while (port := free_port()) in ports.values():
                pass
            ports[name] = port
    config = {
        "functions": [{"source": str(ROOT / "functions"), "runtime": "python311"}],
        "firestore": {"rules": str(firestore_rules or ROOT / "firestore.rules")},
        "database": {"rules": str(database_rules or ROOT / "database.rules.json")},
        "emulators": {name: {"host": "127.0.0.1", "port": port} for name, port in ports.items()},
    }
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
    **rules: Path,
) -> EmulatorProcess:
    """Start the emulators and return once they print ``All emulators ready``."""
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
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = EmulatorProcess(process, ports, env=dict(env or {}))
    ready = threading.Event()

    def pump() -> None:
        for line in process.stdout:
            running.output.append(line)
            if "All emulators ready" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"emulators {only} did not start:\n{running.log()}")
    return running


def restart(
    running: EmulatorProcess, folder: Path, only: list[str], **rules: Path
) -> EmulatorProcess:
    """Stop ``running`` and start the same emulators again on the same ports (with empty
    state, as a restarted emulator has)."""
    running.stop()
    return start(folder, only, env=running.env, ports=running.ports, **rules)
