"""Runs scheduled functions on their schedule while the emulator runs.

Only App Engine-style ``every N minutes|hours`` schedules are timed here; any scheduled
function can also be run at once by POSTing to its URL, like "force run" in Cloud Scheduler.
With ``FLOWCHAT_SCHEDULES=manual`` nothing is timed: only such POSTs run them (the tests).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# The host's environment variable that turns the timing off (the launcher passes its own on).
MODE_VARIABLE = "FLOWCHAT_SCHEDULES"
MANUAL = "manual"

_EVERY = re.compile(r"^every (\d+) (minute|minutes|hour|hours)$")


def interval_seconds(schedule: str) -> float | None:
    match = _EVERY.match(schedule.strip())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return amount * (3600 if unit.startswith("hour") else 60)


class Timer:
    """Calls ``run`` every ``seconds`` on a daemon thread until ``stop``."""

    def __init__(self, name: str, seconds: float, run: Callable[[], None]) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(seconds, run), name=name, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _loop(self, seconds: float, run: Callable[[], None]) -> None:
        while not self._stopped.wait(seconds):
            try:
                run()
            except Exception:
                log.exception("scheduled run failed")
