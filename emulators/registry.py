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
}
START_ORDER = ["auth", "firestore", "database", "cloudinary", "functions"]


def available() -> list[str]:
    return [name for name in START_ORDER if name in EMULATORS]


def load(name: str) -> type[Emulator]:
    module_name, class_name = EMULATORS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
