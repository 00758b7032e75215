"""Reads ``firebase.json`` and ``.firebaserc`` the way firebase-tools does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORTS = {
    "functions": 5001,
    "auth": 9099,
    "firestore": 8080,
    "database": 9000,
    "cloudinary": 9400,
    "mail": 8025,  # the mail emulator's HTTP API and inbox; its SMTP port is "smtpPort"
}
DEFAULT_SMTP_PORT = 1025
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PROJECT = "demo-flowchat"


class ConfigError(Exception):
    """firebase.json or .firebaserc cannot be used as written."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Config:
    root: Path
    project: str
    addresses: dict[str, Address]
    functions_source: Path
    firestore_rules: Path | None = None
    database_rules: Path | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    # Where emulators keep state between runs (``--data-dir``); None keeps it in memory.
    data_dir: Path | None = None
    # An export folder to load at start (``--import``), replacing the data dir's state.
    import_dir: Path | None = None

    @property
    def state_dir(self) -> Path:
        """The ignored folder for local state (data, uploads, generated secrets)."""
        return self.root / ".flowchat"

    def address(self, emulator: str) -> Address:
        return self.addresses[emulator]

    @property
    def smtp_address(self) -> Address:
        """Where the mail emulator accepts SMTP: ``emulators.mail.smtpPort``."""
        block = self.raw.get("emulators", {}).get("mail", {})
        return Address(self.address("mail").host, int(block.get("smtpPort", DEFAULT_SMTP_PORT)))

    def client_environment(self) -> dict[str, str]:
        """What points the Google and Firebase SDKs of a process at these emulators: every
        emulator's address, running or not, so that no write can reach production, and
        google-auth kept from probing a metadata server for credentials."""
        database = self.address("database")
        return {
            "FIRESTORE_EMULATOR_HOST": str(self.address("firestore")),
            "FIREBASE_AUTH_EMULATOR_HOST": str(self.address("auth")),
            "FIREBASE_DATABASE_EMULATOR_HOST": str(database),
            "FUNCTIONS_EMULATOR_HOST": str(self.address("functions")),
            "MAIL_EMULATOR_HOST": str(self.smtp_address),
            "NO_GCE_CHECK": "True",
            "GCLOUD_PROJECT": self.project,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "FIREBASE_CONFIG": json.dumps(
                {
                    "projectId": self.project,
                    "databaseURL": f"http://{database}/?ns={self.project}-default-rtdb",
                    "storageBucket": f"{self.project}.appspot.com",
                }
            ),
        }


def load(config_path: str | Path = "firebase.json", project: str | None = None) -> Config:
    path = Path(config_path).resolve()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path} not found") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    root = path.parent

    block = raw.get("emulators", {})
    addresses = {}
    for name, default_port in DEFAULT_PORTS.items():
        entry = block.get(name, {})
        addresses[name] = Address(
            host=str(entry.get("host", DEFAULT_HOST)),
            port=int(entry.get("port", default_port)),
        )

    return Config(
        root=root,
        project=project or _default_project(root),
        addresses=addresses,
        functions_source=root / _functions_source(raw),
        firestore_rules=_rules_path(root, raw.get("firestore")),
        database_rules=_rules_path(root, raw.get("database")),
        raw=raw,
    )


def _default_project(root: Path) -> str:
    rc = root / ".firebaserc"
    if rc.exists():
        projects = json.loads(rc.read_text()).get("projects", {})
        if "default" in projects:
            return projects["default"]
    return DEFAULT_PROJECT


def _functions_source(raw: dict) -> str:
    functions = raw.get("functions", {})
    if isinstance(functions, list):
        functions = functions[0] if functions else {}
    return functions.get("source", "functions")


def _rules_path(root: Path, section: dict | list | None) -> Path | None:
    if isinstance(section, list):
        section = section[0] if section else None
    if not section or "rules" not in section:
        return None
    return root / section["rules"]
