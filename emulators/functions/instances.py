"""More than one instance of the HTTP functions, as Cloud Functions starts more instances
under load: processes that load ``main.py`` themselves and serve the HTTP functions on the
host's own listening socket, inherited, so that whichever instance is free takes the next
connection. The first instance (the host) alone binds the port, feeds the event triggers and
times the schedules.

One interpreter could not keep up with a burst: under 200 requests at once its threads made
some 80 futex calls per request handing its lock to each other (0.3-0.5 ms of system time
per request, beside 0.7-1.0 ms of user time). Two instances answered the same burst in
about half the time (docs/pipeline.md, fifth round). Instances share nothing but PostgreSQL
and the emulators, as in production, so a function that relied on one instance's memory
fails here as it would there.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping

log = logging.getLogger("emulators.functions.instances")

VARIABLE = "FLOWCHAT_FUNCTIONS_INSTANCES"
MOST = 8


def count(environ: Mapping[str, str]) -> int:
    """How many instances serve the HTTP functions: ``FLOWCHAT_FUNCTIONS_INSTANCES``, else
    one per core up to 4 (more than the cores only wait for each other)."""
    value = environ.get(VARIABLE, "").strip()
    if not value:
        return min(os.cpu_count() or 1, 4)
    if not value.isdigit() or not 1 <= int(value) <= MOST:
        raise ValueError(f"{VARIABLE} must be a whole number from 1 to {MOST}, not {value!r}")
    return int(value)


class MoreInstances:
    """The instances after the first: started with the host's arguments and its listening
    socket, stopped with it (SIGTERM, then SIGKILL past the time given)."""

    def __init__(self, host_argv: list[str], listener: socket.socket, events_port: int) -> None:
        self._argv = [
            sys.executable,
            "-m",
            "emulators.functions.host",
            *host_argv,
            "--port",
            str(listener.getsockname()[1]),
            "--listen-fd",
            str(listener.fileno()),
            "--events-port",
            str(events_port),
            "--launcher",  # the process whose end ends them: this one
            str(os.getpid()),
        ]
        self._listener = listener
        self._processes: list[subprocess.Popen] = []

    def start(self, number: int) -> None:
        for _ in range(number):
            self._processes.append(subprocess.Popen(self._argv, pass_fds=[self._listener.fileno()]))
        if self._processes:
            pids = ", ".join(str(process.pid) for process in self._processes)
            log.info("HTTP functions: %d instances in all, the others pid %s", number + 1, pids)

    def signal_stop(self) -> None:
        """Asks each to stop; each answers the requests it holds first."""
        for process in self._processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for process in self._processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("functions instance %d did not stop in time; killed", process.pid)
                process.kill()
                process.wait()
            if process.returncode not in (0, -signal.SIGTERM):
                log.warning("functions instance %d exited with %d", process.pid, process.returncode)
        self._processes.clear()
