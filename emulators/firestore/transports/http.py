"""The HTTP/1.1 side of the Firestore port: emulator control endpoints, as a Starlette app.

The browser transports (``rest``: ``/v1/projects/{p}/databases/{d}/documents:...``;
``webchannel``) are mounted by passing their routes as ``extra_routes`` to ``build_app``
(``emulator.py`` does); they call the same engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.firestore import persistence
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import FirestoreError, invalid

# The browser SDK sends its XHRs ``withCredentials``, so ``*`` is not accepted: the
# request's Origin is echoed (any origin) with ``Access-Control-Allow-Credentials``.
# WebChannel reads the ``X-HTTP-Session-Id`` response header, which must be exposed.
BROWSER_CORS = Middleware(
    CORSMiddleware,
    allow_origin_regex=".*",
    allow_credentials=True,
    allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["*"],
    expose_headers=["X-HTTP-Session-Id", "X-Client-Wire-Protocol", "X-Goog-Meta"],
    max_age=3600,
)


def error_response(error: FirestoreError) -> JSONResponse:
    """The JSON error body Google APIs use."""
    return JSONResponse(
        {
            "error": {
                "code": error.http_status,
                "message": error.message,
                "status": error.code.name,
            }
        },
        status_code=error.http_status,
    )


def build_app(
    engine: FirestoreEngine,
    extra_routes: Sequence[BaseRoute] = (),
    default_export_dir: Path | None = None,
) -> Starlette:
    async def root(request: Request) -> Response:
        return PlainTextResponse("Ok")

    async def clear(request: Request) -> Response:
        project = request.path_params["project"]
        database = request.path_params["database"]
        try:
            engine.clear(f"projects/{project}/databases/{database}")
        except FirestoreError as error:
            return error_response(error)
        return JSONResponse({})

    async def usage(request: Request) -> Response:
        project = request.path_params["project"]
        if request.method == "DELETE":
            engine.usage.reset(project)
            return JSONResponse({})
        return JSONResponse(engine.usage.totals(project))

    async def export_or_import(request: Request) -> Response:
        """``POST /emulator/v1/projects/{p}:export`` or ``:import`` with JSON
        ``{"database": "(default)" or a full name, "export_directory": "/path"}``."""
        project = request.path_params["project"]
        action = request.path_params["action"]
        if action not in ("export", "import"):
            return PlainTextResponse("Not Found", status_code=404)
        try:
            body = await request.json() if await request.body() else {}
        except ValueError:
            return error_response(invalid("Body must be JSON"))
        database = body.get("database") or "(default)"
        if "/" not in database:
            database = f"projects/{project}/databases/{database}"
        folder = body.get("export_directory") or default_export_dir
        if not folder:
            return error_response(invalid("export_directory is required"))
        try:
            if action == "export":
                written = persistence.export_database(engine, database, folder)
                return JSONResponse({"path": str(written)})
            count = persistence.import_database(engine, database, folder)
            return JSONResponse({"documents": count})
        except FirestoreError as error:
            return error_response(error)
        except (OSError, ValueError) as exc:
            return error_response(invalid(f"{action} failed: {exc}"))

    routes: list[BaseRoute] = [
        Route("/", root, methods=["GET"]),
        Route(
            "/emulator/v1/projects/{project}/databases/{database}/documents",
            clear,
            methods=["DELETE"],
        ),
        Route("/emulator/v1/projects/{project}:usage", usage, methods=["GET", "DELETE"]),
        Route(
            "/emulator/v1/projects/{project}:{action:str}",
            export_or_import,
            methods=["POST"],
        ),
        *extra_routes,
    ]
    return Starlette(routes=routes, middleware=[BROWSER_CORS])
