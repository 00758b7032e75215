"""deleteAccount through the functions host: re-authentication, rooms handed over, the
person anonymised in PostgreSQL and Firestore, a confirming mail, the username held."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions
from google.cloud.firestore import SERVER_TIMESTAMP

from tests.account.conftest import bearer
from tests.chat.conftest import Person
from tests.support import firebase
from tests.support.accounts import new_account


def signed_up(api, functions_host, name: str) -> tuple[Person, dict]:
    account = new_account(api, username=f"{name}{uuid.uuid4().hex[:8]}")
    id_token = firebase.sign_in(functions_host, account["firebaseToken"])
    person = Person(
        host=functions_host,
        uid=account["user"]["id"],
        username=account["user"]["username"],
        access_token=account["accessToken"],
        id_token=id_token,
        db=firebase.UserFirestore(functions_host, id_token),
    )
    return person, account


def delete(api, account: dict, password: str | None = None, **extra):
    return api.post(
        "/deleteAccount",
        json={"password": password or account["password"], **extra},
        headers=bearer(account["accessToken"]),
    )


def test_deleting_needs_the_password_and_only_ever_deletes_the_caller(api, functions_host, db):
    alice, alice_account = signed_up(api, functions_host, "alice")
    bob, _ = signed_up(api, functions_host, "bob")
    assert delete(api, alice_account, "not my password").status_code == 403
    naming_bob = delete(api, alice_account, userId=bob.uid)
    assert naming_bob.status_code == 400
    assert api.post("/deleteAccount", json={"password": "x"}).status_code == 401
    for uid in (alice.uid, bob.uid):
        row = db.execute("SELECT deleted_at FROM users WHERE id = %s", (uid,)).fetchone()
        assert row["deleted_at"] is None


def test_a_deleted_account_is_anonymised_and_its_rooms_go_on(
    api, functions_host, db, mailbox, admin_db
):
    alice, alice_account = signed_up(api, functions_host, "alice")
    bob, _ = signed_up(api, functions_host, "bob")
    carol, _ = signed_up(api, functions_host, "carol")
    group = alice.ok("createRoom", {"kind": "group", "name": "Book club"})["roomId"]
    solo = alice.ok("createRoom", {"kind": "group", "name": "Just me"})["roomId"]
    direct = alice.ok("createRoom", {"kind": "direct", "userId": bob.uid})["roomId"]
    for member in (bob, carol):
        alice.ok("inviteMember", {"roomId": group, "userId": member.uid})
    for member in (bob, carol):
        invite = db.execute(
            "SELECT id::text AS id FROM invites WHERE room_id = %s AND invitee_id = %s",
            (group, member.uid),
        ).fetchone()
        member.ok("acceptInvite", {"inviteId": invite["id"]})
    alice.ok("setRole", {"roomId": group, "userId": carol.uid, "role": "admin"})
    alice.ok(
        "updateNotificationSettings",
        {
            "emailMissedMessages": True,
            "quietHours": {"start": "22:00", "end": "07:00", "timeZone": "UTC"},
        },
    )
    email = alice_account["user"]["email"]

    response = delete(api, alice_account)
    assert response.status_code == 200, response.text

    # PostgreSQL: anonymised, out of every room; the admin owns the group now.
    row = db.execute(
        "SELECT email, username, display_name, disabled, deleted_at FROM users WHERE id = %s",
        (alice.uid,),
    ).fetchone()
    assert row["display_name"] == "Deleted user" and row["disabled"] and row["deleted_at"]
    assert email not in row["email"] and row["username"] != alice.username
    roles = {
        r["user_id"]: r["role"]
        for r in db.execute(
            "SELECT user_id::text AS user_id, role FROM memberships WHERE room_id = %s", (group,)
        ).fetchall()
    }
    assert roles == {bob.uid: "member", carol.uid: "owner"}
    archived = db.execute("SELECT archived_at FROM rooms WHERE id = %s", (solo,)).fetchone()
    assert archived["archived_at"] is not None
    assert db.execute(
        "SELECT count(*) AS n FROM memberships WHERE user_id = %s", (alice.uid,)
    ).fetchone() == {"n": 0}
    for table in ("notification_settings", "missed_messages", "device_tokens"):
        assert db.execute(
            f"SELECT count(*) AS n FROM {table} WHERE user_id = %s", (alice.uid,)
        ).fetchone() == {"n": 0}, table

    # Firestore: the profile others see says "Deleted user"; the mirror dropped her.
    profile = admin_db.document(f"users/{alice.uid}").get().to_dict()
    assert profile["displayName"] == "Deleted user" and profile["disabled"] is True
    assert not admin_db.document(f"rooms/{group}/members/{alice.uid}").get().exists
    assert admin_db.document(f"rooms/{group}/members/{carol.uid}").get().to_dict()["role"] == (
        "owner"
    )
    assert not admin_db.document(f"users/{alice.uid}/rooms/{direct}").get().exists
    assert admin_db.document(f"users/{bob.uid}/rooms/{direct}").get().exists
    # The direct room stays readable for Bob, but closed: nobody to write to.
    bob_member = admin_db.document(f"rooms/{direct}/members/{bob.uid}").get().to_dict()
    assert bob_member["canPost"] is False
    with pytest.raises(exceptions.PermissionDenied):
        bob.db.collection(f"rooms/{direct}/messages").add(
            {"senderId": bob.uid, "text": "still there?", "createdAt": SERVER_TIMESTAMP}
        )

    # Signed out everywhere, cannot log in, told by mail; the username is held.
    assert api.get("/me", headers=bearer(alice_account["accessToken"])).status_code == 401
    assert (
        api.post(
            "/login", json={"login": alice.username, "password": alice_account["password"]}
        ).status_code
        == 401
    )
    assert alice.call("listMyRooms").status_code == 401
    assert any(
        m["Subject"] == "Your FlowChat account was deleted"
        for m in mailbox.wait_for(email, count=2)
    )
    again = api.post(
        "/register",
        json={
            "email": f"new{uuid.uuid4().hex[:8]}@example.com",
            "username": alice.username,
            "password": "a fresh good secret",
            "displayName": "Someone new",
        },
    )
    assert again.status_code == 409 and again.json()["error"]["message"] == (
        "username: is already taken"
    )
    # The address is free for a new account at once.
    fresh = new_account(api, email=email)
    assert fresh["user"]["email"] == email
