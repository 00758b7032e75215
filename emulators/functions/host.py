"""The functions' own process: ``python -m emulators.functions.host``, started and stopped by
the functions emulator (``emulators/functions/emulator.py``) in the launcher.

It loads ``main.py`` once and serves, on the functions port:

- HTTP and callable functions at ``/PROJECT/REGION/NAME`` (Flask, as functions-framework
  serves them in production, here on waitress: ``FunctionsServer``);
- ``GET /__/functions``: each function's name, region and trigger, and the port of the
  event listener, for the launcher;
- on that listener (an ephemeral port, ``event_channel``), ``POST /__/events/NAME``: one
  CloudEvent (binary content mode) for an event trigger, answered 204 once the function
  returned, 500 if it raised (the launcher retries), on connections that stay open;
- scheduled functions on ``every N minutes`` schedules, or at once by a POST to their URL.

With ``--instances N`` it starts N - 1 further processes of this module, which serve the HTTP
functions alone on its listening socket (``instances.py``).

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
import socket
import sys
import threading
import time
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import waitress
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from emulators.functions import event_channel, idtoken_checks, instances, schedules

log = logging.getLogger("emulators.functions.host")

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
MANIFEST_PATH = "/__/functions"
STOP_SECONDS = 30.0  # for the event deliveries under way at a stop


# waitress: one thread reads and writes every connection (poll), a fixed pool runs the
# requests, and connections stay open between requests. Its options, as set below:
SERVER_OPTIONS: dict[str, Any] = {
    # A listen backlog of 128 (werkzeug's) overflowed under 200 connections at once: the
    # kernel dropped the rest and clients retried a second later. Capped by
    # net.core.somaxconn.
    "backlog": 1024,
    # Connections read and held at once (past it, the rest wait in the backlog): a burst of
    # 200 is read whole, its requests queued for the pool.
    "connection_limit": 1024,
    # Threads running requests: with one interpreter lock and DB_POOL_SIZE (4) connections to
    # PostgreSQL, more only wait; enough that a slow call (Firestore, mail) blocks few.
    "threads": 8,
    # An idle kept-alive connection is closed after this (httpx and Node close theirs after
    # about 5 s, first).
    "channel_timeout": 120,
    "asyncore_use_poll": True,  # select() cannot take descriptors past 1,024
    # X-Forwarded-For is the functions' to read (TRUSTED_PROXY_HOPS), as in production;
    # waitress would strip it.
    "clear_untrusted_proxy_headers": False,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators.functions.host")
    parser.add_argument("--source", type=Path, required=True, help="folder of main.py")
    parser.add_argument("--project", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--launcher", type=int, required=True, help="the launcher's pid")
    parser.add_argument("--instances", type=int, default=1, help="HTTP instances in all")
    more = parser.add_argument_group("a further instance (started by the first)")
    more.add_argument("--listen-fd", type=int, help="the first instance's listening socket")
    more.add_argument("--events-port", type=int, help="the first instance's event listener")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    # The stop signals are taken with sigwait below, never by a handler (a handler setting an
    # Event can deadlock on the Event's own lock); blocked before any thread starts, so every
    # thread inherits the mask and the main thread alone receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    _stop_with_the_launcher(args.launcher)

    idtoken_checks.install(args.project)
    functions = discover(load_main(args.source))
    if args.listen_fd is not None:
        return _serve_http(functions, args)

    listener = _listen(args.host, args.port)
    events = event_channel.EventServer(args.host, event_deliverer(functions))
    threading.Thread(target=events.serve_forever, name="event-listener", daemon=True).start()
    app = make_app(functions, args.project, events.port)
    timers = start_schedules(functions, app)
    server = FunctionsServer(app, listener)
    server.start()
    others = instances.MoreInstances(
        ["--source", str(args.source), "--project", args.project, "--host", args.host],
        listener,
        events.port,
    )
    others.start(args.instances - 1)
    log.info("functions host (pid %d) serving %d functions", os.getpid(), len(functions))
    _await_stop(args.launcher)
    for timer in timers:
        timer.stop()
    others.signal_stop()
    events.stop(STOP_SECONDS)
    server.stop(STOP_SECONDS)
    others.wait(STOP_SECONDS)
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The functions port's listening socket, on an IPv4 or IPv6 address as ``host`` names."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=SERVER_OPTIONS["backlog"])


def _serve_http(functions: dict[str, Any], args: argparse.Namespace) -> int:
    """A further instance: the HTTP functions on the first instance's socket, until stopped."""
    listener = socket.socket(fileno=args.listen_fd)
    server = FunctionsServer(make_app(functions, args.project, args.events_port), listener)
    server.start()
    log.info("functions instance (pid %d) serving the HTTP functions", os.getpid())
    _await_stop(args.launcher)
    server.stop(STOP_SECONDS)
    return 0


def _await_stop(launcher: int) -> None:
    """Returns on SIGTERM or SIGINT, to stop in order; exits at once when ``launcher`` (the
    launcher, or for a further instance the first one) is gone: what it served went with it,
    and a schedule under way may be waiting on it, so stopping in order could outlast any
    reasonable wait."""
    signal.sigwait(STOP_SIGNALS)
    if os.getppid() != launcher:
        log.info("functions host (pid %d): its parent is gone, exiting", os.getpid())
        os._exit(0)


class _Channel(HTTPChannel):
    """waitress's connection, less a busy wait. waitress reports a connection writable
    whenever it holds bytes not yet sent, also while a pool thread is sending them itself
    (holding the connection's buffer lock, which the server thread then fails to take): the
    server thread went round poll() again at once, some 50 times per request under 200
    requests at once, and took up to half the host's CPU, slowing the pool threads. A
    connection whose request is being answered is left to the pool thread, which sends what
    it writes and wakes the server thread when it is done; only a backlog past the high
    watermark, for which the pool thread waits, is the server thread's to send."""

    def writable(self) -> bool:
        if self.requests and not (self.will_close or self.close_when_flushed):
            return self.total_outbufs_len >= self.adj.outbuf_high_watermark
        return bool(super().writable())


class FunctionsServer:
    """The HTTP functions' server: waitress, with a stop that waits for the requests under
    way. waitress writes no access line (each function logs one structured line per
    request, ``functions/logs.py``); its warning for every request queued behind a busy
    pool is silenced too, as a burst of 200 would log nearly 200 of them."""

    def __init__(self, app: flask.Flask, listener: socket.socket) -> None:
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server = waitress.create_server(app, sockets=[listener], **SERVER_OPTIONS)
        assert isinstance(server, BaseWSGIServer)  # one address, one listening socket
        server.channel_class = _Channel
        self._server = server
        self._thread = threading.Thread(target=server.run, name="functions-server", daemon=True)
        self._stopped = False

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        """Stops taking connections, waits up to ``timeout`` for the requests received
        (running, queued for the pool, or still arriving) to be answered and their answers
        sent, then closes every connection. Once only."""
        server = self._server
        if self._stopped:
            return
        self._stopped = True
        deadline = time.monotonic() + timeout
        # The socket map is the server thread's: what changes it runs there.
        serving = self._thread.is_alive() and self._in_loop(
            partial(wasyncore.dispatcher.close, server)
        )
        if serving:
            while time.monotonic() < deadline and self._busy():
                time.sleep(0.02)
        server.task_dispatcher.shutdown(timeout=max(deadline - time.monotonic(), 0.5))
        if serving and self._in_loop(partial(wasyncore.close_all, server._map)):
            self._thread.join(max(deadline - time.monotonic(), 1.0))
        elif not self._thread.is_alive():
            wasyncore.close_all(server._map)
        # Else the loop can no longer be woken, and runs on: the process's exit closes the rest.

    def _in_loop(self, thunk: Any) -> bool:
        """Has the server thread run ``thunk``; False when its trigger is closed already
        (waitress closes it with the server when the listening socket fails under its loop,
        a race of its own shutdown seen once at a Ctrl-C: Pylons/waitress#468)."""
        try:
            self._server.trigger.pull_trigger(thunk)
        except OSError:
            log.info("functions server: its loop had already stopped taking work")
            return False
        return True

    def _busy(self) -> bool:
        return any(
            channel.requests or channel.request is not None or channel.total_outbufs_len
            for channel in list(self._server._map.values())
            if isinstance(channel, HTTPChannel)
        )


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
