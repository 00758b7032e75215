"""The emulators this package provides, in the order they start."""

from __future__ import annotations

import importlib

from emulators.base import Emulator

# name -> "module:Class". Functions start last so their environment can name the others.
EMULATORS: dict[str, str] = {
    "database": "emulators.database.emulator:DatabaseEmulator",
    "auth": "emulators.auth.emulator:AuthEmulator",
    "firestore": "emulators.firestore.emulator:FirestoreEmulator",
    "functions": "emulators.functions.emulator:FunctionsEmulator",
    "cloudinary": "emulators.cloudinary.emulator:CloudinaryEmulator",
    "mail": "emulators.mail.emulator:MailEmulator",
}
START_ORDER = ["auth", "firestore", "database", "cloudinary", "mail", "functions"]
# The Realtime Database stops first: closing its connections runs their onDisconnect
# writes, whose triggers the functions host then delivers (to Firestore, still up) before
# it stops; Firestore and Auth, which the triggers use, stop last. Mail, which the
# functions send to, stops after them.
STOP_ORDER = ["database", "functions", "mail", "cloudinary", "firestore", "auth"]


def available() -> list[str]:
    return [name for name in START_ORDER if name in EMULATORS]


def load(name: str) -> type[Emulator]:
    module_name, class_name = EMULATORS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
