"""Security Rules on client requests, through google-cloud-firestore with ID tokens.

The Python client in emulator mode always sends ``Authorization: Bearer owner`` (admin);
to act as an end user the test builds the gRPC channel itself and lets a small
google.auth Credentials subclass set the header, as a client with an ID token would.
Rules are not filters: cloud.google.com/firestore/docs/security/rules-query.
"""

from __future__ import annotations

import os
import queue
import threading
import time

import grpc
import pytest
from google.api_core import exceptions
from google.auth import credentials as auth_credentials
from google.cloud import firestore
from google.cloud.firestore_v1.services.firestore import client as gapic_client
from google.cloud.firestore_v1.services.firestore.transports import grpc as gapic_grpc
from google.cloud.firestore_v1.types import firestore as firestore_types

from emulators.auth import idtokens
from tests.emulators.firestore.support import PROJECT, clear_all


def id_token(uid: str, **claims) -> str:
    """An unsigned emulator ID token, as the Auth emulator mints."""
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "exp": now + 3600,
        "firebase": {"identities": {}, "sign_in_provider": "custom"},
        **claims,
    }
    return idtokens.encode_unsigned(payload)


class IdTokenCredentials(auth_credentials.Credentials):
    """Sends a Firebase ID token (or nothing, for a signed-out user) as the Bearer."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def refresh(self, request) -> None:  # emulator tokens need no refresh
        pass

    def apply(self, headers, token=None) -> None:
        if self.token is not None:
            headers["authorization"] = f"Bearer {self.token}"


class _AuthorizationInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    def __init__(self, creds: IdTokenCredentials) -> None:
        self.creds = creds

    def _details(self, details):
        metadata = [(k, v) for k, v in (details.metadata or []) if k.lower() != "authorization"]
        headers: dict[str, str] = {}
        self.creds.apply(headers)
        metadata.extend(headers.items())
        return details._replace(metadata=metadata)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


def user_client(host: str, uid: str | None) -> firestore.Client:
    creds = IdTokenCredentials(id_token(uid) if uid else None)
    client = firestore.Client(project=PROJECT, credentials=creds)
    channel = grpc.intercept_channel(grpc.insecure_channel(host), _AuthorizationInterceptor(creds))
    transport = gapic_grpc.FirestoreGrpcTransport(channel=channel)
    client._firestore_api_internal = gapic_client.FirestoreClient(transport=transport)
    return client


@pytest.fixture(scope="module")
def seeded(db, http):
    clear_all(http)
    db.document("rooms/r1").set({"name": "Room 1"})
    db.document("rooms/r1/members/alice").set({"role": "owner"})
    db.document("rooms/r1/messages/m1").set({"text": "hi", "author": "alice"})
    db.document("profiles/alice").set({"name": "Alice"})
    db.document("profiles/bob").set({"name": "Bob"})
    return db


@pytest.fixture(scope="module")
def alice(emulator_host):
    return user_client(emulator_host, "alice")


@pytest.fixture(scope="module")
def bob(emulator_host):
    return user_client(emulator_host, "bob")


@pytest.fixture(scope="module")
def anonymous(emulator_host):
    return user_client(emulator_host, None)


def test_admin_bypasses_rules(seeded):
    # firestore.rules in this suite denies writes to "secret"; the owner token ignores rules
    seeded.document("secret/x").set({"a": 1})
    assert seeded.document("secret/x").get().exists


def test_queries_with_no_collection_id_are_admin_only(seeded, alice):
    """recursive() reads every collection under a parent; no rule can allow that."""
    assert len(list(seeded.collection("rooms").recursive().stream())) == 3
    with pytest.raises(exceptions.PermissionDenied):
        list(alice.collection("rooms").recursive().stream())


def test_signed_out_get_is_denied_naming_path_and_method(seeded, anonymous):
    with pytest.raises(exceptions.PermissionDenied) as excinfo:
        anonymous.document("rooms/r1").get()
    message = str(excinfo.value)
    assert "get" in message and "/databases/(default)/documents/rooms/r1" in message


def test_member_reads_and_non_member_is_denied(seeded, alice, bob):
    assert alice.document("rooms/r1/messages/m1").get().get("text") == "hi"
    with pytest.raises(exceptions.PermissionDenied):
        bob.document("rooms/r1/messages/m1").get()


def test_create_with_server_timestamp_equal_to_request_time(seeded, alice, bob):
    messages = alice.collection("rooms/r1/messages")
    messages.document("m2").set(
        {"text": "yo", "author": "alice", "createdAt": firestore.SERVER_TIMESTAMP}
    )
    assert seeded.document("rooms/r1/messages/m2").get().get("author") == "alice"
    with pytest.raises(exceptions.PermissionDenied):
        messages.document("m3").set({"text": "x", "author": "alice", "createdAt": 5})
    with pytest.raises(exceptions.PermissionDenied):  # impersonation
        messages.document("m4").set(
            {"text": "x", "author": "bob", "createdAt": firestore.SERVER_TIMESTAMP}
        )
    with pytest.raises(exceptions.PermissionDenied):  # bob is not a member
        bob.collection("rooms/r1/messages").document("m5").set(
            {"text": "x", "author": "bob", "createdAt": firestore.SERVER_TIMESTAMP}
        )
    with pytest.raises(exceptions.PermissionDenied):  # updates are closed
        messages.document("m2").update({"text": "edited"})
    assert not seeded.document("rooms/r1/messages/m3").get().exists


def test_list_queries_must_be_provably_allowed(seeded, alice):
    profiles = alice.collection("profiles")
    assert sorted(s.id for s in profiles.limit(10).stream()) == ["alice", "bob"]
    with pytest.raises(exceptions.PermissionDenied):
        list(profiles.stream())  # no limit: the rule cannot be proven
    with pytest.raises(exceptions.PermissionDenied):
        list(profiles.limit(11).stream())
    messages = alice.collection("rooms/r1/messages")
    assert "m1" in [s.id for s in messages.stream()]


def test_query_must_constrain_owner_including_or_branches(seeded, alice):
    from google.cloud.firestore_v1.base_query import And, FieldFilter, Or

    seeded.document("notes/n1").set({"owner": "alice", "n": 2})
    seeded.document("notes/n2").set({"owner": "bob", "n": 5})
    seeded.document("users/alice/notes/n3").set({"owner": "alice", "n": -1})
    notes = alice.collection("notes")
    mine = FieldFilter("owner", "==", "alice")
    assert [s.id for s in notes.where(filter=mine).stream()] == ["n1"]
    with pytest.raises(exceptions.PermissionDenied):
        list(notes.stream())
    with pytest.raises(exceptions.PermissionDenied):
        list(notes.where(filter=Or([mine, FieldFilter("owner", "==", "bob")])).stream())
    both_mine = Or([And([mine, FieldFilter("n", ">", 1)]), And([mine, FieldFilter("n", "<", 0)])])
    assert [s.id for s in notes.where(filter=both_mine).stream()] == ["n1"]
    group = alice.collection_group("notes").where(filter=mine)
    assert sorted(s.id for s in group.stream()) == ["n1", "n3"]
    with pytest.raises(exceptions.PermissionDenied):
        list(alice.collection_group("notes").stream())


def test_batch_is_all_or_nothing_under_rules(seeded, alice):
    batch = alice.batch()
    batch.set(alice.document("profiles/alice"), {"name": "Alice 2"})
    batch.set(alice.document("profiles/bob"), {"name": "hijacked"})
    with pytest.raises(exceptions.PermissionDenied):
        batch.commit()
    assert seeded.document("profiles/alice").get().get("name") == "Alice"


def test_transaction_under_rules(seeded, alice):
    ref = alice.document("profiles/alice")

    @firestore.transactional
    def rename(transaction):
        name = ref.get(transaction=transaction).get("name")
        transaction.update(ref, {"name": name + "!"})

    rename(alice.transaction())
    assert seeded.document("profiles/alice").get().get("name") == "Alice!"


def _open_listen(client):
    """A raw Listen stream: (request queue, response queue, call)."""
    requests: queue.Queue = queue.Queue()
    responses: queue.Queue = queue.Queue()
    stream = client._firestore_api._transport.listen(iter(requests.get, None))

    def pump() -> None:
        try:
            for response in stream:
                responses.put(firestore_types.ListenResponse.pb(response))
        except grpc.RpcError:  # cancelled at the end of the test
            pass

    threading.Thread(target=pump, daemon=True).start()
    return requests, responses, stream


def test_listener_loses_access_when_membership_is_removed(seeded, alice, db):
    requests, responses, stream = _open_listen(alice)
    requests.put(
        firestore_types.ListenRequest(
            database=db._database_string,
            add_target={
                "target_id": 1,
                "query": {
                    "parent": f"{db._database_string}/documents/rooms/r1",
                    "structured_query": {"from_": [{"collection_id": "messages"}]},
                },
            },
        )
    )
    try:
        kinds = []
        while not kinds or kinds[-1] != "NO_CHANGE":
            response = responses.get(timeout=10)
            if response.WhichOneof("response_type") == "target_change":
                kinds.append(
                    firestore_types.TargetChange.TargetChangeType(
                        response.target_change.target_change_type
                    ).name
                )
        assert kinds == ["ADD", "CURRENT", "NO_CHANGE"]
        db.document("rooms/r1/members/alice").delete()  # the rule's exists() now fails
        removed = responses.get(timeout=10)
        assert removed.target_change.target_change_type == 2  # REMOVE
        assert removed.target_change.cause.code == 7  # PERMISSION_DENIED
        db.document("rooms/r1/messages/late").set({"text": "not for alice", "author": "x"})
        with pytest.raises(queue.Empty):
            responses.get(timeout=0.3)
    finally:
        stream.cancel()
        requests.put(None)
        db.document("rooms/r1/members/alice").set({"role": "owner"})


def test_listener_on_denied_query_is_removed_with_permission_denied(seeded, bob, db):
    requests, responses, stream = _open_listen(bob)
    requests.put(
        firestore_types.ListenRequest(
            database=db._database_string,
            add_target={
                "target_id": 1,
                "query": {
                    "parent": f"{db._database_string}/documents/rooms/r1",
                    "structured_query": {"from_": [{"collection_id": "messages"}]},
                },
            },
        )
    )
    try:
        first = responses.get(timeout=10)
        second = responses.get(timeout=10)
        assert first.target_change.target_change_type == 1  # ADD
        assert second.target_change.target_change_type == 2  # REMOVE
        assert second.target_change.cause.code == 7  # PERMISSION_DENIED
    finally:
        stream.cancel()
        requests.put(None)


def test_invalid_token_is_unauthenticated(seeded, emulator_host):
    client = user_client(emulator_host, "x")
    client._firestore_api_internal._transport._grpc_channel._interceptor.creds.token = "garbage"
    with pytest.raises(exceptions.Unauthenticated):
        client.document("profiles/alice").get()


def test_rules_reload_when_the_file_changes(seeded, alice, rules_file):
    original = rules_file.read_text()
    opened = original.replace(
        "allow list: if request.auth != null && request.query.limit <= 10;",
        "allow list: if request.auth != null;",
    )
    assert opened != original
    try:
        rules_file.write_text(opened)
        stamp = time.time() + 2
        os.utime(rules_file, (stamp, stamp))
        deadline = time.monotonic() + 5
        while True:
            try:
                assert len(list(alice.collection("profiles").stream())) == 2
                break
            except exceptions.PermissionDenied:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        rules_file.write_text(original)
        stamp = time.time() + 4
        os.utime(rules_file, (stamp, stamp))


def test_listeners_are_rechecked_when_the_rules_file_changes(seeded, alice, db, rules_file):
    requests, responses, stream = _open_listen(alice)
    query = {
        "parent": f"{db._database_string}/documents",
        "structured_query": {"from_": [{"collection_id": "profiles"}], "limit": 10},
    }
    requests.put(
        firestore_types.ListenRequest(
            database=db._database_string, add_target={"target_id": 4, "query": query}
        )
    )
    original = rules_file.read_text()
    try:
        while True:
            response = responses.get(timeout=10)
            if response.target_change.target_change_type == 0 and not response.HasField(
                "document_change"
            ):
                break  # NO_CHANGE: the first snapshot is complete
        closed = original.replace(
            "allow list: if request.auth != null && request.query.limit <= 10;",
            "allow list: if false;",
        )
        assert closed != original
        rules_file.write_text(closed)
        stamp = time.time() + 6
        os.utime(rules_file, (stamp, stamp))
        time.sleep(0.3)  # the rules file is checked at most every 0.2 s
        db.document("open/poke").set({"at": firestore.SERVER_TIMESTAMP})  # any commit
        removed = responses.get(timeout=10)
        assert removed.target_change.target_change_type == 2  # REMOVE
        assert removed.target_change.cause.code == 7
    finally:
        stream.cancel()
        requests.put(None)
        rules_file.write_text(original)
        stamp = time.time() + 8
        os.utime(rules_file, (stamp, stamp))
        time.sleep(0.3)
