"""Restarting the emulator process on the ports it had, for the reconnect tests."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from tests.support import emulators


def restart_on_same_ports(
    running: emulators.EmulatorProcess, folder: Path, only: list[str], **rules: Path
) -> emulators.EmulatorProcess:
    """Stops ``running`` and starts the same emulators from the same firebase.json in
    ``folder``. ``emulators.start`` writes a config with fresh ports; here it reuses the
    config and ports it wrote the first time. The new process starts with empty state."""
    running.stop()
    config = folder / "firebase.json"
    with mock.patch.object(emulators, "write_config", return_value=(config, running.ports)):
        return emulators.start(folder, only, env=running.env, timeout=60, **rules)
