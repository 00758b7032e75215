"""The HTTP face of the engine, at the paths the ``cloudinary`` SDK and browsers use.

    POST /v1_1/{cloud}/{resource_type}/upload                     Upload API: upload
    POST /v1_1/{cloud}/{resource_type}/destroy                    Upload API: destroy
    GET  /v1_1/{cloud}/resources/{resource_type}/{type}/{id}      Admin API: resource details
    GET  /{cloud}/{resource_type}/upload/{transformations/v/id}   delivery
    GET  /{cloud}/image/fetch/{transformations/}{remote URL}      fetch delivery

API errors are Cloudinary's ``{"error": {"message": ...}}``; delivery errors carry the
message in ``X-Cld-Error``, as Cloudinary's CDN does. Engine calls run in worker threads:
Pillow and disk work must not stall the event loop.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.cloudinary.admin import AdminService
from emulators.cloudinary.delivery import DeliveryService, fetch
from emulators.cloudinary.errors import CloudinaryError, bad_request
from emulators.cloudinary.signatures import ParamValue
from emulators.cloudinary.uploads import IncomingFile, UploadService, decode_file_field

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=2592000"
MAX_FIELDS = 200


def create_app(uploads: UploadService, delivery: DeliveryService, admin: AdminService) -> Starlette:
    max_file_size = uploads.settings.max_file_size
    # A data-URI file arrives as a text field, a third larger than the file it encodes.
    max_part_size = max_file_size * 4 // 3 + 64 * 1024
    max_request_size = 2 * max_file_size + 1024 * 1024

    def api(handler: Callable[[Request], Awaitable[dict[str, Any]]]):
        async def endpoint(request: Request) -> Response:
            try:
                result = await handler(request)
            except CloudinaryError as exc:
                return _api_error(exc)
            except Exception as exc:
                log.exception("%s %s failed", request.method, request.url.path)
                return _api_error(CloudinaryError(500, f"Internal error of the emulator: {exc!r}"))
            return JSONResponse(result, headers={"X-Request-Id": uuid.uuid4().hex})

        return endpoint

    async def read_params(request: Request) -> tuple[dict[str, ParamValue], IncomingFile | None]:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_request_size:
            raise CloudinaryError(
                413, f"Request too large. Got {declared} bytes. Maximum is {max_request_size}."
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            return _params_from_json(await request.body())
        try:
            form = await request.form(
                max_files=1, max_fields=MAX_FIELDS, max_part_size=max_part_size
            )
        except HTTPException as exc:
            raise bad_request(f"Malformed request body: {exc.detail}") from None
        params: dict[str, ParamValue] = {}
        incoming: IncomingFile | None = None
        try:
            for name, value in form.multi_items():
                if name == "file":
                    if isinstance(value, UploadFile):
                        # Checked before reading, so an oversized upload is never loaded.
                        if value.size is not None:
                            uploads.check_file_size(value.size)
                        incoming = IncomingFile(value.filename or "file", await value.read())
                    elif value:
                        incoming = decode_file_field(value)
                elif isinstance(value, UploadFile):
                    raise bad_request(f"Parameter {name} must not be a file")
                elif name.endswith("[]"):
                    existing = params.setdefault(name[:-2], [])
                    if isinstance(existing, list):
                        existing.append(value)
                else:
                    params[name] = value
        finally:
            await form.close()
        return params, incoming

    async def upload(request: Request) -> dict[str, Any]:
        params, incoming = await read_params(request)
        return await run_in_threadpool(
            uploads.upload,
            request.path_params["cloud"],
            request.path_params["resource_type"],
            params,
            incoming,
        )

    async def destroy(request: Request) -> dict[str, Any]:
        params, _ = await read_params(request)
        return await run_in_threadpool(
            uploads.destroy,
            request.path_params["cloud"],
            request.path_params["resource_type"],
            params,
        )

    async def resource(request: Request) -> dict[str, Any]:
        api_key, api_secret = _basic_auth(request.headers.get("authorization", ""))
        admin.authenticate(request.path_params["cloud"], api_key, api_secret)
        return await run_in_threadpool(
            admin.resource,
            request.path_params["resource_type"],
            request.path_params["type"],
            request.path_params["public_id"],
        )

    async def deliver(request: Request) -> Response:
        try:
            delivered = await run_in_threadpool(
                delivery.deliver,
                request.path_params["cloud"],
                request.path_params["resource_type"],
                request.path_params["path"],
                request.headers.get("accept", ""),
            )
            body = await run_in_threadpool(delivered.path.read_bytes)
        except CloudinaryError as exc:
            return Response(
                status_code=exc.status, headers={"X-Cld-Error": _header_safe(exc.message)}
            )
        except FileNotFoundError:  # replaced or destroyed while being served
            return Response(status_code=404, headers={"X-Cld-Error": "Resource not found"})
        except Exception as exc:
            log.exception("delivery of %s failed", request.url.path)
            return Response(
                status_code=500, headers={"X-Cld-Error": _header_safe(f"Internal error: {exc!r}")}
            )
        headers = {
            "ETag": f'"{delivered.etag}"',
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        }
        if delivered.varies_on_accept:
            headers["Vary"] = "Accept"
        if _etag_matches(request.headers.get("if-none-match", ""), delivered.etag):
            return Response(status_code=304, headers=headers)
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=delivered.content_type)
        return Response(body, headers=headers, media_type=delivered.content_type)

    async def deliver_fetched(request: Request) -> Response:
        try:
            fetched = await run_in_threadpool(
                fetch,
                delivery.credentials,
                delivery.settings,
                request.path_params["cloud"],
                request.path_params["path"],
                request.headers.get("accept", ""),
            )
        except CloudinaryError as exc:
            return Response(
                status_code=exc.status, headers={"X-Cld-Error": _header_safe(exc.message)}
            )
        headers = {"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
        if fetched.varies_on_accept:
            headers["Vary"] = "Accept"
        return Response(fetched.body, headers=headers, media_type=fetched.content_type)

    routes = [
        Route("/{cloud}/image/fetch/{path:path}", deliver_fetched, methods=["GET"]),
        Route("/v1_1/{cloud}/{resource_type}/upload", api(upload), methods=["POST"]),
        Route("/v1_1/{cloud}/{resource_type}/destroy", api(destroy), methods=["POST"]),
        Route(
            "/v1_1/{cloud}/resources/{resource_type}/{type}/{public_id:path}",
            api(resource),
            methods=["GET"],
        ),
        Route("/{cloud}/{resource_type}/upload/{path:path}", deliver, methods=["GET", "HEAD"]),
    ]
    # Browsers upload straight to Cloudinary from any origin; the real API allows it too.
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "HEAD"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Cld-Error"],
        )
    ]
    return Starlette(routes=routes, middleware=middleware)


def _api_error(exc: CloudinaryError) -> JSONResponse:
    return JSONResponse({"error": {"message": exc.message}}, status_code=exc.status)


def _params_from_json(body: bytes) -> tuple[dict[str, ParamValue], IncomingFile | None]:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("Malformed JSON body") from None
    if not isinstance(document, dict):
        raise bad_request("Malformed JSON body: expected an object")
    params: dict[str, ParamValue] = {}
    incoming: IncomingFile | None = None
    for name, value in document.items():
        if name == "file":
            if not isinstance(value, str):
                raise bad_request("Invalid file parameter: expected a data URI")
            incoming = decode_file_field(value) if value else None
        elif isinstance(value, list):
            params[name] = [_json_text(item) for item in value]
        elif value is not None:
            params[name] = _json_text(value)
    return params, incoming


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise bad_request("Malformed JSON body: parameter values must be strings, numbers or lists")


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    api_key, _, api_secret = decoded.partition(":")
    return api_key, api_secret


def _header_safe(text: str) -> str:
    """Messages can quote the URL; a header may hold neither line breaks nor non-ASCII."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return printable.encode("ascii", "backslashreplace").decode("ascii")[:500]


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return etag in candidates or "*" in candidates
