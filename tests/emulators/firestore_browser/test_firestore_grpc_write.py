"""The gRPC Write stream on the wire, as the Node SDK uses it: handshake, pipelined
writes answered in order, stream tokens, errors as gRPC statuses, and resumption."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.message import Message

from emulators.firestore import protos
from emulators.firestore.streams import WriteRequest, WriteResponse
from tests.emulators.firestore_browser.webchannel_client import DB, DOCS
from tests.support import emulators

WRITE_METHOD = "/google.firestore.v1.Firestore/Write"


class WriteCall:
    """One Write call: ``send`` queues a request, ``receive`` waits for the next answer."""

    _END = object()

    def __init__(self, channel: grpc.Channel, token: str | None) -> None:
        self._requests: queue.Queue = queue.Queue()
        method = channel.stream_stream(
            WRITE_METHOD,
            request_serializer=WriteRequest.SerializeToString,
            response_deserializer=WriteResponse.FromString,
        )
        metadata = [("authorization", f"Bearer {token}")] if token else []
        self.call = method(self._request_iterator(), metadata=metadata, timeout=20)

    def _request_iterator(self) -> Iterator[Message]:
        while (request := self._requests.get()) is not self._END:
            yield request

    def send(self, **fields) -> None:
        self._requests.put(WriteRequest(**fields))

    def receive(self) -> Message:
        return next(self.call)

    def stop_sending(self) -> None:
        self._requests.put(self._END)

    def half_close(self) -> list[Message]:
        """Ends the requests; returns the answers still to come, once the call is over."""
        self.stop_sending()
        return list(self.call)


def set_note(note_id: str, owner: str, n: int) -> Message:
    write = protos.Write()
    write.update.name = f"{DOCS}/notes/{note_id}"
    write.update.fields["owner"].string_value = owner
    write.update.fields["n"].integer_value = n
    stamp = write.update_transforms.add()
    stamp.field_path = "createdAt"
    stamp.set_to_server_value = protos.DocumentTransform.FieldTransform.REQUEST_TIME
    return write


@pytest.fixture
def channel(firebase: emulators.EmulatorProcess, firestore_url: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(firebase.host("firestore")) as opened:
        yield opened


def read_note(channel: grpc.Channel, note_id: str) -> Message:
    get = channel.unary_unary(
        "/google.firestore.v1.Firestore/GetDocument",
        request_serializer=protos.GetDocumentRequest.SerializeToString,
        response_deserializer=protos.Document.FromString,
    )
    return get(
        protos.GetDocumentRequest(name=f"{DOCS}/notes/{note_id}"),
        metadata=[("authorization", "Bearer owner")],
    )


def test_handshake_then_pipelined_writes_answered_in_order(
    channel: grpc.Channel, id_tokens: dict
) -> None:
    call = WriteCall(channel, id_tokens["alice"])
    call.send(database=DB)
    handshake = call.receive()
    assert handshake.stream_id
    assert handshake.stream_token
    assert not handshake.write_results
    assert not handshake.HasField("commit_time")

    # Three requests with the same token before any answer, as the SDK pipelines them.
    for n in (1, 2, 3):
        call.send(stream_token=handshake.stream_token, writes=[set_note("p1", "alice", n)])
    answers = [call.receive() for _ in range(3)]
    tokens = [handshake.stream_token, *(a.stream_token for a in answers)]
    assert len(set(tokens)) == 4
    commit_times = [a.commit_time.ToMicroseconds() for a in answers]
    assert commit_times == sorted(commit_times)
    assert len(set(commit_times)) == 3
    for answer in answers:
        [result] = answer.write_results
        # The server timestamp is the commit time.
        assert result.transform_results[0].timestamp_value == answer.commit_time
        assert answer.stream_id == ""
    assert read_note(channel, "p1").fields["n"].integer_value == 3  # applied in order

    # The SDK's last request before it closes carries no writes: a token, no commit.
    call.send(stream_token=answers[-1].stream_token)
    closing = call.receive()
    assert closing.stream_token not in tokens
    assert not closing.write_results
    assert not closing.HasField("commit_time")
    assert call.half_close() == []
    assert call.call.code() == grpc.StatusCode.OK


def test_a_refused_write_ends_the_stream_with_its_status(
    channel: grpc.Channel, id_tokens: dict
) -> None:
    call = WriteCall(channel, id_tokens["alice"])
    call.send(database=DB)
    token = call.receive().stream_token
    call.send(stream_token=token, writes=[set_note("r1", "bob", 1)])  # owner must be alice
    call.send(stream_token=token, writes=[set_note("r2", "alice", 1)])  # after the error
    with pytest.raises(grpc.RpcError) as refused:
        call.receive()
    call.stop_sending()
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "Missing or insufficient permissions" in refused.value.details()
    # Nothing after the failed request was applied.
    with pytest.raises(grpc.RpcError) as missing:
        read_note(channel, "r2")
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("requests", "code", "detail"),
    [
        ([{"database": DB, "writes": [set_note("x", "owner", 1)]}], "INVALID_ARGUMENT", "first"),
        ([{}], "INVALID_ARGUMENT", "database"),
        ([{"database": DB}, {"writes": [set_note("x", "o", 1)]}], "INVALID_ARGUMENT", "token"),
        (
            [{"database": DB}, {"stream_token": b"other:1", "writes": [set_note("x", "o", 1)]}],
            "INVALID_ARGUMENT",
            "does not belong",
        ),
        ([{"database": DB, "stream_id": "nope", "stream_token": b"nope:1"}], "NOT_FOUND", "nope"),
    ],
    ids=["writes-in-handshake", "no-database", "no-token", "foreign-token", "unknown-stream"],
)
def test_malformed_requests_end_the_stream(
    channel: grpc.Channel, requests: list[dict], code: str, detail: str
) -> None:
    call = WriteCall(channel, "owner")
    for request in requests:
        call.send(**request)
    with pytest.raises(grpc.RpcError) as ended:
        call.half_close()
    assert ended.value.code() == grpc.StatusCode[code]
    assert detail in ended.value.details()


def test_a_bad_id_token_is_unauthenticated(channel: grpc.Channel) -> None:
    call = WriteCall(channel, "not-a-jwt")
    call.send(database=DB)
    with pytest.raises(grpc.RpcError) as refused:
        call.half_close()
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_stream_resumes_from_a_token_on_a_new_call(
    channel: grpc.Channel, id_tokens: dict
) -> None:
    first = WriteCall(channel, id_tokens["alice"])
    first.send(database=DB)
    handshake = first.receive()
    first.send(stream_token=handshake.stream_token, writes=[set_note("s1", "alice", 1)])
    first.send(stream_token=handshake.stream_token, writes=[set_note("s2", "alice", 2)])
    answered = [first.receive(), first.receive()]
    assert first.half_close() == []  # the connection ends; neither answer was acknowledged

    # Someone else cannot take the stream over.
    intruder = WriteCall(channel, id_tokens["bob"])
    intruder.send(database=DB, stream_id=handshake.stream_id, stream_token=handshake.stream_token)
    with pytest.raises(grpc.RpcError) as refused:
        intruder.half_close()
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    # Resuming after the first answer: the second is sent again, then a fresh token.
    resumed = WriteCall(channel, id_tokens["alice"])
    resumed.send(database=DB, stream_id=handshake.stream_id, stream_token=answered[0].stream_token)
    replayed = resumed.receive()
    assert replayed == answered[1]
    fresh = resumed.receive()
    assert fresh.stream_id == handshake.stream_id
    assert not fresh.write_results
    assert fresh.stream_token not in {handshake.stream_token, *(a.stream_token for a in answered)}

    # The resumed stream keeps writing; an acknowledged token cannot be used again.
    resumed.send(stream_token=fresh.stream_token, writes=[set_note("s3", "alice", 3)])
    assert resumed.receive().write_results
    resumed.send(stream_token=answered[0].stream_token, writes=[set_note("s4", "alice", 4)])
    with pytest.raises(grpc.RpcError) as stale:
        resumed.receive()
    resumed.stop_sending()
    assert stale.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [read_note(channel, n).fields["n"].integer_value for n in ("s1", "s2", "s3")] == [
        1,
        2,
        3,
    ]

    # A stream that ended with an error cannot be resumed.
    again = WriteCall(channel, id_tokens["alice"])
    again.send(database=DB, stream_id=handshake.stream_id, stream_token=fresh.stream_token)
    with pytest.raises(grpc.RpcError) as gone:
        again.half_close()
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
