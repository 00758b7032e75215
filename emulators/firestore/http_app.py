"""The HTTP/1.1 side of the Firestore port: emulator control endpoints, as a Starlette app.

Other transports (REST ``/v1/projects/{p}/databases/{d}/documents:...``, WebChannel) add
their routes by passing ``extra_routes`` to ``build_app``; they call the same engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import FirestoreError


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


def build_app(engine: FirestoreEngine, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
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
            engine.reset_usage(project)
            return JSONResponse({})
        return JSONResponse(engine.usage(project))

    routes: list[BaseRoute] = [
        Route("/", root, methods=["GET"]),
        Route(
            "/emulator/v1/projects/{project}/databases/{database}/documents",
            clear,
            methods=["DELETE"],
        ),
        Route("/emulator/v1/projects/{project}:usage", usage, methods=["GET", "DELETE"]),
        *extra_routes,
    ]
    return Starlette(routes=routes)
