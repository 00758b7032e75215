"""``python -m emulators start``: selection, errors, readiness and clean shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from tests.support import emulators


def test_unknown_emulator_is_a_clear_error(tmp_path):
    config, _ = emulators.write_config(tmp_path, ["functions"])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulators",
            "start",
            "--only",
            "functions,nosuch",
            "--config",
            str(config),
        ],
        cwd=emulators.ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "no emulator named nosuch; available:" in result.stderr


def test_missing_config_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "emulators", "start", "--config", str(tmp_path / "nope.json")],
        cwd=emulators.ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "nope.json not found" in result.stderr


def test_sigterm_stops_cleanly_and_frees_the_port(tmp_path, database_url):
    running = emulators.start(tmp_path, ["functions"], env={"DATABASE_URL": database_url})
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(15) == 0
    assert "Shutting down emulators" in running.log()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", running.ports["functions"]))
