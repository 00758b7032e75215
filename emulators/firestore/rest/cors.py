"""CORS for the browser transports (REST and WebChannel).

The browser SDK sends its XHRs ``withCredentials``, so ``*`` is not accepted: the request's
Origin is echoed with ``Access-Control-Allow-Credentials: true``. WebChannel reads the
``X-HTTP-Session-Id`` response header, which must be exposed to be readable.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

EXPOSED_HEADERS = "X-HTTP-Session-Id, X-Client-Wire-Protocol, X-Goog-Meta"
ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"


def cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def preflight(request: Request) -> Response:
    headers = cors_headers(request)
    headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    requested = request.headers.get("access-control-request-headers")
    if requested:
        headers["Access-Control-Allow-Headers"] = requested
    headers["Access-Control-Max-Age"] = "3600"
    return Response(status_code=204, headers=headers)
