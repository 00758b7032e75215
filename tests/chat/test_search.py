"""Search through the real callables: messages written through the Firestore SDK reach the
index through the message triggers, and searchMessages finds them only for members."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.cloud import firestore

from tests.chat.conftest import run_tool
from tests.support.firebase import eventually


def _post(person, room_id: str, text: str, **fields) -> str:
    _, ref = person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP, **fields}
    )
    return ref.id


def _search(person, query: str, **filters) -> dict:
    return person.ok("searchMessages", {"query": query, **filters})


def _ids(person, query: str, **filters) -> list[str]:
    return [hit["messageId"] for hit in _search(person, query, **filters)["hits"]]


def _indexed(db, message_id: str, text: str | None = None) -> bool:
    """The trigger has admitted the message (with ``text``, when given)."""
    row = db.execute(
        "SELECT body FROM message_search WHERE message_id = %s AND admitted", (message_id,)
    ).fetchone()
    return row is not None and (text is None or row["body"] == text)


def _group(person, *names: str) -> tuple[list, str]:
    people = [person(name) for name in names]
    room_id = people[0].ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    for other in people[1:]:
        other.ok("joinRoom", {"roomId": room_id})
    return people, room_id


def test_only_current_members_find_a_rooms_messages(person, db):
    (alice, bob, carol), room_id = _group(person, "alice", "bob", "carol")
    outsider = person("dave")
    message_id = _post(alice, room_id, "the quarterly zeppelin report is ready")
    eventually(lambda: _indexed(db, message_id))

    hit = _search(alice, "zeppelin")["hits"][0]
    assert hit["roomId"] == room_id and hit["messageId"] == message_id
    assert hit["senderId"] == alice.uid
    assert hit["senderName"].startswith("User ")  # the display name new_account gives
    assert hit["snippet"] == "the quarterly <mark>zeppelin</mark> report is ready"
    assert _ids(bob, "zeppelin") == [message_id]
    assert _ids(carol, "zeppelin") == [message_id]
    assert _ids(outsider, "zeppelin") == []
    assert _ids(outsider, "zeppelin", roomId=room_id) == []

    alice.ok("removeMember", {"roomId": room_id, "userId": bob.uid})
    carol.ok("leaveRoom", {"roomId": room_id})
    assert _ids(bob, "zeppelin") == []
    assert _ids(carol, "zeppelin") == []
    assert _ids(alice, "zeppelin") == [message_id]


def test_edits_and_deletes_change_what_is_found(person, db):
    (alice, bob), room_id = _group(person, "alice", "bob")
    message_id = _post(alice, room_id, "meet at the old harbour")
    eventually(lambda: _indexed(db, message_id))
    ref = alice.db.document(f"rooms/{room_id}/messages/{message_id}")
    ref.update({"text": "meet at the new lighthouse", "editedAt": firestore.SERVER_TIMESTAMP})
    eventually(lambda: _indexed(db, message_id, "meet at the new lighthouse"))
    assert _ids(bob, "harbour") == []
    assert _ids(bob, "lighthouse") == [message_id]

    bob.db.document(f"rooms/{room_id}/messages/{message_id}").update(
        {"reactions": {bob.uid: ["👍"]}}
    )  # not a change of text: the index keeps its version
    ref.update(
        {
            "deleted": True,
            "deletedAt": firestore.SERVER_TIMESTAMP,
            "deletedBy": alice.uid,
            "text": "",
        }
    )
    eventually(lambda: _ids(bob, "lighthouse") == [])
    assert db.execute(
        "SELECT deleted, body FROM message_search WHERE message_id = %s", (message_id,)
    ).fetchone() == {"deleted": True, "body": ""}


def test_a_quarantined_message_is_never_found(person, admin_db, db):
    (alice, bob), room_id = _group(person, "alice", "bob")
    # Bob leaves in PostgreSQL and the mirror never hears of it: his post gets through the
    # rules and the trigger quarantines it.
    db.execute("DELETE FROM memberships WHERE room_id = %s AND user_id = %s", (room_id, bob.uid))
    message_id = _post(bob, room_id, "smuggled walrus plans")
    eventually(lambda: admin_db.document(f"quarantine/{room_id}_{message_id}").get().exists)
    kept = _post(alice, room_id, "a walrus of our own")
    eventually(lambda: _indexed(db, kept))
    assert _ids(alice, "walrus") == [kept]
    assert not db.execute(
        "SELECT 1 FROM message_search WHERE message_id = %s", (message_id,)
    ).fetchone()


def test_the_index_survives_repeated_and_reordered_events(person, admin_db, db, functions_env):
    """At-least-once, any order: an edit seen before the create trigger is kept but not
    found until the sender is checked; a late copy of an older edit changes nothing."""
    from search import index  # the functions' own code, run in this process

    (alice,), room_id = _group(person, "alice")
    sent = datetime.now(UTC)
    original = {"senderId": alice.uid, "text": "draft about penguins", "createdAt": sent}
    edited = {**original, "text": "final about puffins", "editedAt": sent + timedelta(seconds=5)}
    index.changed(room_id, "m1", original, edited)
    assert _ids(alice, "puffins") == []  # not admitted yet
    index.admit(room_id, "m1", original)
    index.admit(room_id, "m1", original)
    assert _ids(alice, "puffins") == ["m1"]
    assert _ids(alice, "penguins") == []
    older = {**original, "text": "middle about gannets", "editedAt": sent + timedelta(seconds=2)}
    index.changed(room_id, "m1", original, older)
    assert _ids(alice, "puffins") == ["m1"]
    assert _ids(alice, "gannets") == []


def test_query_syntax(person, db):
    (alice,), room_id = _group(person, "alice")
    texts = {
        "exact": "the blue whale sings at dawn",
        "reversed": "whale blue paint is drying",
        "excluded": "a blue whale and a noisy seagull",
        "prefix": "reservations confirmed",
        "cjk": "我们明天去東京都看展览",
        "accents": "Grüße aus Köln",
    }
    ids = {key: _post(alice, room_id, text) for key, text in texts.items()}
    for key in ids:
        eventually(lambda key=key: _indexed(db, ids[key]))

    assert set(_ids(alice, "whale blue ")) == {ids["exact"], ids["reversed"], ids["excluded"]}
    assert set(_ids(alice, '"blue whale"')) == {ids["exact"], ids["excluded"]}
    assert _ids(alice, '"blue whale" -seagull') == [ids["exact"]]
    assert _ids(alice, "reserv") == [ids["prefix"]]  # the last word, still being typed
    assert _ids(alice, "reserv ") == []  # a finished word is a whole word
    assert _ids(alice, "東京") == [ids["cjk"]]
    assert _ids(alice, "明天去") == [ids["cjk"]]
    assert _ids(alice, "京東") == []
    assert _ids(alice, "KÖLN") == [ids["accents"]]
    hit = _search(alice, "東京")["hits"][0]
    assert "<mark>東京</mark>" in hit["snippet"]


@pytest.mark.parametrize(
    "query",
    [
        "'",
        "&",
        ":*",
        "\\",
        "a'b",
        "blue & !",
        "x:* | y",
        "'); DROP TABLE users; --",
        "<->",
        '"',
        '""',
        "-",
        "-blue",
        "!!!",
        "a\\:*b",
        "((blue",
    ],
)
def test_queries_that_look_like_injection_do_not_error(person, query):
    alice = person("alice")
    result = _search(alice, query)
    assert result["nextCursor"] is None
    assert isinstance(result["hits"], list)


@pytest.mark.parametrize("name", ["searchMessages", "searchPeople"])
@pytest.mark.parametrize("query", ["\x00", "\x00blue"])
def test_queries_no_text_can_hold_are_refused_clearly(person, name, query):
    """NUL is refused at the functions' input boundary, as in every
    other string field: 400 naming the field, never a 500."""
    response = person("alice").call(name, {"query": query})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("query:")


def test_pages_have_no_duplicates_or_gaps(person, db):
    (alice, bob), room_id = _group(person, "alice", "bob")
    other_room = bob.ok("createRoom", {"name": "Other"})["roomId"]
    bob.ok("inviteMember", {"roomId": other_room, "userId": alice.uid})
    invite = alice.ok("listMyRooms")["invites"][0]
    alice.ok("acceptInvite", {"inviteId": invite["id"]})
    posted = [_post(alice, room_id, "tide table") for _ in range(9)]
    posted += [_post(bob, other_room, "tide table tide") for _ in range(4)]
    posted += [_post(bob, room_id, f"tide {i}") for i in range(4)]
    for message_id in posted:
        eventually(lambda message_id=message_id: _indexed(db, message_id))

    seen, cursor = [], None
    while True:
        page = _search(alice, "tide ", limit=5, **({"cursor": cursor} if cursor else {}))
        assert len(page["hits"]) <= 5
        seen += [hit["messageId"] for hit in page["hits"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(posted)
    assert len(seen) == len(set(seen))
    assert seen[:4] == [  # "tide" twice ranks first; newest first among equals
        hit["messageId"] for hit in _search(alice, "tide ", roomId=other_room)["hits"]
    ]
    refused = alice.call("searchMessages", {"query": "tide", "cursor": "not-a-cursor"})
    assert refused.status_code == 400


def test_filters(person, db):
    (alice, bob), room_id = _group(person, "alice", "bob")
    other_room = alice.ok("createRoom", {"name": "Elsewhere"})["roomId"]
    signed = {
        kind: alice.ok(
            "signUpload",
            {"roomId": room_id, "filename": name, "contentType": content_type, "size": 100},
        )
        for kind, name, content_type in (
            ("image", "map.png", "image/png"),
            ("file", "map.pdf", "application/pdf"),
        )
    }

    def attachment(kind: str) -> dict:
        return {"publicId": signed[kind]["publicId"], "kind": kind, "name": "map", "bytes": 100}

    ids = {
        "image": _post(alice, room_id, "treasure map photo", attachments=[attachment("image")]),
        "file": _post(alice, room_id, "treasure map scan", attachments=[attachment("file")]),
        "link": _post(bob, room_id, "treasure map at https://example.com/map"),
        "elsewhere": _post(alice, other_room, "treasure map copy"),
    }
    for message_id in ids.values():
        eventually(lambda message_id=message_id: _indexed(db, message_id))

    assert set(_ids(alice, "treasure")) == set(ids.values())
    assert set(_ids(alice, "treasure", roomId=room_id)) == {ids["image"], ids["file"], ids["link"]}
    assert _ids(alice, "treasure", roomId=other_room) == [ids["elsewhere"]]
    assert _ids(alice, "treasure", senderId=bob.uid) == [ids["link"]]
    assert _ids(alice, "treasure", has="image") == [ids["image"]]
    assert _ids(alice, "treasure", has="file") == [ids["file"]]
    assert _ids(alice, "treasure", has="link") == [ids["link"]]

    created = {
        key: db.execute(
            "SELECT created_at FROM message_search WHERE message_id = %s", (message_id,)
        ).fetchone()["created_at"]
        for key, message_id in ids.items()
    }
    middle = created["file"]
    assert set(_ids(alice, "treasure", before=middle.isoformat())) == {ids["image"]}
    assert set(_ids(alice, "treasure", after=middle.isoformat())) == {
        ids["link"],
        ids["elsewhere"],
    }
    for bad in (
        {"has": "video"},
        {"before": "yesterday"},
        {"before": "2026-01-01T00:00:00"},
        {"roomId": "nope"},
        {"limit": 0},
        {"limit": 51},
        {"query": 5},
        {"extra": 1},
    ):
        assert alice.call("searchMessages", {"query": "treasure", **bad}).status_code == 400


def test_a_direct_conversation_closed_by_a_block_is_not_searched(person, db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    message_id = _post(alice, room_id, "secret albatross recipe")
    eventually(lambda: _indexed(db, message_id))
    assert _ids(bob, "albatross") == [message_id]

    bob.ok("blockUser", {"userId": alice.uid})
    assert _ids(bob, "albatross") == []
    assert _ids(alice, "albatross") == []
    bob.ok("unblockUser", {"userId": alice.uid})
    assert _ids(alice, "albatross") == [message_id]


def test_search_needs_a_signed_in_caller(functions_host):
    from tests.support import firebase

    response = firebase.call(functions_host, "searchMessages", {"query": "x"}, None)
    assert response.status_code == 401


def test_the_backfill_indexes_what_firestore_holds(person, admin_db, db, functions_host):
    (alice, bob), room_id = _group(person, "alice", "bob")
    kept = _post(alice, room_id, "backfilled narwhal notes")
    edited = _post(bob, room_id, "narwhal first draft")
    for message_id in (kept, edited):
        eventually(lambda message_id=message_id: _indexed(db, message_id))
    bob.db.document(f"rooms/{room_id}/messages/{edited}").update(
        {"text": "narwhal final words", "editedAt": firestore.SERVER_TIMESTAMP}
    )
    eventually(lambda: _indexed(db, edited, "narwhal final words"))
    db.execute("DELETE FROM message_search WHERE room_id = %s", (room_id,))  # as if lost
    assert _ids(alice, "narwhal") == []

    assert "indexed" in run_tool(functions_host, "tools.reindex")
    assert set(_ids(alice, "narwhal")) == {kept, edited}
    assert _ids(alice, "draft") == []
    assert _ids(alice, "final words") == [edited]


def _people(person, query: str, **data) -> list[dict]:
    return person.ok("searchPeople", {"query": query, **data})["people"]


def _rename(someone, display_name: str) -> None:
    response = httpx.post(
        someone.host.functions_url("updateProfile"),
        json={"displayName": display_name},
        headers={"Authorization": f"Bearer {someone.access_token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def test_search_people_by_part_of_a_name(person):
    tag = uuid.uuid4().hex[:6]
    me = person("me")
    exact = person(f"zorbl{tag}")
    quentin = person(f"q{tag}")
    _rename(quentin, f"Quentin Zorbl{tag}son")
    blocker = person(f"zorbl{tag}x")
    blocker.ok("blockUser", {"userId": me.uid})

    people = _people(me, f"zorbl{tag}")
    usernames = [p["username"] for p in people]
    assert usernames[0] == exact.username  # the exact username first
    assert quentin.username in usernames  # a word of the display name
    assert blocker.username not in usernames  # blocked me
    assert me.username not in usernames
    assert set(people[0]) == {"id", "username", "displayName", "avatarUrl"}

    assert _people(me, f"quentin zorbl{tag}")[0]["username"] == quentin.username
    assert _people(me, f"Zorbl{tag[:-1]}X")  # similar enough, any case
    assert quentin.username in [p["username"] for p in _people(me, "quentim")]  # a typo
    assert _people(me, "z") == []  # two characters at least
    assert blocker.username in [p["username"] for p in _people(exact, f"zorbl{tag}")]
    for query in ("%", "_", "\\", "'", "%%%%", "a%"):
        assert isinstance(_people(me, query), list)
    assert me.call("searchPeople", {"query": "ab", "limit": 26}).status_code == 400
    assert me.call("searchPeople", {}).status_code == 400


def test_search_people_is_rate_limited_per_person(person):
    alice, bob = person("alice"), person("bob")
    statuses = [alice.call("searchPeople", {"query": "ab"}).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    refused = alice.call("searchPeople", {"query": "ab"})
    assert refused.status_code == 429
    assert bob.call("searchPeople", {"query": "ab"}).status_code == 200


def test_search_people_tolerates_a_typo_in_any_word_of_a_new_name(person):
    # Random letters keep the words unique to this test, and apart from each other.
    one, two = uuid.uuid4().hex[:6], uuid.uuid4().hex[:6]
    me = person("me")
    renamed = person(f"r{one}")
    _rename(renamed, f"Philippa{one} Brannigan{one}")  # the trigger on users records the words
    quoted = person(f"o{two}")
    _rename(quoted, f"Siobhan{two} O'Connell\\{two}")

    def found(query: str) -> list[str]:
        return [p["username"] for p in _people(me, query)]

    assert found(f"filippa{one}") == [renamed.username]  # a typo in the first word
    assert found(f"philippa{one} branigan{one}") == [renamed.username]  # in the second
    assert found(f"philipa{one} bran") == [renamed.username]  # the last word still typed
    assert found(f"philippa{one} zzzzzzzz") == []  # every word must be near a name word
    assert found(f"siobahn{two}") == [quoted.username]
    assert isinstance(found(f"o'connell\\{two}"), list)
