"""The realtime protocol of the Firebase JS SDK, apart from its transports.

Envelopes are JSON: control ``{"t":"c","d":{"t":..,"d":..}}`` (handshake "h", ping "p",
pong "o", end of transmission "n", error "e") and data ``{"t":"d","d":{"r":n,"a":action,
"b":body}}``. Replies carry the same ``r`` and ``{"s": status, "d": data}``; pushes carry
``a`` ("d" put, "m" merge, "c" listen revoked, "ac" auth revoked) without ``r``.

The transports (``websocket.py``, ``longpoll.py``) turn frames into envelopes and answer
control messages; a ``Session`` handles the data requests.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulators.auth import idtokens
from emulators.database import paths, query, tree
from emulators.database.credentials import auth_for_token
from emulators.database.engine import DatabaseEngine, PermissionDenied, Stale
from emulators.database.ondisconnect import OnDisconnectQueue
from emulators.database.paths import Path
from emulators.database.rules.ruleset import SIGNED_OUT, Auth

log = logging.getLogger(__name__)

PROTOCOL_VERSION = "5"
PONG = {"t": "c", "d": {"t": "o", "d": {}}}


@dataclass
class Listen:
    path: Path
    spec: query.QuerySpec
    raw_query: dict | None
    tag: int | None
    last_sent: tree.Node = None


class ProtocolError(ValueError):
    pass


Deliver = Callable[[dict], None]


class Session:
    """One client's realtime session, whatever carries it (WebSocket or long polling, and
    both while a long-poll session upgrades): identity, listens, onDisconnect queue.

    ``deliver`` sends one envelope to the client; the transport sets it and may swap it
    (an upgrade). It is always called on the event loop that created the session.
    """

    _ids = itertools.count(1)

    def __init__(self, engine: DatabaseEngine, namespace: str, deliver: Deliver) -> None:
        self.engine = engine
        self.namespace = namespace
        self.deliver = deliver
        self.auth: Auth = SIGNED_OUT
        self.listens: dict[tuple[Path, str], Listen] = {}
        self.id = f"{next(self._ids)}-{secrets.token_hex(4)}"
        self.on_disconnect = OnDisconnectQueue(
            lambda operations: engine.keep_on_disconnect(self.id, namespace, operations)
        )
        self.closed = False
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._expiry: asyncio.TimerHandle | None = None
        engine.add_observer(self._on_commit)

    def handshake(self, host: str) -> dict:
        """The server hello: time (for .info/serverTimeOffset), version, host, session id."""
        hello = {"ts": self.engine.now_ms(), "v": PROTOCOL_VERSION, "h": host, "s": self.id}
        return {"t": "c", "d": {"t": "h", "d": hello}}

    def close(self) -> None:
        """The client is gone: stop pushing to it and run its onDisconnect queue."""
        if self.closed:
            return
        self.closed = True
        self.engine.remove_observer(self._on_commit)
        if self._expiry is not None:
            self._expiry.cancel()
        self.on_disconnect.run(self.engine, self.namespace)

    def _send(self, envelope: dict) -> None:
        if self.closed:
            return
        if threading.get_ident() == self._loop_thread:
            self.deliver(envelope)
        else:
            self._loop.call_soon_threadsafe(lambda: self.deliver(envelope))

    def _reply(self, request_id: Any, status: str, data: Any = "") -> None:
        if request_id is None:
            return
        self._send({"t": "d", "d": {"r": request_id, "b": {"s": status, "d": data}}})

    def _push(self, action: str, body: dict) -> None:
        self._send({"t": "d", "d": {"a": action, "b": body}})

    # --- requests ------------------------------------------------------------------------

    def receive(self, request: dict) -> None:
        """One data request from the client: ``{"r": n, "a": action, "b": body}``."""
        request_id = request.get("r")
        action = request.get("a")
        body = request.get("b") or {}
        handler = self._handlers().get(action)
        if handler is None or not isinstance(body, dict):
            self._reply(request_id, "invalid_request", f"Unknown action {action!r}")
            return
        try:
            handler(request_id, body)
        except PermissionDenied:
            self._reply(request_id, "permission_denied", "Permission denied")
        except Stale:
            self._reply(request_id, "datastale", "Transaction hash does not match")
        except (tree.InvalidData, paths.InvalidPath, query.InvalidQuery, ProtocolError) as exc:
            self._reply(request_id, "invalid_data", str(exc))
        except Exception:  # a bug here must not take the client's connection down
            log.exception("database request %r failed", action)
            self._reply(request_id, "internal_error", "The emulator failed on this request")

    def _handlers(self) -> dict:
        return {
            "s": self._ok,  # stats
            "auth": self._auth,
            "gauth": self._auth,
            "unauth": self._unauth,
            "appcheck": self._ok,
            "unappeck": self._ok,
            "q": self._listen,
            "n": self._unlisten,
            "g": self._get,
            "p": self._put,
            "m": self._merge,
            "o": self._on_disconnect_put,
            "om": self._on_disconnect_merge,
            "oc": self._on_disconnect_cancel,
        }

    def _ok(self, request_id: Any, body: dict) -> None:
        self._reply(request_id, "ok")

    def _auth(self, request_id: Any, body: dict) -> None:
        try:
            auth = auth_for_token(body.get("cred"), self.engine.project)
        except idtokens.InvalidIdToken as exc:
            self._set_auth(SIGNED_OUT)
            self._reply(request_id, "invalid_token", f"Could not parse auth token: {exc}")
            return
        if auth.admin and body.get("noauth"):
            auth = SIGNED_OUT  # admin credential acting as a signed-out client
        elif auth.admin and isinstance(body.get("authvar"), dict):
            auth = Auth(admin=False, variable=body["authvar"])
        self._set_auth(auth)
        expires = (auth.variable or {}).get("token", {}).get("exp")
        self._reply(request_id, "ok", {"auth": auth.variable, "expires": expires})

    def _unauth(self, request_id: Any, body: dict) -> None:
        self._set_auth(SIGNED_OUT)
        self._reply(request_id, "ok")

    def _set_auth(self, auth: Auth) -> None:
        """Switch identity; an ID token that will expire is revoked when it does ("ac"),
        and the SDK then reconnects with a fresh one."""
        self.auth = auth
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        token = (auth.variable or {}).get("token") or {}
        expires, issued = token.get("exp"), token.get("iat")
        if isinstance(expires, int | float) and issued != 0:  # mockUserTokens never expire
            delay = max(0.0, expires - self.engine.now_ms() / 1000)
            self._expiry = self._loop.call_later(delay, self._expire, auth)

    def _expire(self, auth: Auth) -> None:
        if self.auth is auth:
            self.auth = SIGNED_OUT
            self._push("ac", {"s": "expired_token", "d": "Auth token is expired."})

    def _path(self, body: dict, *, allow_priority: bool = False) -> Path:
        text = body.get("p")
        if not isinstance(text, str):
            raise ProtocolError("missing path")
        return paths.parse(text, allow_priority=allow_priority)

    def _listen(self, request_id: Any, body: dict) -> None:
        path = self._path(body)
        raw_query = body.get("q")
        spec = query.from_wire(raw_query)
        if not self.engine.can_read(self.namespace, path, self.auth, spec):
            raise PermissionDenied()
        tag = body.get("t")
        listen = Listen(path, spec, raw_query if raw_query else None, tag)
        self.listens[(path, spec.wire_id())] = listen
        listen.last_sent = self._current(listen)
        self._push_listen_value(listen, path, listen.last_sent)
        warnings = {}
        if not spec.is_default and not self.engine.index_defined(self.namespace, path, spec):
            warnings = {"w": ["no_index"]}
        self._reply(request_id, "ok", warnings)

    def _unlisten(self, request_id: Any, body: dict) -> None:
        path = self._path(body)
        spec = query.from_wire(body.get("q"))
        self.listens.pop((path, spec.wire_id()), None)
        self._reply(request_id, "ok")

    def _get(self, request_id: Any, body: dict) -> None:
        path = self._path(body)
        spec = query.from_wire(body.get("q"))
        node = self.engine.read(self.namespace, path, self.auth, spec)
        self._reply(request_id, "ok", node)

    def _put(self, request_id: Any, body: dict) -> None:
        path = self._path(body, allow_priority=True)
        expected = body.get("h")
        self.engine.set(
            self.namespace,
            path,
            body.get("d"),
            self.auth,
            expected_hash=expected if isinstance(expected, str) else None,
        )
        self._reply(request_id, "ok")

    def _merge(self, request_id: Any, body: dict) -> None:
        path = self._path(body)
        self.engine.update(self.namespace, path, body.get("d"), self.auth)
        self._reply(request_id, "ok")

    def _on_disconnect_put(self, request_id: Any, body: dict) -> None:
        path = self._path(body, allow_priority=True)
        self.engine.check_set(self.namespace, path, body.get("d"), self.auth)
        self.on_disconnect.queue_set(path, body.get("d"), self.auth)
        self._reply(request_id, "ok")

    def _on_disconnect_merge(self, request_id: Any, body: dict) -> None:
        path = self._path(body)
        data = body.get("d")
        self.engine.check_update(self.namespace, path, data, self.auth)
        self.on_disconnect.queue_update(path, data, self.auth)
        self._reply(request_id, "ok")

    def _on_disconnect_cancel(self, request_id: Any, body: dict) -> None:
        self.on_disconnect.cancel(self._path(body))
        self._reply(request_id, "ok")

    # --- outgoing data -------------------------------------------------------------------

    def _current(self, listen: Listen) -> tree.Node:
        node = tree.get(self.engine.snapshot(self.namespace), listen.path)
        return node if listen.spec.is_default else listen.spec.filter(node)

    def _push_listen_value(self, listen: Listen, path: Path, node: tree.Node) -> None:
        body: dict[str, Any] = {"p": paths.to_string(path), "d": node}
        if listen.tag is not None:
            body["t"] = listen.tag
        self._push("d", body)

    def _on_commit(
        self,
        namespace: str,
        old_root: tree.Node,
        new_root: tree.Node,
        written: list[Path],
        update_at: Path | None = None,
    ) -> None:
        if namespace != self.namespace:
            return
        if threading.get_ident() != self._loop_thread:
            # a write committed on another thread: handle it on this connection's loop
            self._loop.call_soon_threadsafe(
                self._on_commit, namespace, old_root, new_root, written, update_at
            )
            return
        changed = [tree.location_of(p) for p in written]
        for key, listen in list(self.listens.items()):
            touched = [p for p in changed if paths.related(p, listen.path)]
            if not touched:
                continue
            if not self.engine.can_read(self.namespace, listen.path, self.auth, listen.spec):
                del self.listens[key]
                revoked: dict[str, Any] = {"p": paths.to_string(listen.path)}
                if listen.raw_query:
                    revoked["q"] = [listen.raw_query]
                self._push("c", revoked)
                continue
            if listen.spec.is_default:
                self._push_default_listen(listen, touched, old_root, new_root)
            else:
                node = listen.spec.filter(tree.get(new_root, listen.path))
                if node != listen.last_sent:
                    listen.last_sent = node
                    self._push_listen_value(listen, listen.path, node)

    def _push_default_listen(
        self, listen: Listen, touched: list[Path], old_root: tree.Node, new_root: tree.Node
    ) -> None:
        """Send only what changed: the written locations below the listen, or the whole
        listened value when a write covered it."""
        if any(paths.is_prefix(p, listen.path) for p in touched):
            locations = [listen.path]
        else:
            locations = sorted(set(touched))
        for location in locations:
            before = tree.get(old_root, location)
            after = tree.get(new_root, location)
            if before != after:
                self._push_listen_value(listen, location, after)
