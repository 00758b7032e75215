"""HTTP, callable and trigger handlers: turn requests and events into calls on the domain
modules and back.

Submodules load on first use (``handlers.rooms`` imports pydantic, psycopg, the Firestore
client ...), so that importing main.py stays cheap: deploy discovery imports it with a
10-second limit, and every cold start pays for what it imports.
"""

import importlib
from types import ModuleType

_SUBMODULES = {
    "accounts",
    "account_lifecycle",
    "devices",
    "media",
    "missed_mail",
    "notification_settings",
    "profiles",
    "rooms",
    "search",
    "triggers",
}


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
