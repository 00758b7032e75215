"""The gRPC transport: google.firestore.v1.Firestore served by grpcio (asyncio API).

Handlers are registered with ``grpc.method_handlers_generic_handler`` using the protobuf
classes from google-cloud-firestore, so no generated stubs are needed. The server runs
one asyncio loop in a background thread. Engine calls may block (a transaction waiting
for a lock), so they run in a thread pool; Listen streams live on the loop itself, so a
commit that reaches many listeners costs no thread switches per message.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent import futures

import grpc
from google.protobuf import empty_pb2

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError
from emulators.firestore.listen import Listeners
from emulators.firestore.security import caller_from_authorization
from emulators.firestore.streams import (
    WriteRequest,
    WriteResponse,
    WriteStream,
    WriteStreamRegistry,
)

log = logging.getLogger(__name__)

SERVICE = "google.firestore.v1.Firestore"
# Engine calls run here; a transaction waiting for a lock holds one thread.
MAX_WORKERS = 256


def _caller(context, project: str):
    header = None
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            header = value
    return caller_from_authorization(header, project)


def _status(error: FirestoreError) -> grpc.StatusCode:
    return grpc.StatusCode[Code(error.code).name]


class _Calls:
    """Runs engine methods in the pool and maps their errors to gRPC statuses."""

    def __init__(self, pool: futures.ThreadPoolExecutor, project: str) -> None:
        self.pool = pool
        self.project = project

    async def run(self, method: Callable, request, context):
        loop = asyncio.get_running_loop()
        try:
            caller = _caller(context, self.project)
            return await loop.run_in_executor(self.pool, method, request, caller)
        except FirestoreError as error:
            await context.abort(_status(error), error.message)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            log.exception("Firestore %s failed", getattr(method, "__name__", method))
            await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {exc!r}")

    def unary(self, method: Callable, empty: bool = False):
        async def handler(request, context):
            result = await self.run(method, request, context)
            return empty_pb2.Empty() if empty else result

        return handler

    def server_streaming(self, method: Callable):
        async def handler(request, context):
            for response in await self.run(method, request, context):
                yield response

        return handler


class _SerializationCache:
    """Listen sends the same DocumentChange message object to every listener of a
    document in one commit; serialize it once. Holding the message keeps its id() unique."""

    def __init__(self, size: int = 1024) -> None:
        self._entries: collections.OrderedDict[int, tuple[object, bytes]] = (
            collections.OrderedDict()
        )
        self._size = size
        self._lock = threading.Lock()

    def __call__(self, message) -> bytes:
        if message.WhichOneof("response_type") != "document_change":
            return message.SerializeToString()
        key = id(message)
        with self._lock:
            cached = self._entries.get(key)
        if cached is not None and cached[0] is message:
            return cached[1]
        data = message.SerializeToString()
        with self._lock:
            self._entries[key] = (message, data)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return data


class _Outbox:
    """What the engine sends to one Listen stream. ``put`` is called from engine threads
    with the engine lock held; it wakes the stream's coroutine at most once per batch."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: collections.deque = collections.deque()
        self.ready = asyncio.Event()
        self._armed = False
        self._lock = threading.Lock()

    def put(self, message) -> None:
        with self._lock:
            self.items.append(message)
            if self._armed:
                return
            self._armed = True
        # RuntimeError: the server's loop has stopped and the stream is gone.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.ready.set)

    def take(self) -> list:
        with self._lock:
            self._armed = False
            self.ready.clear()
            taken = list(self.items)
            self.items.clear()
        return taken


def _listen_handler(listeners: Listeners, pool: futures.ThreadPoolExecutor):
    async def listen(request_iterator, context):
        loop = asyncio.get_running_loop()
        try:
            caller = _caller(context, listeners.engine.project)
        except FirestoreError as error:
            await context.abort(_status(error), error.message)
        outbox = _Outbox(loop)
        session = listeners.open(caller, outbox.put)
        failure: list[FirestoreError] = []

        async def read_requests() -> None:
            try:
                async for request in request_iterator:
                    await loop.run_in_executor(pool, session.handle, request)
            except FirestoreError as error:
                failure.append(error)
            except Exception as exc:
                if not isinstance(exc, (grpc.RpcError, asyncio.CancelledError)):
                    log.exception("Firestore Listen request failed")
                    failure.append(FirestoreError(Code.INTERNAL, "internal error in Listen"))
            finally:
                outbox.put(None)

        reader = asyncio.ensure_future(read_requests())
        try:
            while True:
                await outbox.ready.wait()
                for message in outbox.take():
                    if message is None:
                        if failure:
                            await context.abort(_status(failure[0]), failure[0].message)
                        return
                    yield message
        finally:
            reader.cancel()
            await loop.run_in_executor(pool, session.close)

    return listen


def _write_handler(
    engine: FirestoreEngine, pool: futures.ThreadPoolExecutor, registry: WriteStreamRegistry
):
    """The Write stream: each request is handled in the pool, in order, and its answers
    are sent before the next request is read. An error ends the call with its status."""

    async def write(request_iterator, context):
        loop = asyncio.get_running_loop()
        try:
            caller = _caller(context, engine.project)
        except FirestoreError as error:
            await context.abort(_status(error), error.message)
        stream = WriteStream(engine, caller, registry=registry)
        try:
            async for request in request_iterator:
                try:
                    responses = await loop.run_in_executor(pool, stream.handle, request)
                except FirestoreError as error:
                    await context.abort(_status(error), error.message)
                except Exception as exc:
                    log.exception("Firestore Write request failed")
                    await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {exc!r}")
                for response in responses:
                    yield response
        finally:
            stream.close()

    return write


def build_handler(engine: FirestoreEngine, listeners: Listeners, pool: futures.ThreadPoolExecutor):
    calls = _Calls(pool, engine.project)
    p = protos

    def unary(method, request_class, response_class, empty=False):
        return grpc.unary_unary_rpc_method_handler(
            calls.unary(method, empty),
            request_deserializer=request_class.FromString,
            response_serializer=empty_pb2.Empty.SerializeToString
            if empty
            else response_class.SerializeToString,
        )

    def server_streaming(method, request_class, response_class):
        return grpc.unary_stream_rpc_method_handler(
            calls.server_streaming(method),
            request_deserializer=request_class.FromString,
            response_serializer=response_class.SerializeToString,
        )

    handlers = {
        "GetDocument": unary(engine.get_document, p.GetDocumentRequest, p.Document),
        "ListDocuments": unary(
            engine.list_documents, p.ListDocumentsRequest, p.ListDocumentsResponse
        ),
        "CreateDocument": unary(engine.create_document, p.CreateDocumentRequest, p.Document),
        "UpdateDocument": unary(engine.update_document, p.UpdateDocumentRequest, p.Document),
        "DeleteDocument": unary(engine.delete_document, p.DeleteDocumentRequest, None, True),
        "BatchGetDocuments": server_streaming(
            engine.batch_get_documents, p.BatchGetDocumentsRequest, p.BatchGetDocumentsResponse
        ),
        "BeginTransaction": unary(
            engine.begin_transaction, p.BeginTransactionRequest, p.BeginTransactionResponse
        ),
        "Commit": unary(engine.commit, p.CommitRequest, p.CommitResponse),
        "Rollback": unary(engine.rollback, p.RollbackRequest, None, True),
        "RunQuery": server_streaming(engine.run_query, p.RunQueryRequest, p.RunQueryResponse),
        "RunAggregationQuery": server_streaming(
            engine.run_aggregation_query,
            p.RunAggregationQueryRequest,
            p.RunAggregationQueryResponse,
        ),
        "BatchWrite": unary(engine.batch_write, p.BatchWriteRequest, p.BatchWriteResponse),
        "PartitionQuery": unary(
            engine.partition_query, p.PartitionQueryRequest, p.PartitionQueryResponse
        ),
        "ListCollectionIds": unary(
            engine.list_collection_ids, p.ListCollectionIdsRequest, p.ListCollectionIdsResponse
        ),
        "Listen": grpc.stream_stream_rpc_method_handler(
            _listen_handler(listeners, pool),
            request_deserializer=p.ListenRequest.FromString,
            response_serializer=_SerializationCache(),
        ),
        "Write": grpc.stream_stream_rpc_method_handler(
            _write_handler(engine, pool, WriteStreamRegistry()),
            request_deserializer=WriteRequest.FromString,
            response_serializer=WriteResponse.SerializeToString,
        ),
    }
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


class GrpcServer:
    """A grpcio asyncio server on a free loopback port, in its own thread. Its Listen
    streams join ``listeners`` (a registry of their own if none is given)."""

    def __init__(
        self,
        engine: FirestoreEngine,
        listeners: Listeners | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.engine = engine
        self.listeners = listeners or Listeners(engine)
        self.host = host
        self.port = 0
        self.pool = futures.ThreadPoolExecutor(
            max_workers=MAX_WORKERS, thread_name_prefix="firestore-engine"
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="firestore-grpc", daemon=True
        )
        self._server: grpc.aio.Server | None = None

    def start(self) -> int:
        async def start() -> int:
            self._server = grpc.aio.server(
                handlers=[build_handler(self.engine, self.listeners, self.pool)],
                options=[
                    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
                    ("grpc.max_send_message_length", 64 * 1024 * 1024),
                    ("grpc.so_reuseport", 0),
                ],
            )
            port = self._server.add_insecure_port(f"{self.host}:0")
            await self._server.start()
            return port

        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(start(), self._loop).result(timeout=10)
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            future = asyncio.run_coroutine_threadsafe(self._server.stop(1), self._loop)
            try:
                future.result(timeout=5)
            except Exception:
                log.warning("gRPC server did not stop cleanly", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)
