"""Who may do what under FlowChat's firestore.rules: an allow/deny matrix for every
collection and method, decided by our rules engine used as a library.

The state is a room r1 with alice (owner), bob (admin) and carol (member); dave is not a
member (or was removed: the mirror deleted his document); a direct room d1 between alice
and erin that a block has closed (canPost false); an archived room r2 where alice is a member.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from emulators.firestore.rules import Document, DocumentAccess, ListQuery, Ruleset

ROOT = Path(__file__).resolve().parents[2]
RULES = Ruleset.from_file(ROOT / "firestore.rules")
DB = "/databases/(default)/documents"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(minutes=5)


def _member(role: str, can_post: bool = True) -> dict[str, Any]:
    return {"role": role, "notify": "all", "joinedAt": EARLIER, "canPost": can_post}


MESSAGE = {"senderId": "carol", "text": "hello", "createdAt": EARLIER}
STATE: dict[str, dict[str, Any]] = {
    "rooms/r1": {"kind": "group", "name": "General", "archived": False},
    "rooms/r1/members/alice": _member("owner"),
    "rooms/r1/members/bob": _member("admin"),
    "rooms/r1/members/carol": _member("member"),
    "rooms/r1/messages/m1": MESSAGE,
    "rooms/r1/messages/by-alice": {"senderId": "alice", "text": "mine", "createdAt": EARLIER},
    "rooms/r1/reads/carol": {
        "lastReadAt": EARLIER,
        "lastReadMessageId": "m1",
        "shareReceipts": False,
    },
    "rooms/r1/reads/bob": {"lastReadAt": EARLIER, "lastReadMessageId": "m1", "shareReceipts": True},
    "rooms/d1": {"kind": "direct", "archived": False},
    "rooms/d1/members/alice": _member("member", can_post=False),
    "rooms/d1/members/erin": _member("member", can_post=False),
    "rooms/r2": {"kind": "group", "name": "Old", "archived": True},
    "rooms/r2/members/alice": _member("owner"),
    "users/carol": {"username": "carol", "displayName": "Carol"},
    "users/carol/notifications/n1": {"type": "mention", "read": False},
    "users/carol/rooms/r1": {"kind": "group", "role": "member"},
}


def _doc(path: str) -> Document | None:
    relative = path.removeprefix(DB + "/")
    return Document(path, STATE[relative]) if relative in STATE else None


def decide(
    method: str,
    path: str,
    uid: str | None,
    data: dict[str, Any] | None = None,
    query: ListQuery | None = None,
) -> bool:
    full = f"{DB}/{path}"
    existing = _doc(full)
    after = None
    if method == "create":
        after = Document(full, data or {})
    elif method == "update":
        after = Document(full, {**(existing.data if existing else {}), **(data or {})})
    decision = RULES.evaluate(
        method=method,
        path=full,
        auth=None if uid is None else {"uid": uid, "token": {"uid": uid, "sub": uid}},
        resource=None if method in ("create", "list") else existing,
        request_resource=after,
        time=NOW,
        query=query,
        access=DocumentAccess(before=_doc),
    )
    return decision.allowed


def new_message(sender: str = "carol", **changes: Any) -> dict[str, Any]:
    return {"senderId": sender, "text": "hi there", "createdAt": NOW, **changes}


def attachment(**changes: Any) -> dict[str, Any]:
    return {
        "publicId": "rooms/r1/abc_123",
        "kind": "image",
        "name": "cat.png",
        "bytes": 1234,
        **changes,
    }


MATRIX = [
    # (description, method, path, uid, data, allowed)
    ("member reads the room summary", "get", "rooms/r1", "carol", None, True),
    ("non-member cannot read the summary", "get", "rooms/r1", "dave", None, False),
    ("signed-out cannot read the summary", "get", "rooms/r1", None, None, False),
    ("nobody lists all rooms", "list", "rooms", "alice", None, False),
    ("nobody writes a summary", "update", "rooms/r1", "alice", {"name": "x"}, False),
    ("member reads membership", "get", "rooms/r1/members/alice", "carol", None, True),
    ("non-member cannot read membership", "get", "rooms/r1/members/alice", "dave", None, False),
    (
        "owner cannot write membership directly",
        "create",
        "rooms/r1/members/dave",
        "alice",
        _member("member"),
        False,
    ),
    ("nobody adds themself", "create", "rooms/r1/members/dave", "dave", _member("member"), False),
    ("member reads a message", "get", "rooms/r1/messages/m1", "carol", None, True),
    ("member lists messages", "list", "rooms/r1/messages", "carol", None, True),
    ("removed member cannot read messages", "get", "rooms/r1/messages/m1", "dave", None, False),
    ("removed member cannot list messages", "list", "rooms/r1/messages", "dave", None, False),
    ("signed-out cannot list messages", "list", "rooms/r1/messages", None, None, False),
    ("member posts as themself", "create", "rooms/r1/messages/new", "carol", new_message(), True),
    (
        "member posts a reply with mentions",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(replyTo="m1", mentions=["alice"], clientId="c-1"),
        True,
    ),
    (
        "member posts an image",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(text="", attachments=[attachment()]),
        True,
    ),
    (
        "attachment from another room's folder",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(attachments=[attachment(publicId="rooms/r9/abc")]),
        False,
    ),
    (
        "attachment claiming to be verified",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(attachments=[attachment(verified=True)]),
        False,
    ),
    (
        "attachment with a link of the sender's choosing",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(attachments=[attachment(url="https://evil.example/cat.png")]),
        False,
    ),
    (
        "raw file keeps its extension in the id",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(attachments=[attachment(publicId="rooms/r1/abc_123.pdf", kind="file")]),
        True,
    ),
    (
        "five attachments",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(attachments=[attachment()] * 5),
        False,
    ),
    (
        "forged sender",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(sender="alice"),
        False,
    ),
    (
        "forged extra field",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(verified=True),
        False,
    ),
    (
        "wrong createdAt",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(createdAt=EARLIER),
        False,
    ),
    (
        "empty text and no attachment",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(text=""),
        False,
    ),
    (
        "text of 4000 UTF-16 units",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(text="😀" * 2000),
        True,
    ),
    (
        "text of 4002 UTF-16 units",
        "create",
        "rooms/r1/messages/new",
        "carol",
        new_message(text="😀" * 2001),
        False,
    ),
    ("text not a string", "create", "rooms/r1/messages/new", "carol", new_message(text=42), False),
    (
        "non-member posts",
        "create",
        "rooms/r1/messages/new",
        "dave",
        new_message(sender="dave"),
        False,
    ),
    ("signed-out posts", "create", "rooms/r1/messages/new", None, new_message(), False),
    (
        "blocked direct room refuses posts",
        "create",
        "rooms/d1/messages/new",
        "alice",
        new_message(sender="alice"),
        False,
    ),
    (
        "archived room refuses posts",
        "create",
        "rooms/r2/messages/new",
        "alice",
        new_message(sender="alice"),
        False,
    ),
    (
        "author edits text",
        "update",
        "rooms/r1/messages/m1",
        "carol",
        {"text": "edited", "editedAt": NOW},
        True,
    ),
    (
        "author edit without editedAt",
        "update",
        "rooms/r1/messages/m1",
        "carol",
        {"text": "edited"},
        False,
    ),
    (
        "author cannot change the sender",
        "update",
        "rooms/r1/messages/m1",
        "carol",
        {"senderId": "bob"},
        False,
    ),
    (
        "others cannot edit",
        "update",
        "rooms/r1/messages/m1",
        "alice",
        {"text": "mine now", "editedAt": NOW},
        False,
    ),
    (
        "author soft-deletes",
        "update",
        "rooms/r1/messages/m1",
        "carol",
        {"deleted": True, "deletedAt": NOW, "deletedBy": "carol", "text": ""},
        True,
    ),
    (
        "admin soft-deletes another's message",
        "update",
        "rooms/r1/messages/m1",
        "bob",
        {"deleted": True, "deletedAt": NOW, "deletedBy": "bob", "text": ""},
        True,
    ),
    (
        "member cannot delete another's message",
        "update",
        "rooms/r1/messages/by-alice",
        "carol",
        {"deleted": True, "deletedAt": NOW, "deletedBy": "carol", "text": ""},
        False,
    ),
    (
        "soft delete that keeps the text",
        "update",
        "rooms/r1/messages/m1",
        "carol",
        {"deleted": True, "deletedAt": NOW, "deletedBy": "carol"},
        False,
    ),
    ("nobody hard-deletes", "delete", "rooms/r1/messages/m1", "alice", None, False),
    (
        "member reacts",
        "update",
        "rooms/r1/messages/m1",
        "alice",
        {"reactions": {"alice": ["👍"]}},
        True,
    ),
    (
        "member changes another's reaction",
        "update",
        "rooms/r1/messages/m1",
        "alice",
        {"reactions": {"bob": ["👍"]}},
        False,
    ),
    (
        "non-member reacts",
        "update",
        "rooms/r1/messages/m1",
        "dave",
        {"reactions": {"dave": ["👍"]}},
        False,
    ),
    (
        "member sets own typing",
        "create",
        "rooms/r1/typing/carol",
        "carol",
        {"typing": True, "expiresAt": NOW + dt.timedelta(seconds=10)},
        True,
    ),
    (
        "typing that lasts too long",
        "create",
        "rooms/r1/typing/carol",
        "carol",
        {"typing": True, "expiresAt": NOW + dt.timedelta(minutes=5)},
        False,
    ),
    (
        "typing for someone else",
        "create",
        "rooms/r1/typing/alice",
        "carol",
        {"typing": True, "expiresAt": NOW},
        False,
    ),
    ("member reads typing", "list", "rooms/r1/typing", "carol", None, True),
    ("non-member reads typing", "list", "rooms/r1/typing", "dave", None, False),
    (
        "member writes own read marker",
        "create",
        "rooms/r1/reads/carol",
        "carol",
        {"lastReadAt": NOW, "lastReadMessageId": "m1", "shareReceipts": True},
        True,
    ),
    (
        "read marker in the future",
        "create",
        "rooms/r1/reads/carol",
        "carol",
        {
            "lastReadAt": NOW + dt.timedelta(hours=1),
            "lastReadMessageId": "m1",
            "shareReceipts": True,
        },
        False,
    ),
    (
        "read marker for someone else",
        "create",
        "rooms/r1/reads/alice",
        "carol",
        {"lastReadAt": NOW, "lastReadMessageId": "m1", "shareReceipts": True},
        False,
    ),
    ("own private read marker", "get", "rooms/r1/reads/carol", "carol", None, True),
    ("another's private read marker", "get", "rooms/r1/reads/carol", "alice", None, False),
    ("another's shared read marker", "get", "rooms/r1/reads/bob", "alice", None, True),
    ("public profile to the signed in", "get", "users/carol", "dave", None, True),
    ("public profile not to the signed out", "get", "users/carol", None, None, False),
    ("nobody writes a profile", "update", "users/carol", "carol", {"displayName": "x"}, False),
    ("own room list", "list", "users/carol/rooms", "carol", None, True),
    ("another's room list", "list", "users/carol/rooms", "alice", None, False),
    ("own notifications", "list", "users/carol/notifications", "carol", None, True),
    ("another's notifications", "get", "users/carol/notifications/n1", "alice", None, False),
    (
        "another's notifications as a query",
        "list",
        "users/carol/notifications",
        "alice",
        None,
        False,
    ),
    (
        "mark own notification read",
        "update",
        "users/carol/notifications/n1",
        "carol",
        {"read": True},
        True,
    ),
    (
        "rewrite own notification",
        "update",
        "users/carol/notifications/n1",
        "carol",
        {"type": "direct"},
        False,
    ),
    (
        "forge a notification",
        "create",
        "users/carol/notifications/n2",
        "alice",
        {"type": "mention"},
        False,
    ),
    ("quarantine is closed", "get", "quarantine/r1_m1", "alice", None, False),
]


@pytest.mark.parametrize(
    ("method", "path", "uid", "data", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in MATRIX],
)
def test_matrix(method, path, uid, data, expected):
    assert decide(method, path, uid, data) is expected


def test_receipts_of_others_are_listed_only_when_asked_for_shared_ones():
    shared = ListQuery(filters=[("shareReceipts", "==", True)])
    assert decide("list", "rooms/r1/reads", "alice", query=shared) is True
    assert decide("list", "rooms/r1/reads", "alice", query=ListQuery()) is False


def test_a_message_write_stays_within_the_document_access_budget():
    access = DocumentAccess(before=_doc)
    decision = RULES.evaluate(
        method="create",
        path=f"{DB}/rooms/r1/messages/new",
        auth={"uid": "carol", "token": {"uid": "carol"}},
        request_resource=Document(f"{DB}/rooms/r1/messages/new", new_message()),
        time=NOW,
        access=access,
    )
    assert decision.allowed
    # The member document and the room summary: two billed reads per message.
    assert sorted(access.accessed) == [f"{DB}/rooms/r1", f"{DB}/rooms/r1/members/carol"]
