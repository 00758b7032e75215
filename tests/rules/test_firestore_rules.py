"""Who may do what under FlowChat's firestore.rules: an allow/deny matrix for every
collection and method, decided by our rules engine used as a library.

The state is a room r1 with alice (owner), bob (admin) and carol (member); dave is not a
member (or was removed: the mirror deleted his document); a direct room d1 between alice
and erin that a block has closed (canPost false); an archived room r2 where alice is a member.
Carol logged out once (revocations/carol) and signed in again since; a token of her earlier
sign-in (auth_time before the revocation) may no longer write.

Every client-writable field has a row at its bound (allowed) and past it or of the wrong
type (denied); every document only the functions write has rows denying client writes.
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
LOGGED_OUT_AT = int((NOW - dt.timedelta(minutes=30)).timestamp())
SIGNED_IN_AT = int((NOW - dt.timedelta(minutes=10)).timestamp())  # every token's auth_time
BEFORE_LOGOUT = LOGGED_OUT_AT - 3600


def _member(role: str, can_post: bool = True) -> dict[str, Any]:
    return {"role": role, "notify": "all", "joinedAt": EARLIER, "canPost": can_post}


MESSAGE = {"senderId": "carol", "text": "hello", "createdAt": EARLIER}
PREVIEW = {
    "url": "https://example.com",
    "title": "Example",
    "description": "An example page",
    "siteName": "example.com",
    "imageUrl": "https://res.cloudinary.com/demo/image/fetch/https://example.com/a.png",
}
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
    "users/carol/rooms/r1": {"kind": "group", "role": "member", "seq": 40, "readSeq": 30},
    "rooms/r1/typing/carol": {"typing": True, "expiresAt": EARLIER},
    "revocations/carol": {"revokedAt": LOGGED_OUT_AT},
    "rooms/r1/messages/499-reactors": {
        **MESSAGE,
        "reactions": {f"someone{i}": ["👍"] for i in range(499)},
    },
    "rooms/r1/messages/500-reactors": {
        **MESSAGE,
        "reactions": {f"someone{i}": ["👍"] for i in range(500)},
    },
    "quarantine/r1_m1": MESSAGE,
    "roomActivity/r1": {"lastMessage": {"id": "m1", "preview": "hi"}, "messageSeq": 1},
    "rooms/r1/messages/with-preview": {
        **MESSAGE,
        "text": "see https://example.com",
        "preview": PREVIEW,
    },
    "rooms/r1/pins/m1": {"messageId": "m1", "senderId": "carol", "pinnedBy": "alice"},
}


def _doc(path: str) -> Document | None:
    relative = path.removeprefix(DB + "/")
    return Document(path, STATE[relative]) if relative in STATE else None


def token(uid: str, auth_time: int = SIGNED_IN_AT) -> dict[str, Any]:
    return {"uid": uid, "sub": uid, "auth_time": auth_time, "iat": auth_time}


def decide(
    method: str,
    path: str,
    uid: str | None,
    data: dict[str, Any] | None = None,
    query: ListQuery | None = None,
    auth_time: int = SIGNED_IN_AT,
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
        auth=None if uid is None else {"uid": uid, "token": token(uid, auth_time)},
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
    ("nobody lists the profiles", "list", "users", "dave", None, False),
    ("public profile not to the signed out", "get", "users/carol", None, None, False),
    ("nobody writes a profile", "update", "users/carol", "carol", {"displayName": "x"}, False),
    ("own room list", "list", "users/carol/rooms", "carol", None, True),
    ("another's room list", "list", "users/carol/rooms", "alice", None, False),
    ("own room-list row", "get", "users/carol/rooms/r1", "carol", None, True),
    ("read forward", "update", "users/carol/rooms/r1", "carol", {"readSeq": 35}, True),
    ("read up to the sequence", "update", "users/carol/rooms/r1", "carol", {"readSeq": 40}, True),
    ("read past the sequence", "update", "users/carol/rooms/r1", "carol", {"readSeq": 41}, False),
    ("read position backwards", "update", "users/carol/rooms/r1", "carol", {"readSeq": 29}, False),
    (
        "read position not a number",
        "update",
        "users/carol/rooms/r1",
        "carol",
        {"readSeq": "40"},
        False,
    ),
    (
        "read position as a float",
        "update",
        "users/carol/rooms/r1",
        "carol",
        {"readSeq": 35.5},
        False,
    ),
    ("another's read position", "update", "users/carol/rooms/r1", "alice", {"readSeq": 35}, False),
    (
        "own row's other fields",
        "update",
        "users/carol/rooms/r1",
        "carol",
        {"readSeq": 35, "seq": 99},
        False,
    ),
    ("own row's sequence", "update", "users/carol/rooms/r1", "carol", {"seq": 99}, False),
    ("create a row", "create", "users/carol/rooms/r9", "carol", {"readSeq": 0}, False),
    ("delete own row", "delete", "users/carol/rooms/r1", "carol", None, False),
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


UID = "0b6f3a52-58a3-4c11-9a3e-6f1e2d9c8b7a"  # FlowChat uids are UUIDs
READ_MARKER = {"lastReadAt": NOW, "lastReadMessageId": "m1", "shareReceipts": True}
TYPING = {"typing": True, "expiresAt": NOW + dt.timedelta(seconds=10)}


def post(**changes: Any) -> tuple[str, str, str, dict[str, Any]]:
    return ("create", "rooms/r1/messages/new", "carol", new_message(**changes))


def react(entry: Any) -> tuple[str, str, str, dict[str, Any]]:
    return ("update", "rooms/r1/messages/m1", "carol", {"reactions": {"carol": entry}})


def marker(**changes: Any) -> tuple[str, str, str, dict[str, Any]]:
    return ("create", "rooms/r1/reads/carol", "carol", {**READ_MARKER, **changes})


def typing(**changes: Any) -> tuple[str, str, str, dict[str, Any]]:
    return ("create", "rooms/r1/typing/carol", "carol", {**TYPING, **changes})


# Every field a client writes: a value at its bound (allowed), one past it or of the wrong
# type (denied). (description, (method, path, uid, data), allowed)
FIELD_BOUNDS = [
    ("message.replyTo of 64", post(replyTo="m" * 64), True),
    ("message.replyTo of 65", post(replyTo="m" * 65), False),
    ("message.replyTo empty", post(replyTo=""), False),
    ("message.replyTo not a string", post(replyTo=7), False),
    ("message.clientId of 64", post(clientId="c" * 64), True),
    ("message.clientId of 65", post(clientId="c" * 65), False),
    ("message.clientId not a string", post(clientId=["c"]), False),
    ("message.mentions of 50 uids", post(mentions=[UID] * 50), True),
    ("message.mentions of 51 uids", post(mentions=[UID] * 51), False),
    ("message.mentions empty", post(mentions=[]), True),
    ("message.mentions item of 128", post(mentions=["u" * 128]), True),
    ("message.mentions item of 129", post(mentions=["u" * 129]), False),
    ("message.mentions item of 10,000", post(mentions=["u" * 10_000]), False),
    ("message.mentions item empty", post(mentions=[UID, ""]), False),
    ("message.mentions item a number", post(mentions=[UID, 5]), False),
    ("message.mentions item a map", post(mentions=[{"uid": UID}]), False),
    ("message.mentions item with a space", post(mentions=["a b"]), False),
    ("message.mentions item hiding many", post(mentions=[",".join([UID] * 1000)]), False),
    ("message.mentions item hiding two", post(mentions=[f"{UID},{UID}"]), False),
    ("message.mentions not a list", post(mentions=UID), False),
    (
        "attachment.publicId of 128",
        post(attachments=[attachment(publicId="rooms/r1/" + "a" * 128)]),
        True,
    ),
    (
        "attachment.publicId of 129",
        post(attachments=[attachment(publicId="rooms/r1/" + "a" * 129)]),
        False,
    ),
    (
        "attachment.publicId extension of 11",
        post(attachments=[attachment(publicId="rooms/r1/a." + "b" * 11)]),
        False,
    ),
    ("attachment.kind unknown", post(attachments=[attachment(kind="video")]), False),
    ("attachment.name of 255", post(attachments=[attachment(name="n" * 255)]), True),
    ("attachment.name of 256", post(attachments=[attachment(name="n" * 256)]), False),
    ("attachment.name empty", post(attachments=[attachment(name="")]), False),
    ("attachment.bytes of 10 MiB", post(attachments=[attachment(bytes=10 * 1024 * 1024)]), True),
    (
        "attachment.bytes over 10 MiB",
        post(attachments=[attachment(bytes=10 * 1024 * 1024 + 1)]),
        False,
    ),
    ("attachment.bytes negative", post(attachments=[attachment(bytes=-1)]), False),
    ("attachment.bytes a float", post(attachments=[attachment(bytes=1.5)]), False),
    ("attachment.contentType of 127", post(attachments=[attachment(contentType="t" * 127)]), True),
    ("attachment.contentType of 128", post(attachments=[attachment(contentType="t" * 128)]), False),
    ("attachment.contentType not a string", post(attachments=[attachment(contentType=1)]), False),
    ("attachment.width and height", post(attachments=[attachment(width=100000, height=0)]), True),
    ("attachment.width too big", post(attachments=[attachment(width=100001)]), False),
    ("attachment.height negative", post(attachments=[attachment(height=-1)]), False),
    ("attachment.height not an int", post(attachments=[attachment(height="9")]), False),
    ("attachment not a map", post(attachments=["rooms/r1/abc"]), False),
    ("attachments not a list", post(attachments=attachment()), False),
    (
        "message.senderId missing",
        ("create", "rooms/r1/messages/new", "carol", {"text": "x", "createdAt": NOW}),
        False,
    ),
    (
        "edit text of 4000",
        ("update", "rooms/r1/messages/m1", "carol", {"text": "e" * 4000, "editedAt": NOW}),
        True,
    ),
    (
        "edit text of 4001",
        ("update", "rooms/r1/messages/m1", "carol", {"text": "e" * 4001, "editedAt": NOW}),
        False,
    ),
    (
        "edit to empty text",
        ("update", "rooms/r1/messages/m1", "carol", {"text": "", "editedAt": NOW}),
        False,
    ),
    (
        "edit editedAt not now",
        ("update", "rooms/r1/messages/m1", "carol", {"text": "e", "editedAt": EARLIER}),
        False,
    ),
    (
        "soft delete deletedBy someone else",
        (
            "update",
            "rooms/r1/messages/m1",
            "carol",
            {"deleted": True, "deletedAt": NOW, "deletedBy": "bob", "text": ""},
        ),
        False,
    ),
    (
        "soft delete keeping attachments",
        (
            "update",
            "rooms/r1/messages/m1",
            "carol",
            {
                "deleted": True,
                "deletedAt": NOW,
                "deletedBy": "carol",
                "text": "",
                "attachments": [attachment()],
            },
        ),
        False,
    ),
    (
        "soft delete deletedAt not now",
        (
            "update",
            "rooms/r1/messages/m1",
            "carol",
            {"deleted": True, "deletedAt": EARLIER, "deletedBy": "carol", "text": ""},
        ),
        False,
    ),
    (
        "soft delete with deleted not true",
        (
            "update",
            "rooms/r1/messages/m1",
            "carol",
            {"deleted": "yes", "deletedAt": NOW, "deletedBy": "carol", "text": ""},
        ),
        False,
    ),
    (
        "reaction together with a text change",
        ("update", "rooms/r1/messages/m1", "carol", {"reactions": {"carol": ["👍"]}, "text": "x"}),
        False,
    ),
    (
        "the 500th person to react",
        (
            "update",
            "rooms/r1/messages/499-reactors",
            "carol",
            {
                "reactions": {
                    **STATE["rooms/r1/messages/499-reactors"]["reactions"],
                    "carol": ["👍"],
                }
            },
        ),
        True,
    ),
    (
        "the 501st person to react",
        (
            "update",
            "rooms/r1/messages/500-reactors",
            "carol",
            {
                "reactions": {
                    **STATE["rooms/r1/messages/500-reactors"]["reactions"],
                    "carol": ["👍"],
                }
            },
        ),
        False,
    ),
    ("reaction of 20 distinct emoji", react([chr(0x1F600 + i) for i in range(20)]), True),
    ("reaction of 21 emoji", react([chr(0x1F600 + i) for i in range(21)]), False),
    ("reaction list empty", react([]), False),
    ("reaction repeated emoji", react(["👍", "👍"]), False),
    ("reaction emoji of 16 code points", react(["👍" * 16]), True),
    ("reaction emoji of 17 code points", react(["👍" * 17]), False),
    ("reaction emoji of 100,000 characters", react(["x" * 100_000]), False),
    ("reaction emoji empty", react([""]), False),
    ("reaction emoji hiding many", react([",".join(["x"] * 50_000)]), False),
    ("reaction emoji hiding two", react(["👍,👎"]), False),
    ("reaction emoji with a space", react(["👍 👎"]), True),
    ("reaction emoji a number", react([1]), False),
    ("reaction emoji a map", react([{"e": "👍"}]), False),
    ("reaction entry a string", react("👍"), False),
    (
        "reaction entry removed",
        ("update", "rooms/r1/messages/m1", "carol", {"reactions": {}}),
        True,
    ),
    (
        "reactions not a map",
        ("update", "rooms/r1/messages/m1", "carol", {"reactions": ["👍"]}),
        False,
    ),
    ("typing.typing false", typing(typing=False), True),
    ("typing.typing not a bool", typing(typing="yes"), False),
    ("typing.expiresAt in 15 s", typing(expiresAt=NOW + dt.timedelta(seconds=15)), True),
    ("typing.expiresAt in 16 s", typing(expiresAt=NOW + dt.timedelta(seconds=16)), False),
    ("typing.expiresAt not a timestamp", typing(expiresAt=1), False),
    ("typing extra field", typing(note="hi"), False),
    ("typing for a non-member", ("create", "rooms/r1/typing/dave", "dave", TYPING), False),
    ("read marker id of 128", marker(lastReadMessageId="m" * 128), True),
    ("read marker id of 129", marker(lastReadMessageId="m" * 129), False),
    ("read marker id empty", marker(lastReadMessageId=""), False),
    ("read marker id not a string", marker(lastReadMessageId=12), False),
    ("read marker lastReadAt not a timestamp", marker(lastReadAt="today"), False),
    ("read marker shareReceipts not a bool", marker(shareReceipts="yes"), False),
    (
        "read marker missing shareReceipts",
        ("create", "rooms/r1/reads/carol", "carol", {"lastReadAt": NOW, "lastReadMessageId": "m1"}),
        False,
    ),
    ("read marker extra field", marker(note="x"), False),
    (
        "notification read false",
        ("update", "users/carol/notifications/n1", "carol", {"read": False}),
        False,
    ),
    (
        "notification read not a bool",
        ("update", "users/carol/notifications/n1", "carol", {"read": "yes"}),
        False,
    ),
]

# Documents only the functions write: no client creates, changes or deletes them, not even
# the person they are about, and the closed collections are not readable.
FUNCTION_OWNED = [
    ("rooms/r1", "alice", {"kind": "group", "name": "Mine", "archived": False}),
    ("rooms/r1/members/carol", "carol", _member("owner")),
    ("users/carol", "carol", {"username": "carol", "displayName": "Carol"}),
    ("users/carol/rooms/r1", "carol", {"kind": "group", "role": "owner"}),
    ("quarantine/r1_m1", "carol", MESSAGE),
    ("roomActivity/r1", "alice", {"lastMessage": {"id": "m1", "preview": "hi"}, "messageSeq": 1}),
    ("revocations/carol", "carol", {"revokedAt": 0}),
]
FUNCTION_OWNED_ROWS = [
    (f"client {method}s {path}", (method, path, uid, data if method != "delete" else None), False)
    for path, uid, data in FUNCTION_OWNED
    for method in ("create", "update", "delete")
] + [
    (
        "nobody creates a notification",
        ("create", "users/carol/notifications/n2", "carol", {"type": "mention", "read": False}),
        False,
    ),
    (
        "nobody creates a room",
        ("create", "rooms/r9", "alice", {"kind": "group", "archived": False}),
        False,
    ),
    (
        "nobody deletes a read marker of another",
        ("delete", "rooms/r1/reads/bob", "carol", None),
        False,
    ),
    ("revocations are not readable", ("get", "revocations/carol", "carol", None), False),
    ("quarantine is not readable", ("get", "quarantine/r1_m1", "carol", None), False),
    (
        "a room's activity is not readable, even by a member",
        ("get", "roomActivity/r1", "alice", None),
        False,
    ),
]

# Every client write by carol: allowed for her current sign-in, denied for a token of the
# sign-in her logout revoked. (description, (method, path, uid, data))
CLIENT_WRITES = [
    ("post a message", post()),
    ("edit a message", ("update", "rooms/r1/messages/m1", "carol", {"text": "e", "editedAt": NOW})),
    (
        "soft-delete a message",
        (
            "update",
            "rooms/r1/messages/m1",
            "carol",
            {"deleted": True, "deletedAt": NOW, "deletedBy": "carol", "text": ""},
        ),
    ),
    ("react", react(["👍"])),
    ("set typing", typing()),
    ("write a read marker", marker()),
    (
        "mark a notification read",
        ("update", "users/carol/notifications/n1", "carol", {"read": True}),
    ),
    ("delete a notification", ("delete", "users/carol/notifications/n1", "carol", None)),
]


@pytest.mark.parametrize(
    ("method", "path", "uid", "data", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in MATRIX]
    + [pytest.param(*write, allowed, id=name) for name, write, allowed in FIELD_BOUNDS]
    + [pytest.param(*write, allowed, id=name) for name, write, allowed in FUNCTION_OWNED_ROWS],
)
def test_matrix(method, path, uid, data, expected):
    assert decide(method, path, uid, data) is expected


@pytest.mark.parametrize(
    ("method", "path", "uid", "data"), [pytest.param(*w, id=n) for n, w in CLIENT_WRITES]
)
def test_a_sign_in_ended_by_logout_can_no_longer_write(method, path, uid, data):
    assert decide(method, path, uid, data, auth_time=SIGNED_IN_AT) is True
    assert decide(method, path, uid, data, auth_time=LOGGED_OUT_AT) is True  # same second
    assert decide(method, path, uid, data, auth_time=BEFORE_LOGOUT) is False


def test_a_sign_in_ended_by_logout_still_reads():
    # Revocation is checked on writes only (docs/security.md): a read costs no extra get().
    assert decide("get", "rooms/r1/messages/m1", "carol", auth_time=BEFORE_LOGOUT) is True


def test_receipts_of_others_are_listed_only_when_asked_for_shared_ones():
    shared = ListQuery(filters=[("shareReceipts", "==", True)])
    assert decide("list", "rooms/r1/reads", "alice", query=shared) is True
    # As the web client asks: shared markers other than one's own.
    others = ListQuery(
        filters=[("shareReceipts", "==", True), ("__name__", "!=", f"{DB}/rooms/r1/reads/alice")]
    )
    assert decide("list", "rooms/r1/reads", "alice", query=others) is True
    assert decide("list", "rooms/r1/reads", "alice", query=ListQuery()) is False


@pytest.mark.parametrize("sender", ["carol", "bob"])  # logged out once / never
def test_a_message_write_stays_within_the_document_access_budget(sender):
    access = DocumentAccess(before=_doc)
    decision = RULES.evaluate(
        method="create",
        path=f"{DB}/rooms/r1/messages/new",
        auth={"uid": sender, "token": token(sender)},
        request_resource=Document(f"{DB}/rooms/r1/messages/new", new_message(sender)),
        time=NOW,
        access=access,
    )
    assert decision.allowed
    # The member document, the room summary and the revocation time: three billed reads
    # per message (docs/security.md), whether or not the person ever logged out.
    assert sorted(access.accessed) == [
        f"{DB}/revocations/{sender}",
        f"{DB}/rooms/r1",
        f"{DB}/rooms/r1/members/{sender}",
    ]


def decide_replacing(path: str, uid: str, after: dict[str, Any]) -> bool:
    """An update whose result is ``after`` exactly (so that it can delete fields)."""
    full = f"{DB}/{path}"
    return RULES.evaluate(
        method="update",
        path=full,
        auth={"uid": uid, "token": token(uid)},
        resource=_doc(full),
        request_resource=Document(full, after),
        time=NOW,
        access=DocumentAccess(before=_doc),
    ).allowed


WITH_PREVIEW = STATE["rooms/r1/messages/with-preview"]
WITHOUT_PREVIEW = {k: v for k, v in WITH_PREVIEW.items() if k != "preview"}
FORGED = {**PREVIEW, "title": "Click here", "imageUrl": "https://evil.example/x.png"}


@pytest.mark.parametrize(
    ("path", "uid", "after", "expected"),
    [
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {**WITHOUT_PREVIEW, "previewHidden": True},
            True,
            id="sender removes the preview",
        ),
        pytest.param(
            "rooms/r1/messages/m1",
            "carol",
            {**MESSAGE, "previewHidden": True},
            True,
            id="sender hides a preview before it lands",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            WITHOUT_PREVIEW,
            False,
            id="removal without previewHidden (it would come back)",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {**WITH_PREVIEW, "previewHidden": True},
            False,
            id="previewHidden while keeping the preview",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "alice",
            {**WITHOUT_PREVIEW, "previewHidden": True},
            False,
            id="another member removes the preview",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {**WITH_PREVIEW, "preview": FORGED},
            False,
            id="sender alters the preview",
        ),
        pytest.param(
            "rooms/r1/messages/m1",
            "carol",
            {**MESSAGE, "preview": FORGED},
            False,
            id="sender forges a preview",
        ),
        pytest.param(
            "rooms/r1/messages/m1",
            "alice",
            {**MESSAGE, "preview": FORGED},
            False,
            id="a member forges a preview on another's message",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {**WITH_PREVIEW, "text": "edited", "editedAt": NOW, "preview": FORGED},
            False,
            id="an edit that alters the preview",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {
                **WITHOUT_PREVIEW,
                "deleted": True,
                "deletedAt": NOW,
                "deletedBy": "carol",
                "text": "",
            },
            True,
            id="soft delete takes the preview with it",
        ),
        pytest.param(
            "rooms/r1/messages/with-preview",
            "carol",
            {**WITH_PREVIEW, "deleted": True, "deletedAt": NOW, "deletedBy": "carol", "text": ""},
            False,
            id="soft delete that keeps the preview",
        ),
    ],
)
def test_only_functions_write_a_preview_and_its_sender_removes_it(path, uid, after, expected):
    assert decide_replacing(path, uid, after) is expected


def test_a_new_message_cannot_carry_a_preview():
    assert decide("create", "rooms/r1/messages/new", "carol", new_message()) is True
    forged = new_message(preview=PREVIEW)
    assert decide("create", "rooms/r1/messages/new", "carol", forged) is False
    assert decide("create", "rooms/r1/messages/new", "carol", new_message(previewHidden=True)) is (
        False
    )


@pytest.mark.parametrize(
    ("method", "uid", "data", "expected"),
    [
        ("get", "carol", None, True),
        ("list", "carol", None, True),
        ("get", "dave", None, False),
        ("list", "dave", None, False),
        ("create", "alice", {"messageId": "by-alice", "pinnedBy": "alice"}, False),
        ("update", "alice", {"pinnedBy": "bob"}, False),
        ("delete", "alice", None, False),
    ],
)
def test_pins_are_read_by_members_and_written_by_functions_only(method, uid, data, expected):
    path = "rooms/r1/pins" if method == "list" else "rooms/r1/pins/m1"
    if method == "create":
        path = "rooms/r1/pins/by-alice"
    assert decide(method, path, uid, data) is expected
