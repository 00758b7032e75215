"""The environment a function sees under the emulator, as firebase-tools builds it."""

from __future__ import annotations

import json
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

    database = config.address("database")
    env.update(
        {
            "FIRESTORE_EMULATOR_HOST": str(config.address("firestore")),
            "FIREBASE_AUTH_EMULATOR_HOST": str(config.address("auth")),
            "FIREBASE_DATABASE_EMULATOR_HOST": str(database),
            "FUNCTIONS_EMULATOR_HOST": str(config.address("functions")),
            "MAIL_EMULATOR_HOST": str(config.smtp_address),
            "NO_GCE_CHECK": "True",  # google-auth must not probe a metadata server
            "FUNCTIONS_EMULATOR": "true",
            "GCLOUD_PROJECT": config.project,
            "GOOGLE_CLOUD_PROJECT": config.project,
            "FIREBASE_CONFIG": json.dumps(
                {
                    "projectId": config.project,
                    "databaseURL": f"http://{database}/?ns={config.project}-default-rtdb",
                    "storageBucket": f"{config.project}.appspot.com",
                }
            ),
        }
    )
    env.setdefault("PUSH_LOG_PATH", str(config.state_dir / "pushes.jsonl"))
    for emulator in hub.emulators.values():
        env.update(emulator.environment())
    return env
