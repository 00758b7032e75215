"""Serves the HTTP and callable functions of ``main.py`` at
``http://HOST:PORT/PROJECT/REGION/NAME``, as firebase-tools' functions emulator does."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
import threading
from types import ModuleType
from typing import Any

import flask
from werkzeug.serving import BaseWSGIServer, make_server

from emulators.base import Emulator
from emulators.functions import environment

log = logging.getLogger(__name__)


class FunctionsEmulator(Emulator):
    name = "functions"

    def __init__(self, config, hub) -> None:
        super().__init__(config, hub)
        self.functions: dict[str, Any] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        source = self.config.functions_source
        os.environ.update(environment.build(self.hub, source))
        module = load_main(source)
        self.functions = discover(module)
        app = self._app()
        self._server = make_server(self.address.host, self.address.port, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="functions-server", daemon=True
        )
        self._thread.start()
        for name in self.functions:
            log.info("function ready: %s", self.url(name))

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def url(self, name: str) -> str:
        region = self._region(name)
        return f"http://{self.address}/{self.config.project}/{region}/{name}"

    def _region(self, name: str) -> str:
        regions = self.functions[name].__firebase_endpoint__.region or ["us-central1"]
        return regions[0]

    def _app(self) -> flask.Flask:
        app = flask.Flask("flowchat-functions")
        project = self.config.project

        def dispatch(region: str, name: str, path: str = "") -> Any:
            function = self.functions.get(name)
            if function is None or region != self._region(name):
                return _not_found(f"function {project}/{region}/{name} does not exist")
            if not _is_http(function):
                return _not_found(f"{name} is not an HTTP or callable function")
            return function(flask.request._get_current_object())

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
        app.add_url_rule(f"/{project}/<region>/<name>", view_func=dispatch, methods=methods)
        app.add_url_rule(
            f"/{project}/<region>/<name>/<path:path>", view_func=dispatch, methods=methods
        )
        return app


def load_main(source) -> ModuleType:
    """Import ``main.py`` from the functions source folder, as the runtime does."""
    source = str(source)
    if source not in sys.path:
        sys.path.insert(0, source)
    spec = importlib.util.spec_from_file_location("main", os.path.join(source, "main.py"))
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no main.py in {source}")
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


def _is_http(function: Any) -> bool:
    endpoint = function.__firebase_endpoint__
    return endpoint.httpsTrigger is not None or endpoint.callableTrigger is not None


def _not_found(message: str) -> flask.Response:
    return flask.Response(
        flask.json.dumps({"error": {"status": "NOT_FOUND", "message": message}}),
        status=404,
        mimetype="application/json",
    )
