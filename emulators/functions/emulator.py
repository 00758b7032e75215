"""The functions emulator: runs the functions in a process of their own
(``emulators/functions/host.py``) and feeds their triggers, as firebase-tools' functions
emulator does.

- HTTP and callable functions at ``http://HOST:PORT/PROJECT/REGION/NAME``, served by the
  child process on the functions port;
- Firestore and Realtime Database triggers, fed by the other emulators' writes in this
  process: queued here (bounded, with backpressure on client writers, ``triggers``) and
  delivered to the child as CloudEvents over HTTP, on connections kept open
  (``event_channel``);
- scheduled functions, run by the child.

The child has its own interpreter lock, so the functions' work no longer competes with the
emulators accepting writes. It is started with the launcher and stopped after the trigger
queues have drained. With a data directory, trigger events not delivered yet are kept there
and delivered at the next start (``persistence``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from cloudevents.http import CloudEvent

from emulators.base import Emulator
from emulators.events import DatabaseWrite, FirestoreWrite
from emulators.functions import environment, event_channel, host, instances, schedules
from emulators.functions.paths import PathPattern
from emulators.functions.persistence import DeliveryJournal
from emulators.functions.triggers import DATABASE_PREFIX, FIRESTORE_PREFIX, Dispatcher, Trigger

log = logging.getLogger(__name__)

QUEUE_REPORT_SECONDS = 5.0
START_SECONDS = 60.0  # importing main.py and binding the port
STOP_SECONDS = 30.0  # for the requests under way, then the child is killed
# A trigger delivery waits this long for the function (Cloud Functions' default timeout
# for event functions is 60 s; the message trigger may wait out a summary interval).
DELIVERY_TIMEOUT = 120.0


class FunctionsEmulator(Emulator):
    name = "functions"

    def __init__(self, config, hub) -> None:
        super().__init__(config, hub)
        self.functions: dict[str, dict[str, Any]] = {}  # name -> the child's manifest entry
        self.dispatcher: Dispatcher | None = None
        self._child: subprocess.Popen | None = None
        self._http: httpx.Client | None = None
        self._events: event_channel.EventClient | None = None
        self._timers: list[schedules.Timer] = []
        self._journal: DeliveryJournal | None = None

    def start(self) -> None:
        env = self._child_environment()
        self._child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulators.functions.host",
                "--source",
                str(self.config.functions_source),
                "--project",
                self.config.project,
                "--host",
                self.address.host,
                "--port",
                str(self.address.port),
                "--launcher",
                str(os.getpid()),
                "--instances",
                str(instances.count(env)),
            ],
            env=env,
            cwd=str(self.config.root),
            # Out of the launcher's process group: a Ctrl-C at the terminal (or a signal
            # to the group) reaches the launcher alone, which drains the trigger queues
            # into the child before stopping it.
            start_new_session=True,
        )
        self._http = httpx.Client(base_url=f"http://{self.address}", timeout=10.0)  # manifest
        try:
            manifest = self._await_child()
        except Exception:
            self._stop_child()
            raise
        self.functions = {entry["name"]: entry for entry in manifest["functions"]}
        self._events = event_channel.EventClient(
            self.address.host, manifest["events"], DELIVERY_TIMEOUT
        )

        if self.config.data_dir is not None:
            self._journal = DeliveryJournal(self.config.data_dir)
        self.dispatcher = Dispatcher(
            self._event_triggers(), self.config.project, journal=self._journal
        )
        self.hub.events.subscribe(FirestoreWrite, self.dispatcher.on_firestore_write)
        self.hub.events.subscribe(DatabaseWrite, self.dispatcher.on_database_write)
        self.hub.events.add_gate(self.dispatcher.wait_for_room)
        redelivered = self.dispatcher.redeliver()
        if redelivered:
            log.info("%d trigger events from the last run queued again", redelivered)
        self._report_queues(self.dispatcher)
        for name in self.functions:
            log.info("function ready: %s", self.url(name))

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()
        if self.dispatcher is not None:
            self.dispatcher.close()  # the deliveries under way finish in the child first
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self._stop_child()

    def _child_environment(self) -> dict[str, str]:
        env = {**os.environ, **environment.build(self.hub, self.config.functions_source)}
        # The child imports this package, wherever the launcher was started from.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        return env

    def url(self, name: str) -> str:
        return f"http://{self.address}/{self.config.project}/{self._region(name)}/{name}"

    def _region(self, name: str) -> str:
        return self.functions[name]["region"]

    def _await_child(self) -> dict[str, Any]:
        """The child's manifest, once it serves; raises if it exits or takes too long."""
        assert self._child is not None and self._http is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._child.poll() is not None:
                raise RuntimeError(f"the functions host exited with {self._child.returncode}")
            try:
                response = self._http.get(host.MANIFEST_PATH, timeout=2.0)
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the functions host did not serve within {START_SECONDS:.0f} s")

    def _stop_child(self) -> None:
        if self._http is not None:
            # Closed first, so that its kept-alive connection to the child is closed from this
            # end: the end that closes first holds the port in TIME_WAIT for a minute, and the
            # child's is the functions port.
            self._http.close()
            self._http = None
        if self._child is not None and self._child.poll() is None:
            self._child.terminate()
            try:
                self._child.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning("the functions host did not stop within %.0f s; killed", STOP_SECONDS)
                self._child.kill()
                self._child.wait()
        self._child = None
        if self._events is not None:
            self._events.close()
            self._events = None

    def _event_triggers(self) -> list[Trigger]:
        found = []
        for name, entry in self.functions.items():
            trigger = entry["eventTrigger"]
            if not trigger:
                continue
            event_type = trigger["eventType"]
            patterns = trigger.get("eventFilterPathPatterns") or {}
            filters = trigger.get("eventFilters") or {}
            pattern = (
                patterns.get("document")
                or filters.get("document")
                or patterns.get("ref")
                or filters.get("ref")
            )
            if event_type.startswith((FIRESTORE_PREFIX, DATABASE_PREFIX)) and pattern:
                found.append(
                    Trigger(name, self._deliverer(name), event_type, PathPattern.parse(pattern))
                )
            else:
                log.warning("%s: %s triggers are not emulated", name, event_type)
        return found

    def _deliverer(self, name: str):
        """Delivers one event to the function in the child; raises unless it succeeded, so
        that the dispatcher retries it."""

        def deliver(event: CloudEvent) -> None:
            assert self._events is not None
            status = self._events.post(name, event)
            if status != 204:
                raise RuntimeError(f"{name} answered {status}")

        return deliver

    def _report_queues(self, dispatcher: Dispatcher) -> None:
        """Prints each trigger queue's depth and lag every few seconds while it is busy."""

        def report() -> None:
            for stats in dispatcher.stats():
                if stats.depth or stats.max_lag_seconds >= 1.0:
                    log.info(
                        "trigger queue %s: %d waiting (oldest %.1f s), %d started, "
                        "max lag %.2f s in the last %.0f s",
                        stats.function,
                        stats.depth,
                        stats.oldest_seconds,
                        stats.started,
                        stats.max_lag_seconds,
                        QUEUE_REPORT_SECONDS,
                    )

        timer = schedules.Timer("trigger-queue-report", QUEUE_REPORT_SECONDS, report)
        timer.start()
        self._timers.append(timer)
