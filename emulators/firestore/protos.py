"""The raw google.firestore.v1 protobuf classes, taken from google-cloud-firestore.

The engine works on these messages so that every transport (gRPC here, REST and
WebChannel later through ``google.protobuf.json_format``) shares one implementation.
"""

from __future__ import annotations

from google.cloud.firestore_v1.types import firestore as _firestore
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_WRITE_FILE = "google/cloud/firestore_v1/types/write.proto"


def _add_verify(write_file: descriptor_pb2.FileDescriptorProto) -> None:
    """google.firestore.v1.Write has ``string verify = 5`` in its ``operation`` oneof
    (the JS SDK sends it in transactions); google-cloud-firestore's copy of write.proto
    leaves it out because the Python client never sends it."""
    write = next(m for m in write_file.message_type if m.name == "Write")
    operation = next(i for i, o in enumerate(write.oneof_decl) if o.name == "operation")
    write.field.add(
        name="verify",
        number=5,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        oneof_index=operation,
        json_name="verify",
    )


def _firestore_pool() -> descriptor_pool.DescriptorPool:
    """The google.firestore.v1 files of google-cloud-firestore in a pool of their own,
    with ``Write.verify`` added."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(file) -> None:
        if file.name in added:
            return
        for dependency in file.dependencies:
            add(dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        if proto.name == _WRITE_FILE:
            _add_verify(proto)
        pool.Add(proto)
        added.add(file.name)

    add(_firestore.CommitRequest.pb().DESCRIPTOR.file)
    return pool


_POOL = _firestore_pool()


def _message(name: str):
    descriptor = _POOL.FindMessageTypeByName(f"google.firestore.v1.{name}")
    return message_factory.GetMessageClass(descriptor)


Value = _message("Value")
MapValue = _message("MapValue")
ArrayValue = _message("ArrayValue")
Document = _message("Document")

DocumentMask = _message("DocumentMask")
Precondition = _message("Precondition")
TransactionOptions = _message("TransactionOptions")

StructuredQuery = _message("StructuredQuery")
StructuredAggregationQuery = _message("StructuredAggregationQuery")
Cursor = _message("Cursor")
AggregationResult = _message("AggregationResult")

Write = _message("Write")
WriteResult = _message("WriteResult")
DocumentTransform = _message("DocumentTransform")
DocumentChange = _message("DocumentChange")
DocumentDelete = _message("DocumentDelete")
DocumentRemove = _message("DocumentRemove")
ExistenceFilter = _message("ExistenceFilter")

GetDocumentRequest = _message("GetDocumentRequest")
PartitionQueryRequest = _message("PartitionQueryRequest")
PartitionQueryResponse = _message("PartitionQueryResponse")
ListDocumentsRequest = _message("ListDocumentsRequest")
ListDocumentsResponse = _message("ListDocumentsResponse")
CreateDocumentRequest = _message("CreateDocumentRequest")
UpdateDocumentRequest = _message("UpdateDocumentRequest")
DeleteDocumentRequest = _message("DeleteDocumentRequest")
BatchGetDocumentsRequest = _message("BatchGetDocumentsRequest")
BatchGetDocumentsResponse = _message("BatchGetDocumentsResponse")
BeginTransactionRequest = _message("BeginTransactionRequest")
BeginTransactionResponse = _message("BeginTransactionResponse")
CommitRequest = _message("CommitRequest")
CommitResponse = _message("CommitResponse")
RollbackRequest = _message("RollbackRequest")
RunQueryRequest = _message("RunQueryRequest")
RunQueryResponse = _message("RunQueryResponse")
RunAggregationQueryRequest = _message("RunAggregationQueryRequest")
RunAggregationQueryResponse = _message("RunAggregationQueryResponse")
ListenRequest = _message("ListenRequest")
ListenResponse = _message("ListenResponse")
Target = _message("Target")
TargetChange = _message("TargetChange")
ListCollectionIdsRequest = _message("ListCollectionIdsRequest")
ListCollectionIdsResponse = _message("ListCollectionIdsResponse")
BatchWriteRequest = _message("BatchWriteRequest")
BatchWriteResponse = _message("BatchWriteResponse")
WriteRequest = _message("WriteRequest")
WriteResponse = _message("WriteResponse")
