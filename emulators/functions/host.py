"""The functions' own process: ``python -m emulators.functions.host``, started and stopped by
the functions emulator (``emulators/functions/emulator.py``) in the launcher.

It loads ``main.py`` once and serves, on the functions port:

- HTTP and callable functions at ``/PROJECT/REGION/NAME`` (Flask, as functions-framework
  serves them in production);
- ``GET /__/functions``: each function's name, region and trigger, and the port of the
  event listener, for the launcher;
- on that listener (an ephemeral port, ``event_channel``), ``POST /__/events/NAME``: one
  CloudEvent (binary content mode) for an event trigger, answered 204 once the function
  returned, 500 if it raised (the launcher retries), on connections that stay open;
- scheduled functions on ``every N minutes`` schedules, or at once by a POST to their URL.

The functions run here, beside no emulator: the launcher's process serves Firestore and
the Realtime Database, and the two no longer share one interpreter lock. SIGTERM or SIGINT
stops the server once the requests under way are answered; when the launcher itself is
gone (killed), the process exits at once, as there is nobody left to answer for.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import inspect
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from emulators.functions import event_channel, idtoken_checks, schedules

log = logging.getLogger("emulators.functions.host")

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
MANIFEST_PATH = "/__/functions"
STOP_SECONDS = 30.0  # for the event deliveries under way at a stop


class _Server(ThreadedWSGIServer):
    # werkzeug listens with a backlog of 128: under a burst of connections the kernel drops
    # the rest and clients retry a second later. The kernel caps it at net.core.somaxconn.
    request_queue_size = 1024
    daemon_threads = False  # server_close waits for the requests under way


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators.functions.host")
    parser.add_argument("--source", type=Path, required=True, help="folder of main.py")
    parser.add_argument("--project", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--launcher", type=int, required=True, help="the launcher's pid")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    # The stop signals are taken with sigwait below, never by a handler (a handler setting an
    # Event can deadlock on the Event's own lock); blocked before any thread starts, so every
    # thread inherits the mask and the main thread alone receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    _stop_with_the_launcher(args.launcher)

    idtoken_checks.install(args.project)
    functions = discover(load_main(args.source))
    events = event_channel.EventServer(args.host, event_deliverer(functions))
    threading.Thread(target=events.serve_forever, name="event-listener", daemon=True).start()
    app = make_app(functions, args.project, events.port)
    timers = start_schedules(functions, app)
    server = _Server(args.host, args.port, app, handler=_QuietRequestHandler)
    threading.Thread(target=server.serve_forever, name="functions-server", daemon=True).start()
    log.info("functions host (pid %d) serving %d functions", os.getpid(), len(functions))
    signal.sigwait(STOP_SIGNALS)
    if os.getppid() != args.launcher:
        # The launcher was killed: the emulators went with it, and a schedule under way may
        # be waiting on them; stopping in order could outlast any reasonable wait.
        log.info("functions host (pid %d): the launcher is gone, exiting", os.getpid())
        os._exit(0)
    for timer in timers:
        timer.stop()
    events.stop(STOP_SECONDS)
    server.shutdown()
    server.server_close()
    return 0


class _QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its access line per request: each function already logs
    one structured line per request (``functions/logs.py``), and writing a second one cost
    the host about as much as a small function's own work. Errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _stop_with_the_launcher(launcher: int) -> None:
    """A launcher that is killed (SIGKILL gives it no chance to stop us) must not leave
    this process serving: Linux sends it SIGTERM when the launcher dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    pr_set_pdeathsig = 1  # <sys/prctl.h>
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != launcher:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


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


def region_of(function: Any) -> str:
    regions = function.__firebase_endpoint__.region or ["us-central1"]
    return regions[0]


def manifest(functions: dict[str, Any], events_port: int) -> dict[str, Any]:
    """What the launcher needs: each function, where it is served and what triggers it, and
    the port that takes events."""
    return {
        "functions": [
            {
                "name": name,
                "region": region_of(function),
                "eventTrigger": function.__firebase_endpoint__.eventTrigger or None,
                "scheduleTrigger": function.__firebase_endpoint__.scheduleTrigger or None,
            }
            for name, function in functions.items()
        ],
        "events": events_port,
    }


def event_deliverer(functions: dict[str, Any]):
    """Runs one event for the event listener: 204 once the function returned, 500 if it
    raised, 404 for a name that is not an event trigger."""

    def deliver(name: str, headers: dict[str, str], body: bytes) -> int:
        function = functions.get(name)
        if function is None or not function.__firebase_endpoint__.eventTrigger:
            log.warning("an event for %s, which is not an event trigger", name)
            return 404
        event = event_channel.decode(headers, body)
        try:
            function(event)
        except Exception:
            log.exception("%s failed on event %s", name, event["id"])
            return 500
        return 204

    return deliver


def make_app(functions: dict[str, Any], project: str, events_port: int) -> flask.Flask:
    app = flask.Flask("flowchat-functions")

    def dispatch(region: str, name: str, path: str = "") -> Any:
        function = functions.get(name)
        if function is None or region != region_of(function):
            return _not_found(f"function {project}/{region}/{name} does not exist")
        if function.__firebase_endpoint__.eventTrigger:
            return _not_found(f"{name} is an event trigger, not an HTTP function")
        return function(flask.request._get_current_object())

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    app.add_url_rule(
        MANIFEST_PATH,
        view_func=lambda: flask.jsonify(manifest(functions, events_port)),
        methods=["GET"],
    )
    app.add_url_rule(f"/{project}/<region>/<name>", view_func=dispatch, methods=methods)
    app.add_url_rule(f"/{project}/<region>/<name>/<path:path>", view_func=dispatch, methods=methods)
    return app


def start_schedules(functions: dict[str, Any], app: flask.Flask) -> list[schedules.Timer]:
    """Times each scheduled function's ``every N minutes|hours`` schedule, unless
    ``FLOWCHAT_SCHEDULES=manual``: tests run a schedule when they mean to (a POST to its URL),
    and one firing on its own in the middle of a test made its outcome a matter of timing."""
    if os.environ.get(schedules.MODE_VARIABLE) == schedules.MANUAL:
        log.info(
            "schedules run only when POSTed to (%s=%s)", schedules.MODE_VARIABLE, schedules.MANUAL
        )
        return []
    timers = []
    for name, function in functions.items():
        trigger = function.__firebase_endpoint__.scheduleTrigger
        if not trigger:
            continue
        seconds = schedules.interval_seconds(str(trigger.get("schedule", "")))
        if seconds is None:
            log.warning("%s: schedule %r runs only when POSTed to", name, trigger.get("schedule"))
            continue

        def run(function=function, name=name) -> None:
            with app.test_request_context(f"/{name}", method="POST"):
                function(flask.request._get_current_object())

        timer = schedules.Timer(f"schedule-{name}", seconds, run)
        timer.start()
        timers.append(timer)
    return timers


def _not_found(message: str) -> flask.Response:
    return flask.Response(
        flask.json.dumps({"error": {"status": "NOT_FOUND", "message": message}}),
        status=404,
        mimetype="application/json",
    )


if __name__ == "__main__":
    raise SystemExit(main())
