"""A chat ruleset of the kind FlowChat needs, decided end to end: membership through a
mirror checked with exists(), author-only edits validated with MapDiff, server
timestamps, per-user typing and receipts, and notification queries that must carry
their own constraint."""

from __future__ import annotations

import datetime as dt

import pytest

from emulators.firestore.rules import Document, DocumentAccess, ListQuery, Ruleset

DB = "/databases/(default)/documents"
NOW = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)

CHAT_RULES = Ruleset.parse(
    """
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function signedIn() { return request.auth != null; }
    function memberPath(roomId) {
      return /databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid);
    }
    function isMember(roomId) { return signedIn() && exists(memberPath(roomId)); }
    function isAdmin(roomId) {
      return isMember(roomId) && get(memberPath(roomId)).data.role == 'admin';
    }

    match /rooms/{roomId} {
      allow get: if isMember(roomId);

      match /members/{uid} {
        allow read: if isMember(roomId);
        allow write: if false;  // the mirror is written by functions only
      }

      match /messages/{messageId} {
        allow read: if isMember(roomId);
        allow create: if isMember(roomId)
          && request.resource.data.keys().hasOnly(['text', 'author', 'createdAt'])
          && request.resource.data.author == request.auth.uid
          && request.resource.data.text is string
          && request.resource.data.text.size() > 0
          && request.resource.data.text.size() <= 4000
          && request.resource.data.createdAt == request.time;
        allow update: if isMember(roomId)
          && resource.data.author == request.auth.uid
          && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['text', 'editedAt'])
          && request.resource.data.editedAt == request.time
          && request.time < resource.data.createdAt + duration.value(15, 'm');
        allow delete: if resource.data.author == request.auth.uid || isAdmin(roomId);
      }

      match /typing/{uid} {
        allow read: if isMember(roomId);
        allow write: if isMember(roomId) && request.auth.uid == uid;
      }
    }

    match /{path=**}/notifications/{notificationId} {
      allow list: if signedIn() && resource.data.recipient == request.auth.uid
                  && request.query.limit <= 50;
    }
  }
}
"""
)

MEMBERS = {
    DB + "/rooms/r1/members/alice": {"role": "admin"},
    DB + "/rooms/r1/members/bob": {"role": "member"},
}


def access() -> DocumentAccess:
    return DocumentAccess(before=lambda p: Document(p, MEMBERS[p]) if p in MEMBERS else None)


def decide(method: str, path: str, uid: str | None, **kwargs) -> bool:
    kwargs.setdefault("time", NOW)
    kwargs.setdefault("access", access())
    auth = {"uid": uid, "token": {"firebase": {"sign_in_provider": "custom"}}} if uid else None
    return CHAT_RULES.evaluate(method=method, path=DB + path, auth=auth, **kwargs).allowed


def message(data: dict) -> Document:
    return Document(DB + "/rooms/r1/messages/m1", data)


def good_message(author: str = "bob") -> dict:
    return {"text": "hello", "author": author, "createdAt": NOW}


def test_members_read_the_room_and_outsiders_do_not():
    assert decide("get", "/rooms/r1", "bob")
    assert not decide("get", "/rooms/r1", "carol")
    assert not decide("get", "/rooms/r1", None)


def test_members_list_messages():
    assert decide("list", "/rooms/r1/messages", "bob", query=ListQuery(limit=50))
    assert not decide("list", "/rooms/r1/messages", "carol", query=ListQuery(limit=50))


def test_membership_mirror_is_read_only_for_clients():
    doc = Document(DB + "/rooms/r1/members/carol", {"role": "admin"})
    assert not decide("create", "/rooms/r1/members/carol", "alice", request_resource=doc)


def test_create_message_requires_author_and_server_time():
    assert decide(
        "create", "/rooms/r1/messages/m1", "bob", request_resource=message(good_message())
    )
    forged = good_message(author="alice")
    assert not decide("create", "/rooms/r1/messages/m1", "bob", request_resource=message(forged))
    stale = {**good_message(), "createdAt": NOW - dt.timedelta(minutes=1)}
    assert not decide("create", "/rooms/r1/messages/m1", "bob", request_resource=message(stale))


@pytest.mark.parametrize(
    "change",
    [
        {"text": ""},
        {"text": "x" * 4001},
        {"text": 42},
        {"pinned": True},
    ],
)
def test_create_message_validates_fields(change):
    data = {**good_message(), **change}
    assert not decide("create", "/rooms/r1/messages/m1", "bob", request_resource=message(data))


def test_non_members_cannot_post():
    data = good_message(author="carol")
    assert not decide("create", "/rooms/r1/messages/m1", "carol", request_resource=message(data))


def test_author_edits_text_within_fifteen_minutes():
    before = message(good_message())
    after = message({**good_message(), "text": "edited", "editedAt": NOW + dt.timedelta(minutes=5)})
    later = NOW + dt.timedelta(minutes=5)
    assert decide(
        "update",
        "/rooms/r1/messages/m1",
        "bob",
        resource=before,
        request_resource=after,
        time=later,
    )
    too_late = NOW + dt.timedelta(minutes=20)
    after_late = message({**good_message(), "text": "edited", "editedAt": too_late})
    assert not decide(
        "update",
        "/rooms/r1/messages/m1",
        "bob",
        resource=before,
        request_resource=after_late,
        time=too_late,
    )


def test_others_cannot_edit_and_authors_cannot_rewrite_history():
    before = message(good_message())
    later = NOW + dt.timedelta(minutes=1)
    edited = message({**good_message(), "text": "mine now", "editedAt": later})
    assert not decide(
        "update",
        "/rooms/r1/messages/m1",
        "alice",
        resource=before,
        request_resource=edited,
        time=later,
    )
    moved = message({**good_message(), "author": "alice", "editedAt": later})
    assert not decide(
        "update",
        "/rooms/r1/messages/m1",
        "bob",
        resource=before,
        request_resource=moved,
        time=later,
    )


def test_delete_by_author_or_room_admin():
    doc = message(good_message(author="bob"))
    assert decide("delete", "/rooms/r1/messages/m1", "bob", resource=doc)
    assert decide("delete", "/rooms/r1/messages/m1", "alice", resource=doc)
    alices = message(good_message(author="alice"))
    assert not decide("delete", "/rooms/r1/messages/m1", "bob", resource=alices)


def test_typing_is_per_user():
    doc = Document(DB + "/rooms/r1/typing/bob", {"at": NOW})
    assert decide("create", "/rooms/r1/typing/bob", "bob", request_resource=doc)
    assert not decide("create", "/rooms/r1/typing/bob", "alice", request_resource=doc)
    assert decide("list", "/rooms/r1/typing", "alice")


def test_notification_queries_must_name_their_recipient():
    mine = ListQuery(filters=[("recipient", "==", "bob")], limit=20)
    assert decide("list", "", "bob", query=mine, collection_group="notifications")
    assert decide("list", "/users/bob", "bob", query=mine, collection_group="notifications")
    theirs = ListQuery(filters=[("recipient", "==", "alice")], limit=20)
    assert not decide("list", "", "bob", query=theirs, collection_group="notifications")
    unbounded = ListQuery(filters=[("recipient", "==", "bob")])
    assert not decide("list", "", "bob", query=unbounded, collection_group="notifications")
    everything = ListQuery(limit=20)
    assert not decide("list", "", "bob", query=everything, collection_group="notifications")


def test_each_check_reads_the_membership_document_once():
    counter = access()
    decide(
        "delete", "/rooms/r1/messages/m1", "alice", resource=message(good_message()), access=counter
    )
    # exists() and get() of the same member document count as one access.
    assert counter.accessed == [DB + "/rooms/r1/members/alice"]
