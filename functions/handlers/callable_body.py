"""Callables declared with ``on_call``: the SDK's decorator, with the request body checked
before the SDK parses it.

The SDK answers a body it cannot parse (malformed or too deeply nested JSON, a body that is
not ``{"data": ...}``) with a bare 500 INTERNAL. Here such a body gets 400 INVALID_ARGUMENT
in the callable error format, with the CORS headers the SDK would add. Kept free of pydantic
and the handler modules, since main.py imports it at deploy discovery.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from firebase_functions import https_fn
from flask import Request, Response
from flask_cors import cross_origin
from werkzeug.exceptions import RequestEntityTooLarge

from errors import ApiError, invalid
from handlers.json_input import MAX_BODY_BYTES, load_json


def on_call(**options: Any) -> Callable[[Callable[[https_fn.CallableRequest], Any]], Any]:
    """``https_fn.on_call(**options)``, answering 400 for a body the SDK cannot take."""
    sdk = https_fn.on_call(**options)
    cors = options.get("cors")
    origins = cors.cors_origins if cors is not None and cors.cors_origins is not None else "*"

    def decorate(function: Callable[[https_fn.CallableRequest], Any]) -> Any:
        served = sdk(function)

        @cross_origin(methods="POST", origins=origins)
        @functools.wraps(served)  # keeps __firebase_endpoint__, by which it is deployed
        def checked(request: Request) -> Response:
            if request.method == "POST":
                try:
                    check_body(request)
                except ApiError as error:
                    from handlers.http import error_response  # only bad requests pay for it

                    return error_response(error)
            return served(request)

        return checked

    return decorate


def check_body(request: Request) -> None:
    """A callable's body: at most MAX_BODY_BYTES of JSON, exactly ``{"data": ...}``."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise invalid("body", f"must be at most {MAX_BODY_BYTES} bytes")
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=True)  # the SDK reads it again from the cache
    except RequestEntityTooLarge:
        raise invalid("body", f"must be at most {MAX_BODY_BYTES} bytes") from None
    body = load_json(raw)
    if not isinstance(body, dict) or set(body) != {"data"}:
        raise invalid("body", 'must be a JSON object {"data": ...}')
