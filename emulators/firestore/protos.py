"""The raw google.firestore.v1 protobuf classes, taken from google-cloud-firestore.

The engine works on these messages so that every transport (gRPC here, REST and
WebChannel later through ``google.protobuf.json_format``) shares one implementation.
"""

from __future__ import annotations

from google.cloud.firestore_v1.types import aggregation_result as _aggregation_result
from google.cloud.firestore_v1.types import common as _common
from google.cloud.firestore_v1.types import document as _document
from google.cloud.firestore_v1.types import firestore as _firestore
from google.cloud.firestore_v1.types import query as _query
from google.cloud.firestore_v1.types import write as _write

Value = _document.Value.pb()
MapValue = _document.MapValue.pb()
ArrayValue = _document.ArrayValue.pb()
Document = _document.Document.pb()

DocumentMask = _common.DocumentMask.pb()
Precondition = _common.Precondition.pb()
TransactionOptions = _common.TransactionOptions.pb()

StructuredQuery = _query.StructuredQuery.pb()
StructuredAggregationQuery = _query.StructuredAggregationQuery.pb()
Cursor = _query.Cursor.pb()
AggregationResult = _aggregation_result.AggregationResult.pb()

Write = _write.Write.pb()
WriteResult = _write.WriteResult.pb()
DocumentTransform = _write.DocumentTransform.pb()
DocumentChange = _write.DocumentChange.pb()
DocumentDelete = _write.DocumentDelete.pb()
DocumentRemove = _write.DocumentRemove.pb()
ExistenceFilter = _write.ExistenceFilter.pb()

GetDocumentRequest = _firestore.GetDocumentRequest.pb()
ListDocumentsRequest = _firestore.ListDocumentsRequest.pb()
ListDocumentsResponse = _firestore.ListDocumentsResponse.pb()
CreateDocumentRequest = _firestore.CreateDocumentRequest.pb()
UpdateDocumentRequest = _firestore.UpdateDocumentRequest.pb()
DeleteDocumentRequest = _firestore.DeleteDocumentRequest.pb()
BatchGetDocumentsRequest = _firestore.BatchGetDocumentsRequest.pb()
BatchGetDocumentsResponse = _firestore.BatchGetDocumentsResponse.pb()
BeginTransactionRequest = _firestore.BeginTransactionRequest.pb()
BeginTransactionResponse = _firestore.BeginTransactionResponse.pb()
CommitRequest = _firestore.CommitRequest.pb()
CommitResponse = _firestore.CommitResponse.pb()
RollbackRequest = _firestore.RollbackRequest.pb()
RunQueryRequest = _firestore.RunQueryRequest.pb()
RunQueryResponse = _firestore.RunQueryResponse.pb()
RunAggregationQueryRequest = _firestore.RunAggregationQueryRequest.pb()
RunAggregationQueryResponse = _firestore.RunAggregationQueryResponse.pb()
ListenRequest = _firestore.ListenRequest.pb()
ListenResponse = _firestore.ListenResponse.pb()
Target = _firestore.Target.pb()
TargetChange = _firestore.TargetChange.pb()
ListCollectionIdsRequest = _firestore.ListCollectionIdsRequest.pb()
ListCollectionIdsResponse = _firestore.ListCollectionIdsResponse.pb()
BatchWriteRequest = _firestore.BatchWriteRequest.pb()
BatchWriteResponse = _firestore.BatchWriteResponse.pb()
