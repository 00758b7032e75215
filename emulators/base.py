"""What every emulator offers to the launcher, and what they share in one process."""

from __future__ import annotations

import abc
from pathlib import Path
from typing import ClassVar

from emulators.config import Address, Config
from emulators.events import EventBus


class Emulator(abc.ABC):
    """One emulator: it binds its port in ``start`` and serves until ``stop``."""

    name: ClassVar[str]

    def __init__(self, config: Config, hub: Hub) -> None:
        self.config = config
        self.hub = hub

    @property
    def address(self) -> Address:
        return self.config.address(self.name)

    @abc.abstractmethod
    def start(self) -> None:
        """Bind and serve in background threads; return once accepting connections."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop serving and release the port."""

    def ready(self) -> None:
        """Called once every emulator of the launcher has started (work that fires events
        the functions host must see, or needs another emulator)."""
        return None

    def export_state(self, folder: Path) -> None:
        """Write this emulator's state into an export folder (``--export-on-exit``); runs
        after ``stop``. Emulators without state of their own write nothing."""
        return None

    def environment(self) -> dict[str, str]:
        """Variables that point SDKs in the functions at this emulator."""
        return {}


class Hub:
    """The emulators running in this process, so they can find one another
    (the functions host delivers Firestore and Database events, rules read Auth users)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.emulators: dict[str, Emulator] = {}
        self.events = EventBus()

    def get(self, name: str) -> Emulator | None:
        return self.emulators.get(name)
