"""Google's own Auth emulator (firebase-tools, from tests/node), run offline as a second Auth
backend for the functions' tests. It needs no Java; it takes 5-10 s to start here."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.emulators import ROOT, await_ready, free_port

FIREBASE = ROOT / "tests" / "node" / "node_modules" / ".bin" / "firebase"


@dataclass
class GoogleAuth:
    process: subprocess.Popen
    port: int
    output: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    def stop(self) -> None:
        """Stop firebase-tools and everything it started (its own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # nothing of the group may outlive it
            os.killpg(self.process.pid, signal.SIGKILL)


def start(folder: Path, project: str, timeout: float = 90) -> GoogleAuth:
    ports = [free_port() for _ in range(3)]
    while len(set(ports)) < 3:
        ports = [free_port() for _ in range(3)]
    auth, hub, logging = ports
    config = {
        "emulators": {
            "auth": {"host": "127.0.0.1", "port": auth},
            "hub": {"host": "127.0.0.1", "port": hub},
            "logging": {"host": "127.0.0.1", "port": logging},
            "ui": {"enabled": False},
        }
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "firebase.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [str(FIREBASE), "emulators:start", "--only", "auth", "--project", project],
        cwd=folder,
        env={**os.environ, "CI": "true"},  # no prompts, no colour
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = GoogleAuth(process, auth)
    if not await_ready(process, running.output, timeout):
        running.stop()
        log = "".join(running.output)
        raise RuntimeError(f"firebase-tools' Auth emulator did not start:\n{log}")
    return running
