"""The REST API that ``firebase_admin.db`` and curl use: ``/path.json?ns=NAME``.

GET (or a ``text/event-stream`` listen), PUT, PATCH, POST (push), DELETE; ``print=silent``,
``format=export``, ``shallow``, the query parameters, ETags (``X-Firebase-ETag: true``,
``if-match``, ``if-none-match``) and ``auth_variable_override``. Errors are JSON
``{"error": "..."}`` with the status Google's server uses.

Emulator extras: ``GET/PUT /.settings/rules.json`` (admin only, as Google's emulator) and
``POST /.emulator/reset[?ns=NAME]`` which empties one namespace (or all) for tests.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from emulators.auth import idtokens
from emulators.database import paths, query, tree
from emulators.database.credentials import auth_for_token
from emulators.database.engine import (
    DatabaseEngine,
    PermissionDenied,
    Stale,
    etag_of,
)
from emulators.database.pushid import new_push_id
from emulators.database.rules.ruleset import ADMIN, SIGNED_OUT, Auth, RulesError, Ruleset

KEEPALIVE_SECONDS = 30.0


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def namespace_of(request: Request, engine: DatabaseEngine) -> str:
    ns = request.query_params.get("ns")
    if ns:
        return ns
    host = request.headers.get("host", "").split(":")[0]
    if host.count(".") >= 1 and not host.replace(".", "").isdigit():
        return host.split(".")[0]
    return engine.default_namespace


def request_auth(request: Request, project: str) -> Auth:
    """Admin for ``Bearer owner`` (the Admin SDK in emulator mode) or an OAuth access
    token; a user for an ID token in ``Authorization: Bearer`` or ``?auth=``; else
    signed out. An admin may act as someone else with ``auth_variable_override``."""
    header = request.headers.get("authorization", "")
    token = None
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HttpError(401, "Could not parse auth token.")
        token = value.strip()
    token = token or request.query_params.get("auth") or request.query_params.get("access_token")
    if not token:
        return SIGNED_OUT
    if token.startswith("ya29."):
        auth = ADMIN
    else:
        try:
            auth = auth_for_token(token, project)
        except idtokens.InvalidIdToken:
            raise HttpError(401, "Could not parse auth token.") from None
    override = request.query_params.get("auth_variable_override")
    if auth.admin and override is not None:
        try:
            variable = json.loads(override)
        except ValueError:
            raise HttpError(400, "auth_variable_override must be JSON") from None
        if variable is not None and not isinstance(variable, dict):
            raise HttpError(400, "auth_variable_override must be an object or null")
        auth = Auth(admin=False, variable=variable)
    return auth


def _path_of(request: Request) -> paths.Path:
    raw = request.path_params.get("path", "")
    if not raw.endswith(".json"):
        raise HttpError(404, "Not found: REST paths end with .json")
    text = raw[: -len(".json")]
    try:
        return paths.parse(text, allow_priority=request.method in ("PUT", "DELETE"))
    except paths.InvalidPath as exc:
        raise HttpError(400, f"Invalid path: {exc}") from None


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise HttpError(400, "Invalid data; couldn't parse JSON object, array, or value.") from None


class RestApi:
    def __init__(self, engine: DatabaseEngine) -> None:
        self.engine = engine

    async def data(self, request: Request) -> Response:
        try:
            return await self._data(request)
        except HttpError as exc:
            return error_response(exc.status, exc.message, exc.headers)
        except PermissionDenied:
            return error_response(401, "Permission denied")
        except (tree.InvalidData, paths.InvalidPath, query.InvalidQuery) as exc:
            return error_response(400, str(exc))

    async def _data(self, request: Request) -> Response:
        override = request.query_params.get("x-http-method-override") or request.headers.get(
            "x-http-method-override"
        )
        method = (override if request.method == "POST" and override else request.method).upper()
        path = _path_of(request)
        namespace = namespace_of(request, self.engine)
        auth = request_auth(request, self.engine.project)
        if method == "GET":
            if "text/event-stream" in request.headers.get("accept", ""):
                return self._listen(request, namespace, path, auth)
            return self._get(request, namespace, path, auth)
        if method in ("PUT", "POST", "PATCH", "DELETE"):
            return await self._write(request, method, namespace, path, auth)
        raise HttpError(405, f"Method {method} not allowed")

    def _spec(self, request: Request, namespace: str, path: paths.Path) -> query.QuerySpec:
        spec = query.from_rest(dict(request.query_params))
        # Google refuses any orderBy on an unindexed child, even with no filter or limit.
        ordered = "orderBy" in request.query_params
        if ordered and not self.engine.index_defined(namespace, path, spec):
            needed = spec.needs_index()
            raise HttpError(
                400,
                f'Index not defined, add ".indexOn": "{needed}", for path '
                f'"{paths.to_string(path)}", to the rules',
            )
        return spec

    def _get(self, request: Request, namespace: str, path: paths.Path, auth: Auth) -> Response:
        params = request.query_params
        shallow = params.get("shallow") == "true"
        spec = self._spec(request, namespace, path)
        if shallow and not spec.is_default:
            raise HttpError(400, "shallow cannot be combined with query parameters")
        node = self.engine.read(namespace, path, auth, spec if not spec.is_default else None)
        headers = {}
        if_none_match = request.headers.get("if-none-match")
        want_etag = request.headers.get("x-firebase-etag", "").lower() == "true"
        if want_etag or if_none_match is not None:
            etag = etag_of(node)  # hashes the whole subtree: once per request at most
            if if_none_match == etag:
                return Response(status_code=304, headers={"ETag": etag})
            # A changed value carries its new ETag: firebase-admin's get_if_changed
            # returns it with the value.
            headers["ETag"] = etag
        if shallow:
            value: Any = _shallow(node)
        elif params.get("format") == "export":
            value = node
        else:
            value = tree.to_rest(node)
        if params.get("print") == "silent":
            return Response(status_code=204, headers=headers)
        return _json(value, headers, pretty=params.get("print") == "pretty")

    async def _write(
        self, request: Request, method: str, namespace: str, path: paths.Path, auth: Auth
    ) -> Response:
        params = request.query_params
        body = None if method == "DELETE" else await _body(request)
        if_match = request.headers.get("if-match")
        want_etag = request.headers.get("x-firebase-etag", "").lower() == "true"
        try:
            if method == "PATCH":
                self.engine.update(namespace, path, body, auth)
                root = self.engine.snapshot(namespace)
                result: Any = {
                    key: tree.to_rest(tree.get(root, path + paths.parse(key, allow_priority=True)))
                    for key in body
                }
                stored = tree.get(root, path)
            elif method == "POST":
                key = new_push_id(self.engine.now_ms())
                node = self.engine.set(namespace, (*path, key), body, auth)
                result, stored = {"name": key}, node
            else:
                node = self.engine.set(namespace, path, body, auth, expected_etag=if_match)
                result, stored = tree.to_rest(node), node
        except Stale as stale:
            return _json(tree.to_rest(stale.current), {"ETag": etag_of(stale.current)}, status=412)
        headers = {"ETag": etag_of(stored)} if (want_etag or if_match is not None) else {}
        if params.get("print") == "silent":
            return Response(status_code=204, headers=headers)
        return _json(result, headers, pretty=params.get("print") == "pretty")

    def _listen(self, request: Request, namespace: str, path: paths.Path, auth: Auth) -> Response:
        spec = self._spec(request, namespace, path)
        if not self.engine.can_read(namespace, path, auth, spec):
            raise PermissionDenied()
        events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()

        def post(event: tuple[str, Any]) -> None:
            if threading.get_ident() == loop_thread:
                events.put_nowait(event)
            else:
                loop.call_soon_threadsafe(events.put_nowait, event)

        def on_commit(
            ns: str,
            old_root: tree.Node,
            new_root: tree.Node,
            written: list,
            update_at: paths.Path | None,
        ) -> None:
            if ns != namespace:
                return
            changed = [tree.location_of(p) for p in written]
            touched = [p for p in changed if paths.related(p, path)]
            if not touched:
                return
            if not self.engine.can_read(namespace, path, auth, spec):
                post(("cancel", "Permission denied"))
                return
            if not spec.is_default:
                before = spec.filter(tree.get(old_root, path))
                after = spec.filter(tree.get(new_root, path))
                if before != after:
                    post(("put", {"path": "/", "data": tree.to_rest(after)}))
                return
            if update_at is not None and paths.is_prefix(path, update_at):
                # a multi-path update at or below the listen: one "patch", as Google sends
                data = {
                    "/".join(p[len(update_at) :]): tree.to_rest(tree.get(new_root, p))
                    for p in written
                }
                relative = paths.to_string(update_at[len(path) :])
                post(("patch", {"path": relative, "data": data}))
                return
            if any(paths.is_prefix(p, path) for p in touched):
                locations = [path]
            else:
                locations = sorted(set(touched))
            for location in locations:
                before = tree.get(old_root, location)
                after = tree.get(new_root, location)
                if before != after:
                    relative = paths.to_string(location[len(path) :])
                    post(("put", {"path": relative, "data": tree.to_rest(after)}))

        initial = spec.filter(tree.get(self.engine.snapshot(namespace), path))
        self.engine.add_observer(on_commit)

        token = (auth.variable or {}).get("token") or {}
        # mockUserTokens (iat 0) never expire, as in credentials.auth_for_token
        expires = token.get("exp") if token.get("iat") != 0 else None

        def seconds_left() -> float:
            if not isinstance(expires, int | float):
                return KEEPALIVE_SECONDS
            return max(0.0, min(KEEPALIVE_SECONDS, expires - self.engine.now_ms() / 1000))

        async def stream() -> AsyncIterator[str]:
            try:
                yield _sse("put", {"path": "/", "data": tree.to_rest(initial)})
                while True:
                    try:
                        kind, data = await asyncio.wait_for(events.get(), seconds_left())
                    except TimeoutError:
                        if isinstance(expires, int | float) and seconds_left() <= 0:
                            yield _sse("auth_revoked", "credential is no longer valid")
                            return
                        yield _sse("keep-alive", None)
                        continue
                    yield _sse(kind, data)
                    if kind == "cancel":
                        return
            finally:
                self.engine.remove_observer(on_commit)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    async def rules(self, request: Request) -> Response:
        try:
            auth = request_auth(request, self.engine.project)
        except HttpError as exc:
            return error_response(exc.status, exc.message)
        if not auth.admin:
            return error_response(401, "Permission denied")
        namespace = namespace_of(request, self.engine)
        if request.method == "GET":
            return _json(self.engine.rules_for(namespace).definition, {})
        text = (await request.body()).decode("utf-8", "replace")
        try:
            ruleset = Ruleset.from_text(text)
        except RulesError as exc:
            return error_response(400, str(exc))
        self.engine.set_namespace_rules(namespace, ruleset)
        return JSONResponse({"status": "ok"})

    async def reset(self, request: Request) -> Response:
        self.engine.reset(request.query_params.get("ns"))
        return Response(status_code=204)


def _shallow(node: tree.Node) -> Any:
    if node is None or tree.is_leaf(node):
        return tree.leaf_value(node) if node is not None else None
    return {
        key: (tree.leaf_value(child) if tree.is_leaf(child) else True)
        for key, child in tree.children(node).items()
    }


def _json(value: Any, headers: dict, *, status: int = 200, pretty: bool = False) -> Response:
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=False)
    return Response(text, status_code=status, headers=headers, media_type="application/json")


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
