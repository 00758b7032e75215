"""The reconcile pass: Firestore's function-owned documents converge on PostgreSQL whatever
happened to Firestore — wiped, left with stale documents, or edited by mistake."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.cloud import firestore

from tests.chat.conftest import run_tool
from tests.support.firebase import eventually


def owned_documents(admin_db: firestore.Client, room_ids, user_ids) -> dict[str, dict]:
    """Every function-owned document of these rooms and people, by path."""
    parents = [(f"rooms/{room_id}", "members") for room_id in room_ids]
    parents += [(f"users/{uid}", "rooms") for uid in user_ids]
    found = {}
    for parent, children in parents:
        snapshot = admin_db.document(parent).get()
        if snapshot.exists:
            found[parent] = snapshot.to_dict()
        for child in admin_db.collection(f"{parent}/{children}").get():
            found[child.reference.path] = child.to_dict()
    return found


def wipe_firestore(functions_host) -> None:
    url = (
        f"{functions_host.url('firestore')}/emulator/v1/projects/{functions_host.project}"
        "/databases/(default)/documents"
    )
    assert httpx.delete(url, timeout=30).status_code == 200


def reconcile_command(functions_host, *args: str) -> str:
    """``python -m tools.reconcile`` against the test stack; its output."""
    return run_tool(functions_host, "tools.reconcile", *args)


@pytest.fixture
def reconcile(functions_env):
    """The functions' reconcile module, run in this process against the test stack."""
    import reconcile

    return reconcile


def test_a_wiped_firestore_is_rebuilt_exactly(person, admin_db, functions_host):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    team = alice.ok("createRoom", {"name": "Team", "topic": "work"})["roomId"]
    invite = alice.ok("inviteMember", {"roomId": team, "userId": bob.uid})["inviteId"]
    bob.ok("acceptInvite", {"inviteId": invite})
    alice.ok("setRole", {"roomId": team, "userId": bob.uid, "role": "admin"})
    bob.ok("muteRoom", {"roomId": team, "notify": "none"})
    lobby = alice.ok("createRoom", {"name": "Lobby", "isPrivate": False})["roomId"]
    carol.ok("joinRoom", {"roomId": lobby})
    bob.ok("joinRoom", {"roomId": lobby})
    bob.ok("leaveRoom", {"roomId": lobby})
    old = carol.ok("createRoom", {"name": "Old days"})["roomId"]
    carol.ok("archiveRoom", {"roomId": old})
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    closed = alice.ok("createRoom", {"kind": "direct", "userId": carol.uid})["roomId"]
    alice.ok("blockUser", {"userId": carol.uid})

    room_ids = [team, lobby, old, direct, closed]
    user_ids = [alice.uid, bob.uid, carol.uid]
    before = owned_documents(admin_db, room_ids, user_ids)
    assert before[f"rooms/{closed}/members/{carol.uid}"]["canPost"] is False
    assert f"rooms/{lobby}/members/{bob.uid}" not in before
    assert len(before) == 5 + 9 + 3 + 9  # summaries, members, profiles, room lists

    wipe_firestore(functions_host)
    assert owned_documents(admin_db, room_ids, user_ids) == {}

    output = reconcile_command(functions_host, "--if-drift")
    assert "drifted" in output and "documents written" in output
    assert owned_documents(admin_db, room_ids, user_ids) == before

    # The two people can talk again: createRoom answers the same room, which they can open.
    again = bob.ok("createRoom", {"kind": "direct", "userId": alice.uid})
    assert again == {"roomId": direct, "created": False}
    assert bob.db.document(f"rooms/{direct}").get().get("directMembers") == sorted(
        [alice.uid, bob.uid]
    )
    bob.db.collection(f"rooms/{direct}/messages").add(
        {"senderId": bob.uid, "text": "still here?", "createdAt": firestore.SERVER_TIMESTAMP}
    )


def test_a_second_pass_writes_nothing(person, reconcile):
    alice, bob = person("alice"), person("bob")
    alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})
    reconcile.full_pass()
    again = reconcile.full_pass()
    assert again.finished and again.subjects > 0
    assert again.written == []
    assert reconcile.drift() == {}  # and the cheap check agrees


def test_stale_documents_go_and_fields_others_own_stay(person, admin_db, db, reconcile):
    alice, bob = person("alice"), person("bob")
    room = alice.ok("createRoom", {"name": "Public", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room})
    bob.ok("leaveRoom", {"roomId": room})
    last = {"id": "m1", "senderId": alice.uid, "preview": "hi", "createdAt": datetime.now(UTC)}
    admin_db.document(f"rooms/{room}").update(
        {"name": "Renamed by a bug", "lastMessage": last, "lastMessageAt": last["createdAt"]}
    )
    # Bob left, but a stale mirror would still let him read and post.
    admin_db.document(f"rooms/{room}/members/{bob.uid}").set({"role": "member", "canPost": True})
    admin_db.document(f"users/{bob.uid}/rooms/{room}").set({"kind": "group", "role": "member"})
    # Presence newer than anything PostgreSQL recorded is Firestore's to keep.
    presence = {"state": "online", "lastChanged": datetime.now(UTC) + timedelta(hours=1)}
    admin_db.document(f"users/{alice.uid}").update({"displayName": "Wrong", "presence": presence})
    # A room and a person PostgreSQL never had (say, from a restored backup).
    ghost_room, ghost_user = str(uuid.uuid4()), str(uuid.uuid4())
    admin_db.document(f"rooms/{ghost_room}").set({"kind": "group", "name": "Ghost"})
    admin_db.document(f"rooms/{ghost_room}/members/{alice.uid}").set({"role": "owner"})
    admin_db.document(f"users/{alice.uid}/rooms/{ghost_room}").set({"kind": "group"})
    admin_db.document(f"users/{ghost_user}/rooms/{room}").set({"kind": "group"})  # no parent
    admin_db.document(f"rooms/not-a-uuid/members/{ghost_user}").set({"role": "owner"})

    written = reconcile.full_pass().written

    assert {
        f"rooms/{room}",
        f"rooms/{room}/members/{bob.uid}",
        f"users/{bob.uid}/rooms/{room}",
        f"users/{alice.uid}",
        f"rooms/{ghost_room}",
        f"rooms/{ghost_room}/members/{alice.uid}",
        f"users/{alice.uid}/rooms/{ghost_room}",
        f"users/{ghost_user}/rooms/{room}",
        "rooms/not-a-uuid/members/" + ghost_user,
    } <= set(written)
    summary = admin_db.document(f"rooms/{room}").get().to_dict()
    assert summary["name"] == "Public" and summary["lastMessage"] == last
    assert summary["memberCount"] == 1
    for gone in (
        f"rooms/{room}/members/{bob.uid}",
        f"users/{bob.uid}/rooms/{room}",
        f"rooms/{ghost_room}",
        f"rooms/{ghost_room}/members/{alice.uid}",
        f"users/{alice.uid}/rooms/{ghost_room}",
        f"users/{ghost_user}/rooms/{room}",
        f"rooms/not-a-uuid/members/{ghost_user}",
    ):
        assert not admin_db.document(gone).get().exists, gone
    profile = admin_db.document(f"users/{alice.uid}").get().to_dict()
    name = db.execute("SELECT display_name FROM users WHERE id = %s", (alice.uid,)).fetchone()
    assert profile["displayName"] == name["display_name"] and profile["presence"] == presence


def test_presence_recorded_in_postgresql_comes_back(person, admin_db, db, reconcile):
    alice = person("alice")
    changed = datetime.now(UTC).replace(microsecond=0)
    db.execute(
        "INSERT INTO presence (user_id, state, changed_at) VALUES (%s, 'away', %s)",
        (alice.uid, changed),
    )
    admin_db.document(f"users/{alice.uid}").delete()

    assert f"users/{alice.uid}#presence" in reconcile.repair_user(alice.uid)
    profile = admin_db.document(f"users/{alice.uid}").get().to_dict()
    assert profile["presence"] == {"state": "away", "lastChanged": changed}
    assert profile["username"] == alice.username


def test_a_lost_revocation_time_comes_back(person, admin_db, api, functions_host, reconcile):
    alice = person("alice")
    assert (
        api.post("/logout", headers={"Authorization": f"Bearer {alice.access_token}"}).status_code
        == 204
    )
    path = f"revocations/{alice.uid}"
    expected = admin_db.document(path).get().to_dict()
    assert expected and isinstance(expected["revokedAt"], int)
    database = f"{functions_host.url('database')}/{path}.json"
    as_admin = {"ns": f"{functions_host.project}-default-rtdb", "auth": "owner"}
    admin_db.document(path).delete()
    assert httpx.delete(database, params=as_admin).status_code == 200

    assert path in reconcile.repair_user(alice.uid)
    assert admin_db.document(path).get().to_dict() == expected
    assert httpx.get(database, params=as_admin).json() == expected
    assert path not in reconcile.repair_user(alice.uid)  # nothing left to repair


def test_create_room_restores_a_lost_direct_conversation(person, admin_db):
    alice, bob = person("alice"), person("bob")
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    lost = [
        f"rooms/{direct}",
        f"rooms/{direct}/members/{alice.uid}",
        f"rooms/{direct}/members/{bob.uid}",
        f"users/{alice.uid}/rooms/{direct}",
        f"users/{bob.uid}/rooms/{direct}",
        f"users/{alice.uid}",  # the room is named after the other person
        f"users/{bob.uid}",
    ]
    before = {path: admin_db.document(path).get().to_dict() for path in lost}
    for path in lost:
        admin_db.document(path).delete()

    assert bob.ok("createRoom", {"kind": "direct", "username": alice.username}) == {
        "roomId": direct,
        "created": False,
    }
    assert {path: admin_db.document(path).get().to_dict() for path in lost} == before


def test_the_pass_runs_in_bounded_slices(person, reconcile):
    alice = person("alice")
    for name in ("one", "two", "three"):
        alice.ok("createRoom", {"name": name})
    reconcile.full_pass()

    cursor, slices = reconcile.Cursor(), 0
    while not cursor.finished:
        # A deadline already passed: one page per call, and the cursor moves on.
        before = (cursor.phase, cursor.after)
        reconcile.run(cursor, deadline=time.monotonic(), page_size=2)
        assert (cursor.phase, cursor.after) != before
        slices += 1
    assert slices > 3


def test_the_scheduled_function_repairs_drift(person, admin_db, functions_host):
    alice = person("alice")
    room = alice.ok("createRoom", {"name": "Scheduled"})["roomId"]
    member = admin_db.document(f"rooms/{room}/members/{alice.uid}")
    expected = member.get().to_dict()
    member.delete()  # one document fewer than PostgreSQL implies: the counts show drift

    def repaired():
        run = httpx.post(functions_host.functions_url("applyOutbox"), timeout=120)
        assert run.status_code == 200, run.text
        return member.get().to_dict() == expected

    eventually(repaired, timeout=120, interval=0.5)


def test_restore_room_repairs_a_members_room_and_admits_nothing_else(person, admin_db):
    alice, bob = person("alice"), person("bob")
    room = alice.ok("createRoom", {"name": "Private"})["roomId"]
    own = [f"rooms/{room}", f"rooms/{room}/members/{alice.uid}", f"users/{alice.uid}/rooms/{room}"]
    before = {path: admin_db.document(path).get().to_dict() for path in own}

    assert alice.ok("restoreRoom", {"roomId": room}) == {"roomId": room, "repaired": 0}
    admin_db.document(f"users/{alice.uid}/rooms/{room}").delete()
    admin_db.document(f"rooms/{room}").update({"archived": True})
    assert alice.ok("restoreRoom", {"roomId": room}) == {"roomId": room, "repaired": 2}
    assert {path: admin_db.document(path).get().to_dict() for path in own} == before

    for caller, room_id in ((bob, room), (alice, str(uuid.uuid4()))):
        refused = caller.call("restoreRoom", {"roomId": room_id})
        assert refused.status_code == 404, refused.text


def test_scheduled_slices_resume_where_the_last_one_stopped(person, admin_db, db, reconcile):
    alice = person("alice")
    room = alice.ok("createRoom", {"name": "Resumed"})["roomId"]
    member = admin_db.document(f"rooms/{room}/members/{alice.uid}")
    expected = member.get().to_dict()
    member.delete()

    runs, finished = 0, False
    while not (finished and member.get().exists):
        outcome = reconcile.scheduled_slice(0)  # no time at all: one page per run
        assert outcome is not None
        runs, finished = runs + 1, outcome.finished
        progress = db.execute("SELECT phase, after_key FROM reconcile_progress").fetchone()
        if not finished:
            assert progress["phase"] in reconcile.PHASES and progress["after_key"]
        assert runs < 500
    assert runs > 1
    assert member.get().to_dict() == expected
    progress = db.execute("SELECT phase, finished_at FROM reconcile_progress").fetchone()
    assert progress["phase"] is None
    assert progress["finished_at"] > datetime.now(UTC) - timedelta(minutes=1)
    # Converged and finished a moment ago: the next run has nothing to do.
    assert reconcile.scheduled_slice(0) is None
