"""Rooms and membership end to end: callables over HTTP, PostgreSQL, the Firestore mirror,
and the rules enforced on each person's own Firestore client."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import firestore

from tests.support.firebase import call


def _post(person, room_id: str, text: str = "hello") -> None:
    person.db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": person.uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )


def test_creating_a_group_mirrors_it_for_the_rules(person, admin_db):
    alice = person("alice")
    result = alice.ok(
        "createRoom", {"name": "  General   chat ", "topic": "Anything", "isPrivate": True}
    )
    room_id = result["roomId"]
    summary = admin_db.document(f"rooms/{room_id}").get().to_dict()
    assert summary | {"createdAt": None} == summary | {
        "kind": "group",
        "name": "General chat",
        "topic": "Anything",
        "isPrivate": True,
        "archived": False,
        "createdBy": alice.uid,
        "memberCount": 1,
        "createdAt": None,
    }
    member = admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().to_dict()
    assert (member["role"], member["canPost"]) == ("owner", True)
    assert admin_db.document(f"users/{alice.uid}/rooms/{room_id}").get().exists

    _post(alice, room_id)
    messages = alice.db.collection(f"rooms/{room_id}/messages").get()
    assert [m.get("text") for m in messages] == ["hello"]


def test_outsiders_cannot_read_or_post(person):
    alice, mallory = person("alice"), person("mallory")
    room_id = alice.ok("createRoom", {"name": "Secret"})["roomId"]
    with pytest.raises(exceptions.PermissionDenied):
        mallory.db.collection(f"rooms/{room_id}/messages").get()
    with pytest.raises(exceptions.PermissionDenied):
        _post(mallory, room_id)
    with pytest.raises(exceptions.PermissionDenied):
        mallory.db.document(f"rooms/{room_id}").get()
    # A private room does not admit it exists to an outsider.
    response = mallory.call("listMembers", {"roomId": room_id})
    assert response.status_code == 404


def test_a_pair_has_one_direct_room(person, admin_db):
    alice, bob = person("alice"), person("bob")
    first = alice.ok("createRoom", {"kind": "direct", "username": bob.username})
    again = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})
    reverse = bob.ok("createRoom", {"kind": "direct", "userId": alice.uid})
    assert first["created"] is True
    assert again == reverse == {"roomId": first["roomId"], "created": False}
    summary = admin_db.document(f"rooms/{first['roomId']}").get().to_dict()
    assert summary["kind"] == "direct"
    assert summary["directMembers"] == sorted([alice.uid, bob.uid])
    _post(bob, first["roomId"], "hi alice")


def test_invite_then_accept_or_decline(person, admin_db):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    room_id = alice.ok("createRoom", {"name": "Team"})["roomId"]
    invite = alice.ok("inviteMember", {"roomId": room_id, "username": bob.username})
    duplicate = alice.call("inviteMember", {"roomId": room_id, "userId": bob.uid})
    assert duplicate.status_code == 409
    assert bob.ok("listMyRooms")["invites"][0]["roomId"] == room_id

    with pytest.raises(exceptions.PermissionDenied):
        _post(bob, room_id)  # invited is not joined
    assert carol.call("acceptInvite", {"inviteId": invite["inviteId"]}).status_code == 404
    assert bob.ok("acceptInvite", {"inviteId": invite["inviteId"]}) == {
        "roomId": room_id,
        "joined": True,
    }
    _post(bob, room_id, "thanks for the invite")
    assert admin_db.document(f"rooms/{room_id}").get().get("memberCount") == 2

    declined = alice.ok("inviteMember", {"roomId": room_id, "userId": carol.uid})
    assert carol.ok("declineInvite", {"inviteId": declined["inviteId"]})["joined"] is False
    assert carol.call("acceptInvite", {"inviteId": declined["inviteId"]}).status_code == 404
    assert not admin_db.document(f"rooms/{room_id}/members/{carol.uid}").get().exists


def test_public_rooms_are_joined_by_id_private_ones_need_an_invite(person):
    alice, bob = person("alice"), person("bob")
    public = alice.ok("createRoom", {"name": "Lobby", "isPrivate": False})["roomId"]
    private = alice.ok("createRoom", {"name": "Board"})["roomId"]
    assert bob.ok("joinRoom", {"roomId": public}) == {"roomId": public, "joined": True}
    _post(bob, public)
    assert bob.call("joinRoom", {"roomId": private}).status_code == 404


def test_joining_a_room_again_records_no_change(person, db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Lobby", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    count = "SELECT count(*) AS n FROM outbox WHERE subject_id = %s"
    before = db.execute(count, (room_id,)).fetchone()["n"]
    assert bob.ok("joinRoom", {"roomId": room_id}) == {"roomId": room_id, "joined": False}
    # A row with no user ids would read as a change to the whole room (last_room_change).
    assert db.execute(count, (room_id,)).fetchone()["n"] == before


def _outbox_rows(db, room_id: str) -> list[list[str]]:
    """The user ids of each outbox row recorded for the room, oldest first."""
    rows = db.execute(
        "SELECT array(SELECT unnest(user_ids)::text ORDER BY 1) AS user_ids FROM outbox"
        " WHERE topic = 'room' AND subject_id = %s ORDER BY id",
        (room_id,),
    ).fetchall()
    return [row["user_ids"] for row in rows]


def test_creating_inviting_and_blocking_record_who_changed(person, db, admin_db):
    """Every room action records its change the same way: one outbox row with the people
    whose membership changed, none when nothing changed, and the mirror applied."""
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    group = alice.ok("createRoom", {"name": "Team"})["roomId"]
    assert _outbox_rows(db, group) == [[alice.uid]]

    declined = alice.ok("inviteMember", {"roomId": group, "userId": carol.uid})
    carol.ok("declineInvite", {"inviteId": declined["inviteId"]})
    invite = alice.ok("inviteMember", {"roomId": group, "userId": bob.uid})
    bob.ok("acceptInvite", {"inviteId": invite["inviteId"]})
    assert _outbox_rows(db, group) == [[alice.uid], [bob.uid]]

    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    pair = sorted([alice.uid, bob.uid])
    assert _outbox_rows(db, direct) == [pair]
    bob.ok("createRoom", {"kind": "direct", "userId": alice.uid})  # both are members already
    assert _outbox_rows(db, direct) == [pair]

    bob.ok("blockUser", {"userId": alice.uid})
    assert _outbox_rows(db, direct) == [pair, pair]
    assert admin_db.document(f"rooms/{direct}/members/{alice.uid}").get().get("canPost") is False
    carol.ok("blockUser", {"userId": alice.uid})  # no conversation between them: no row
    carols = "SELECT count(*) AS n FROM outbox WHERE topic = 'room' AND %s = ANY(user_ids)"
    assert db.execute(carols, (carol.uid,)).fetchone()["n"] == 0  # declined, then blocked
    pending = db.execute(
        "SELECT count(*) AS n FROM outbox WHERE subject_id = ANY(%s::uuid[])"
        " AND applied_at IS NULL",
        ([group, direct],),
    ).fetchone()["n"]
    assert pending == 0


def test_a_removed_member_loses_access_at_once(person, admin_db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    _post(bob, room_id)
    assert alice.ok("removeMember", {"roomId": room_id, "userId": bob.uid})["removed"] == bob.uid
    assert not admin_db.document(f"rooms/{room_id}/members/{bob.uid}").get().exists
    # Gone from bob's list. The trigger's once-a-second row write for bob's message may land
    # just after the removal and bring back a row without `kind`, which no client lists and
    # the reconcile pass deletes (docs/architecture.md, "The room list", Limits).
    row = admin_db.document(f"users/{bob.uid}/rooms/{room_id}").get()
    assert not row.exists or "kind" not in row.to_dict()
    with pytest.raises(exceptions.PermissionDenied):
        bob.db.collection(f"rooms/{room_id}/messages").get()
    with pytest.raises(exceptions.PermissionDenied):
        _post(bob, room_id)


def test_roles_decide_who_may_remove_rename_and_promote(person, admin_db):
    owner, admin, member, other = (
        person("owner"),
        person("admin"),
        person("member"),
        person("other"),
    )
    room_id = owner.ok("createRoom", {"name": "Team", "isPrivate": False})["roomId"]
    for p in (admin, member, other):
        p.ok("joinRoom", {"roomId": room_id})
    owner.ok("setRole", {"roomId": room_id, "userId": admin.uid, "role": "admin"})
    assert admin_db.document(f"rooms/{room_id}/members/{admin.uid}").get().get("role") == "admin"

    assert member.call("removeMember", {"roomId": room_id, "userId": other.uid}).status_code == 403
    assert member.call("updateRoom", {"roomId": room_id, "name": "Mine"}).status_code == 403
    assert admin.call("removeMember", {"roomId": room_id, "userId": owner.uid}).status_code == 403
    assert (
        admin.call(
            "setRole", {"roomId": room_id, "userId": member.uid, "role": "admin"}
        ).status_code
        == 403
    )
    admin.ok("updateRoom", {"roomId": room_id, "name": "Renamed", "topic": "New topic"})
    assert admin_db.document(f"rooms/{room_id}").get().get("name") == "Renamed"
    admin.ok("removeMember", {"roomId": room_id, "userId": other.uid})

    # The owner cannot leave without an heir; handing over ownership keeps them as admin.
    assert owner.call("leaveRoom", {"roomId": room_id}).status_code == 400
    owner.ok("setRole", {"roomId": room_id, "userId": member.uid, "role": "owner"})
    roles = {
        m["userId"]: m["role"] for m in owner.ok("listMembers", {"roomId": room_id})["members"]
    }
    assert roles == {owner.uid: "admin", admin.uid: "admin", member.uid: "owner"}
    owner.ok("leaveRoom", {"roomId": room_id})
    assert not admin_db.document(f"rooms/{room_id}/members/{owner.uid}").get().exists


def test_members_list_shows_pending_invites_to_their_inviter_and_managers(person):
    owner, member, bob, carol = person("owner"), person("member"), person("bob"), person("carol")
    room_id = owner.ok("createRoom", {"name": "Open team", "isPrivate": False})["roomId"]
    owner.ok("inviteMember", {"roomId": room_id, "username": member.username})
    member.ok("acceptInvite", {"inviteId": member.ok("listMyRooms")["invites"][0]["id"]})
    by_owner = owner.ok("inviteMember", {"roomId": room_id, "username": bob.username})
    by_member = member.ok("inviteMember", {"roomId": room_id, "username": carol.username})

    def pending(person) -> list[tuple[str, str, str]]:
        listed = person.ok("listMembers", {"roomId": room_id})["pendingInvites"]
        return [(i["inviteId"], i["username"], i["invitedBy"]) for i in listed]

    # The owner manages members and sees every pending invite; a member sees their own.
    assert pending(owner) == [
        (by_owner["inviteId"], bob.username, owner.uid),
        (by_member["inviteId"], carol.username, member.uid),
    ]
    assert pending(member) == [(by_member["inviteId"], carol.username, member.uid)]
    # An answered invite is no longer pending; the person is a member instead.
    carol.ok("declineInvite", {"inviteId": by_member["inviteId"]})
    bob.ok("acceptInvite", {"inviteId": by_owner["inviteId"]})
    assert pending(owner) == []
    members = owner.ok("listMembers", {"roomId": room_id})["members"]
    assert bob.uid in [m["userId"] for m in members]


def test_blocking_closes_direct_messages(person, admin_db):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    _post(alice, room_id)
    bob.ok("blockUser", {"userId": alice.uid})
    member = admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().to_dict()
    assert member["canPost"] is False
    with pytest.raises(exceptions.PermissionDenied):
        _post(alice, room_id, "are you there?")
    assert alice.call("createRoom", {"kind": "direct", "userId": bob.uid}).status_code == 403
    assert bob.ok("listMyRooms")["blocked"] == [alice.uid]
    # History stays readable; unblocking opens the conversation again.
    assert len(alice.db.collection(f"rooms/{room_id}/messages").get()) == 1
    bob.ok("unblockUser", {"userId": alice.uid})
    _post(alice, room_id, "hello again")


def test_an_archived_room_is_read_only(person):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Old", "isPrivate": False})["roomId"]
    bob.ok("joinRoom", {"roomId": room_id})
    _post(bob, room_id)
    assert bob.call("archiveRoom", {"roomId": room_id}).status_code == 403
    alice.ok("archiveRoom", {"roomId": room_id})
    with pytest.raises(exceptions.PermissionDenied):
        _post(bob, room_id)
    kept = bob.db.collection(f"rooms/{room_id}/messages").get()
    # Bob's message, and the system line that says he joined.
    assert sorted(doc.to_dict().get("kind", "message") for doc in kept) == ["message", "system"]
    assert alice.call("inviteMember", {"roomId": room_id, "userId": bob.uid}).status_code == 400


def test_mute_and_room_list(person, admin_db):
    alice = person("alice")
    room_id = alice.ok("createRoom", {"name": "Noisy"})["roomId"]
    alice.ok("muteRoom", {"roomId": room_id, "notify": "none"})
    assert admin_db.document(f"rooms/{room_id}/members/{alice.uid}").get().get("notify") == "none"
    rooms = alice.ok("listMyRooms")["rooms"]
    assert [(r["id"], r["name"], r["role"], r["notify"], r["memberCount"]) for r in rooms] == [
        (room_id, "Noisy", "owner", "none", 1)
    ]
    own = alice.db.collection(f"users/{alice.uid}/rooms").get()
    assert [doc.id for doc in own] == [room_id]


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("createRoom", {"name": ""}, 400, "name: must not be empty"),
        ("createRoom", {"name": "x" * 81}, 400, "name: must be at most 80 characters"),
        ("createRoom", {"kind": "direct"}, 400, "give exactly one of userId or username"),
        (
            "createRoom",
            {"name": "A", "surprise": 1},
            400,
            "surprise: extra inputs are not permitted",
        ),
        (
            "createRoom",
            {"kind": "circle", "name": "A"},
            400,
            "kind: input should be 'group' or 'direct'",
        ),
        (
            "inviteMember",
            {"roomId": "not-a-uuid", "username": "bob"},
            400,
            "roomId: input should be a valid UUID",
        ),
        (
            "muteRoom",
            {"roomId": "00000000-0000-0000-0000-000000000000", "notify": "loud"},
            400,
            "notify:",
        ),
        (
            "setRole",
            {
                "roomId": "00000000-0000-0000-0000-000000000000",
                "userId": "00000000-0000-0000-0000-000000000000",
                "role": "god",
            },
            400,
            "role:",
        ),
        ("leaveRoom", {"roomId": "00000000-0000-0000-0000-000000000000"}, 404, "room not found"),
        ("createRoom", {"kind": "direct", "username": "nobody_at_all_here"}, 404, "user not found"),
    ],
)
def test_bad_requests_name_the_problem(person, name, data, status, message):
    response = person().call(name, data)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]


def test_callables_need_a_signed_in_caller(functions_host):
    response = call(functions_host, "createRoom", {"name": "x"}, id_token=None)
    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"
    forged = call(functions_host, "createRoom", {"name": "x"}, id_token="not.a.token")
    assert forged.status_code == 401


def test_check_permission_for_other_services(person, api):
    alice, bob = person("alice"), person("bob")
    room_id = alice.ok("createRoom", {"name": "Ops"})["roomId"]

    def check(who, action, token=None):
        response = api.post(
            "/checkPermission",
            json={"roomId": room_id, "action": action},
            headers={"Authorization": f"Bearer {token or who.access_token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert check(alice, "archive_room") == {"allowed": True, "role": "owner"}
    assert check(alice, "post", token=alice.id_token) == {"allowed": True, "role": "owner"}
    assert check(bob, "read") == {"allowed": False, "role": None}
    bad = api.post(
        "/checkPermission",
        json={"roomId": room_id, "action": "fly"},
        headers={"Authorization": f"Bearer {alice.access_token}"},
    )
    assert bad.status_code == 400
    assert (
        api.post("/checkPermission", json={"roomId": room_id, "action": "read"}).status_code == 401
    )
