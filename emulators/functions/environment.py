"""The environment a function sees under the emulator, as firebase-tools builds it."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values

from emulators.base import Hub


def build(hub: Hub, source: Path) -> dict[str, str]:
    """Variables to set before loading main.py.

    Order, later wins: the functions' dotenv files (``.env``, ``.env.<project>``,
    ``.env.local``, ``.secret.local``), the launcher's own environment, then the emulator
    addresses. Every emulator's address is set, running or not, so that SDKs in the
    functions reach the local emulators (or fail fast) and never production.
    """
    config = hub.config
    env: dict[str, str] = {}
    for name in (".env", f".env.{config.project}", ".env.local", ".secret.local"):
        path = source / name
        if path.exists():
            env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    env.update(os.environ)

    env.update(config.client_environment())
    env["FUNCTIONS_EMULATOR"] = "true"
    env.setdefault("PUSH_LOG_PATH", str(config.state_dir / "pushes.jsonl"))
    for emulator in hub.emulators.values():
        env.update(emulator.environment())
    return env
