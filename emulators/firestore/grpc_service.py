"""The gRPC transport: google.firestore.v1.Firestore served by grpcio over the engine.

Handlers are registered with ``grpc.method_handlers_generic_handler`` using the protobuf
classes from google-cloud-firestore, so no generated stubs are needed.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.errors import Code, FirestoreError
from emulators.firestore.security import caller_from_authorization

log = logging.getLogger(__name__)

SERVICE = "google.firestore.v1.Firestore"
# Listen streams each hold a worker thread for their lifetime.
MAX_WORKERS = 512


def _caller(context: grpc.ServicerContext):
    header = None
    for key, value in context.invocation_metadata():
        if key == "authorization":
            header = value
    return caller_from_authorization(header)


def _abort(context: grpc.ServicerContext, error: FirestoreError):
    context.abort(grpc.StatusCode[Code(error.code).name], error.message)


def _unary(method: Callable, empty_response: bool = False):
    def handler(request, context):
        try:
            result = method(request, _caller(context))
        except FirestoreError as error:
            _abort(context, error)
        except Exception as exc:
            log.exception("Firestore %s failed", method.__name__)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error: {exc!r}")
        return protos_empty() if empty_response else result

    return handler


def _streaming(method: Callable):
    def handler(request, context) -> Iterator:
        try:
            responses = method(request, _caller(context))
        except FirestoreError as error:
            _abort(context, error)
        except Exception as exc:
            log.exception("Firestore %s failed", method.__name__)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error: {exc!r}")
        yield from responses

    return handler


def protos_empty():
    from google.protobuf import empty_pb2

    return empty_pb2.Empty()


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


class _ListenStream:
    """Runs one Listen call: a thread reads requests into the session; this generator
    yields what the session sends."""

    _CLOSE = object()

    def __init__(self, engine: FirestoreEngine, request_iterator, context) -> None:
        self.context = context
        self.requests = request_iterator
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.error: FirestoreError | None = None
        self.session = engine.open_listen(_caller(context), self.outbox.put)
        context.add_callback(lambda: self.outbox.put(self._CLOSE))

    def _read(self) -> None:
        try:
            for request in self.requests:
                self.session.handle(request)
        except FirestoreError as error:
            self.error = error
        except grpc.RpcError:  # the client went away mid-read
            pass
        except Exception:
            log.exception("Firestore Listen request failed")
            self.error = FirestoreError(Code.INTERNAL, "internal error in Listen")
        self.outbox.put(self._CLOSE)

    def run(self) -> Iterator:
        reader = threading.Thread(target=self._read, name="firestore-listen-reader", daemon=True)
        reader.start()
        try:
            while True:
                message = self.outbox.get()
                if message is self._CLOSE:
                    break
                yield message
            if self.error is not None:
                _abort(self.context, self.error)
        finally:
            self.session.close()


def build_handler(engine: FirestoreEngine) -> grpc.GenericRpcHandler:
    listen_serializer = _SerializationCache()

    def listen(request_iterator, context):
        try:
            stream = _ListenStream(engine, request_iterator, context)
        except FirestoreError as error:
            _abort(context, error)
        yield from stream.run()

    def unary(method, request_class, response_class, empty=False):
        return grpc.unary_unary_rpc_method_handler(
            _unary(method, empty),
            request_deserializer=request_class.FromString,
            response_serializer=(lambda m: m.SerializeToString())
            if empty
            else response_class.SerializeToString,
        )

    def server_streaming(method, request_class, response_class):
        return grpc.unary_stream_rpc_method_handler(
            _streaming(method),
            request_deserializer=request_class.FromString,
            response_serializer=response_class.SerializeToString,
        )

    p = protos
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
        "ListCollectionIds": unary(
            engine.list_collection_ids, p.ListCollectionIdsRequest, p.ListCollectionIdsResponse
        ),
        "Listen": grpc.stream_stream_rpc_method_handler(
            listen,
            request_deserializer=p.ListenRequest.FromString,
            response_serializer=listen_serializer,
        ),
    }
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


def start_server(engine: FirestoreEngine, host: str = "127.0.0.1") -> tuple[grpc.Server, int]:
    """A grpcio server on a free loopback port; returns it with its port."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="firestore-grpc"),
        handlers=[build_handler(engine)],
        options=[
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
            ("grpc.so_reuseport", 0),
        ],
    )
    port = server.add_insecure_port(f"{host}:0")
    server.start()
    return server, port
