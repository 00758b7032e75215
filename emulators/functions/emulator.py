"""The functions host: loads ``main.py`` once and serves its functions as firebase-tools'
functions emulator does.

- HTTP and callable functions at ``http://HOST:PORT/PROJECT/REGION/NAME`` (Flask, as
  functions-framework serves them in production);
- Firestore and Realtime Database triggers, fed by the other emulators' writes;
- scheduled functions on ``every N minutes`` schedules, or at once by a POST to their URL.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
from werkzeug.serving import BaseWSGIServer, make_server

from emulators.base import Emulator
from emulators.events import DatabaseWrite, FirestoreWrite
from emulators.functions import environment, schedules
from emulators.functions.triggers import Dispatcher, event_triggers

log = logging.getLogger(__name__)


class FunctionsEmulator(Emulator):
    name = "functions"

    def __init__(self, config, hub) -> None:
        super().__init__(config, hub)
        self.functions: dict[str, Any] = {}
        self.dispatcher: Dispatcher | None = None
        self._server: BaseWSGIServer | None = None
        self._timers: list[schedules.Timer] = []

    def start(self) -> None:
        source = self.config.functions_source
        os.environ.update(environment.build(self.hub, source))
        self.functions = discover(load_main(source))

        self.dispatcher = Dispatcher(event_triggers(self.functions), self.config.project)
        self.hub.events.subscribe(FirestoreWrite, self.dispatcher.on_firestore_write)
        self.hub.events.subscribe(DatabaseWrite, self.dispatcher.on_database_write)
        self._start_schedules()

        self._server = make_server(self.address.host, self.address.port, self._app(), threaded=True)
        _serve_in_background(self._server)
        for name in self.functions:
            log.info("function ready: %s", self.url(name))

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self.dispatcher is not None:
            self.dispatcher.close()

    def url(self, name: str) -> str:
        return f"http://{self.address}/{self.config.project}/{self._region(name)}/{name}"

    def _region(self, name: str) -> str:
        regions = self.functions[name].__firebase_endpoint__.region or ["us-central1"]
        return regions[0]

    def _start_schedules(self) -> None:
        for name, function in self.functions.items():
            trigger = function.__firebase_endpoint__.scheduleTrigger
            if not trigger:
                continue
            seconds = schedules.interval_seconds(str(trigger.get("schedule", "")))
            if seconds is None:
                log.warning(
                    "%s: schedule %r runs only when POSTed to", name, trigger.get("schedule")
                )
                continue
            app = self._app()

            def run(function=function, app=app, name=name) -> None:
                with app.test_request_context(f"/{name}", method="POST"):
                    function(flask.request._get_current_object())

            timer = schedules.Timer(f"schedule-{name}", seconds, run)
            timer.start()
            self._timers.append(timer)

    def _app(self) -> flask.Flask:
        app = flask.Flask("flowchat-functions")
        project = self.config.project

        def dispatch(region: str, name: str, path: str = "") -> Any:
            function = self.functions.get(name)
            if function is None or region != self._region(name):
                return _not_found(f"function {project}/{region}/{name} does not exist")
            endpoint = function.__firebase_endpoint__
            if endpoint.eventTrigger:
                return _not_found(f"{name} is an event trigger, not an HTTP function")
            return function(flask.request._get_current_object())

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
        app.add_url_rule(f"/{project}/<region>/<name>", view_func=dispatch, methods=methods)
        app.add_url_rule(
            f"/{project}/<region>/<name>/<path:path>", view_func=dispatch, methods=methods
        )
        return app


def load_main(source: Path) -> ModuleType:
    """Import ``main.py`` from the functions source folder, as the runtime does."""
    folder = str(source)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("main", os.path.join(folder, "main.py"))
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no main.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    return module


def discover(module: ModuleType) -> dict[str, Any]:
    """The Firebase functions a module defines, by entry-point name."""
    return {
        function.__firebase_endpoint__.entryPoint: function
        for _, function in inspect.getmembers(module, inspect.isfunction)
        if hasattr(function, "__firebase_endpoint__")
    }


def _serve_in_background(server: BaseWSGIServer) -> None:
    threading.Thread(target=server.serve_forever, name="functions-server", daemon=True).start()


def _not_found(message: str) -> flask.Response:
    return flask.Response(
        flask.json.dumps({"error": {"status": "NOT_FOUND", "message": message}}),
        status=404,
        mimetype="application/json",
    )
