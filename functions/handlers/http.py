"""JSON in, JSON out: request parsing, the error format, and the endpoint wrapper.

Errors use the wire format of Firebase callable functions,
``{"error": {"status": "INVALID_ARGUMENT", "message": "..."}}``, with the HTTP status of the
matching HttpsError code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
from flask import Request, Response

import logs
import settings
from errors import ApiError, invalid
from handlers.json_input import MAX_BODY_BYTES, check_json, load_json

MAX_ADDRESS_CHARS = 64  # an IPv6 address with a zone fits

Model = TypeVar("Model", bound=pydantic.BaseModel)


def error_response(error: ApiError) -> Response:
    headers = dict(error.headers)
    if "Retry-After" in headers:  # browsers hide other headers from cross-origin scripts
        headers["Access-Control-Expose-Headers"] = "Retry-After"
    return json_response(
        {"error": {"status": error.status, "message": error.message}},
        error.http_status,
        headers=headers,
    )


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(payload, separators=(",", ":"), default=str),
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        mimetype="application/json",
    )


def no_content() -> Response:
    return Response(status=204, headers={"Cache-Control": "no-store"})


def endpoint(
    *methods: str,
) -> Callable[[Callable[[Request], Response]], Callable[[Request], Response]]:
    """Accept only ``methods``; turn ApiError into its response and anything else into a
    generic 500, logged here and never shown to the client."""

    def decorate(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        name = logs.function_name(handler.__name__)

        @functools.wraps(handler)
        def wrapper(request: Request) -> Response:
            with logs.request(name, request.headers) as outcome:
                try:
                    if request.method not in methods:
                        raise ApiError(
                            "METHOD_NOT_ALLOWED",
                            f"use {' or '.join(methods)}",
                            headers={"Allow": ", ".join(methods)},
                        )
                    response = handler(request)
                except ApiError as error:
                    response = error_response(error)
                    outcome.failed(error.status)
                except Exception:
                    response = error_response(ApiError("INTERNAL", "internal error"))
                    outcome.crashed()  # the request's log line carries the stack trace
                outcome.http_status = response.status_code
                if response.status_code >= 400 and outcome.status == "ok":
                    outcome.failed(f"HTTP_{response.status_code}")
                return response

        return wrapper

    return decorate


def parse_body(request: Request, model: type[Model]) -> Model:
    """The JSON body validated as ``model``; 400 naming the field on any problem."""
    content_type = request.mimetype or ""
    if content_type != "application/json":
        raise invalid("Content-Type", "must be application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise invalid("body", f"must be at most {MAX_BODY_BYTES} bytes")
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise invalid("body", f"must be at most {MAX_BODY_BYTES} bytes")
    return validate(load_json(raw), model)


def parse_query(request: Request, model: type[Model]) -> Model:
    return validate(dict(request.args), model)


def validate(data: Any, model: type[Model], *, name: str = "body") -> Model:
    """``data`` as ``model``, or ApiError naming the first field at fault."""
    if not isinstance(data, dict):
        raise invalid(name, "must be a JSON object")
    check_json(data, name=name)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or name
        message = first["msg"]
        if first["type"] == "value_error":
            message = str(first.get("ctx", {}).get("error", message))
        raise invalid(field, _lower_first(message)) from None


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("UNAUTHENTICATED", "missing Authorization: Bearer token")
    return token.strip()


def client_address(request: Request) -> str:
    """The caller's address, trusting X-Forwarded-For only as far as our own proxies.

    Each of the ``TRUSTED_PROXY_HOPS`` proxies appends the address it received the request
    from, so the caller is the entry that many places from the end; entries before it are
    whatever the client sent. With fewer entries than hops the request did not come through
    our proxies, and the peer's own address is used.
    """
    hops = max(settings.TRUSTED_PROXY_HOPS.value, 0)
    forwarded = [entry.strip() for entry in header_text(request, "X-Forwarded-For").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops][:MAX_ADDRESS_CHARS]
    return request.remote_addr or ""


def header_text(request: Request, name: str, *, limit: int = 1024) -> str:
    """A header as text that can be stored: control characters (NUL among them) dropped."""
    value = request.headers.get(name, "")[: limit * 2]
    return "".join(ch for ch in value if ch.isprintable())[:limit]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
