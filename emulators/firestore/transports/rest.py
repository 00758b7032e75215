"""Firestore's REST API as Starlette routes over the engine, for the browser SDK (which
sends BatchGetDocuments, Commit, RunQuery and RunAggregationQuery this way) and for any
HTTP client.

Bodies and responses use the proto3 JSON mapping (``google.protobuf.json_format``);
server-streaming methods answer with a JSON array of their responses, as Google's REST
front does. Callers are identified exactly as on gRPC (``Authorization: Bearer owner`` is
an admin, a Bearer ID token is a signed-in user, nothing is an anonymous client), so the
same Security Rules apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.security import Caller, caller_from_authorization
from emulators.firestore.transports.http import error_response
from emulators.firestore.transports.protojson import parse, to_json

DOCUMENTS_PATH = "/v1/projects/{project}/databases/{database}/documents{rest:path}"

# Custom methods on the database (``documents:commit``) and which field names the URL.
DATABASE_METHODS = {
    "batchGet": ("batch_get_documents", protos.BatchGetDocumentsRequest, "database"),
    "commit": ("commit", protos.CommitRequest, "database"),
    "batchWrite": ("batch_write", protos.BatchWriteRequest, "database"),
    "beginTransaction": ("begin_transaction", protos.BeginTransactionRequest, "database"),
    "rollback": ("rollback", protos.RollbackRequest, "database"),
}
# Custom methods on a parent (``documents`` or ``documents/rooms/r1``).
PARENT_METHODS = {
    "runQuery": ("run_query", protos.RunQueryRequest, "parent"),
    "runAggregationQuery": ("run_aggregation_query", protos.RunAggregationQueryRequest, "parent"),
    "listCollectionIds": ("list_collection_ids", protos.ListCollectionIdsRequest, "parent"),
    "partitionQuery": ("partition_query", protos.PartitionQueryRequest, "parent"),
}
# Document CRUD (get, list, createDocument, patch, delete) works on the resource paths.
STREAMING = {"batch_get_documents", "run_query", "run_aggregation_query"}
EMPTY_RESPONSE = {"rollback", "delete_document"}


def rest_routes(engine: FirestoreEngine) -> list[BaseRoute]:
    """The REST routes, to pass to ``http.build_app(engine, extra_routes=...)``."""
    api = RestApi(engine)
    return [
        Route(
            DOCUMENTS_PATH,
            api.endpoint,
            methods=["GET", "POST", "PATCH", "DELETE"],
        )
    ]


class RestApi:
    def __init__(self, engine: FirestoreEngine) -> None:
        self.engine = engine

    async def endpoint(self, request: Request) -> Response:
        try:
            response = await self._dispatch(request)
        except FirestoreError as error:
            response = error_response(error)
        return response

    async def _dispatch(self, request: Request) -> Response:
        authorization = request.headers.get("authorization")
        caller = caller_from_authorization(authorization, self.engine.project)
        database = (
            f"projects/{request.path_params['project']}/databases/{request.path_params['database']}"
        )
        documents = f"{database}/documents"
        suffix, method = _split_method(request.path_params["rest"])
        if suffix and not suffix.startswith("/"):
            raise FirestoreError(Code.NOT_FOUND, f"No such resource: {request.url.path}")
        resource = documents + suffix

        if method is not None:
            if request.method != "POST":
                raise FirestoreError(Code.INVALID_ARGUMENT, f"{method} needs POST")
            if method in DATABASE_METHODS and not suffix:
                handler, request_class, url_field = DATABASE_METHODS[method]
                url_value = database
            elif method in PARENT_METHODS:
                handler, request_class, url_field = PARENT_METHODS[method]
                url_value = resource
            else:
                raise FirestoreError(
                    Code.NOT_FOUND, f"No method {method!r} on {resource} in the REST API"
                )
            body = parse(await _json_body(request), request_class)
            setattr(body, url_field, url_value)
            return await self._call(handler, body, caller)

        if not suffix:
            raise FirestoreError(Code.NOT_FOUND, f"{request.method} {request.url.path}")
        segments = suffix.strip("/").split("/")
        is_document = len(segments) % 2 == 0
        if request.method == "DELETE" and is_document:
            fields = _query_fields(request, ("currentDocument",))
            body = parse(fields, protos.DeleteDocumentRequest)
            body.name = resource
            return await self._call("delete_document", body, caller)
        if request.method == "PATCH" and is_document:
            fields = _query_fields(request, ("currentDocument",))
            body = parse(fields, protos.UpdateDocumentRequest)
            body.document.CopyFrom(parse(await _json_body(request), protos.Document))
            body.document.name = resource
            return await self._call("update_document", body, caller)
        if request.method == "POST" and not is_document:
            fields = _query_fields(request, ("documentId",))
            body = parse(fields, protos.CreateDocumentRequest)
            body.document.CopyFrom(parse(await _json_body(request), protos.Document))
            body.parent = "/".join([documents, *segments[:-1]])
            body.collection_id = segments[-1]
            return await self._call("create_document", body, caller)
        if request.method == "GET" and is_document:
            fields = _query_fields(request, ("transaction", "readTime"))
            body = parse(fields, protos.GetDocumentRequest)
            body.name = resource
            return await self._call("get_document", body, caller)
        if request.method == "GET":
            fields = _query_fields(
                request,
                ("pageSize", "pageToken", "orderBy", "showMissing", "transaction", "readTime"),
            )
            body = parse(fields, protos.ListDocumentsRequest)
            body.parent = "/".join([documents, *segments[:-1]])
            body.collection_id = segments[-1]
            return await self._call("list_documents", body, caller)
        kind = "document" if is_document else "collection"
        raise FirestoreError(
            Code.INVALID_ARGUMENT, f"{request.method} is not allowed on a {kind} path"
        )

    async def _call(self, handler: str, message: Message, caller: Caller) -> Response:
        method: Callable[[Message, Caller], Any] = getattr(self.engine, handler)
        result = await run_in_threadpool(method, message, caller)
        if handler in EMPTY_RESPONSE:
            return JSONResponse({})
        if handler in STREAMING:
            return JSONResponse([to_json(item) for item in result])
        return JSONResponse(to_json(result))


def _split_method(rest: str) -> tuple[str, str | None]:
    """``/rooms/r1:runQuery`` -> (``/rooms/r1``, ``runQuery``); a colon inside a document
    id is left alone unless what follows it names a method."""
    head, colon, tail = rest.rpartition(":")
    if colon and "/" not in tail and (tail in DATABASE_METHODS or tail in PARENT_METHODS):
        return head, tail
    return rest, None


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"Invalid JSON payload received. {exc}") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    return body


def _query_fields(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    """The request fields a GET/DELETE carries in its query string (``mask.fieldPaths``
    repeats; ``currentDocument.exists`` and the like use dotted names)."""
    fields: dict[str, Any] = {}
    params = request.query_params
    for mask_name in ("mask", "updateMask"):
        paths = params.getlist(f"{mask_name}.fieldPaths")
        if paths:
            fields[mask_name] = {"fieldPaths": paths}
    for name in names:
        if name in params:
            fields[name] = _query_value(name, params[name])
        dotted = {
            key.split(".", 1)[1]: _query_value(key.split(".", 1)[1], value)
            for key, value in params.items()
            if key.startswith(name + ".")
        }
        if dotted:
            fields[name] = dotted
    return fields


def _query_value(name: str, value: str) -> Any:
    """Query strings carry text; the JSON mapping wants real booleans for these."""
    if name in ("showMissing", "exists"):
        if value not in ("true", "false"):
            raise invalid(f"Invalid value for {name}: {value!r} (expected true or false)")
        return value == "true"
    return value
