"""Logout reaches Firebase ID tokens (issue 13, hole 4): after logout, a token of the
ended sign-in is refused by every callable, by HTTP functions, and by the rules of
Firestore and the Realtime Database for writes; signing in again works at once."""

from __future__ import annotations

import time

import httpx
import pytest
from google.api_core import exceptions
from google.cloud import firestore

from tests.security.support import put_presence
from tests.support import firebase
from tests.support.accounts import new_account


def _post(db, uid: str, room_id: str, text: str = "hello") -> None:
    db.collection(f"rooms/{room_id}/messages").add(
        {"senderId": uid, "text": text, "createdAt": firestore.SERVER_TIMESTAMP}
    )


def _wait_for_the_next_second() -> None:
    """auth_time has whole seconds and a sign-in in the logout's own second stays good
    (as with Firebase's check_revoked), so the logout must come in a later second."""
    time.sleep(1.05 - time.time() % 1)


def test_logout_ends_the_firebase_sign_in_everywhere(functions_host, api, admin_db):
    account = new_account(api)
    uid, host = account["user"]["id"], functions_host
    old_token = firebase.sign_in(host, account["firebaseToken"])
    old_db = firebase.UserFirestore(host, old_token)
    room_id = _ok(firebase.call(host, "createRoom", {"name": "Before logout"}, old_token))
    _post(old_db, uid, room_id)
    assert put_presence(host, uid, old_token) == 200

    _wait_for_the_next_second()
    bearer = {"Authorization": f"Bearer {account['accessToken']}"}
    assert api.post("/logout", headers=bearer).status_code == 204
    revocation = admin_db.document(f"revocations/{uid}").get()
    assert revocation.exists and isinstance(revocation.get("revokedAt"), int)

    for name, data in [("listMyRooms", {}), ("createRoom", {"name": "After"})]:
        response = firebase.call(host, name, data, old_token)
        assert response.status_code == 401, response.text
        assert response.json()["error"]["status"] == "UNAUTHENTICATED"
    me = api.get("/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 401, me.text
    with pytest.raises(exceptions.PermissionDenied):
        _post(old_db, uid, room_id, "after logout")
    with pytest.raises(exceptions.PermissionDenied):
        old_db.document(f"rooms/{room_id}/typing/{uid}").set(
            {"typing": True, "expiresAt": firestore.SERVER_TIMESTAMP}
        )
    assert put_presence(host, uid, old_token, "c2") == 401
    # ... but it may still say it went offline (its onDisconnect runs with its identity).
    assert put_presence(host, uid, old_token, "c1", state="offline") == 200
    # Reading stays possible until the token expires (the rules check writes only).
    assert old_db.document(f"rooms/{room_id}").get().exists

    login = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    )
    assert login.status_code == 200, login.text
    fresh = firebase.sign_in(host, login.json()["firebaseToken"])
    assert firebase.call(host, "listMyRooms", {}, fresh).status_code == 200
    assert api.get("/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    _post(firebase.UserFirestore(host, fresh), uid, room_id, "signed in again")
    assert put_presence(host, uid, fresh, "c3") == 200


def _ok(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["result"]["roomId"]


def test_a_reused_refresh_token_ends_the_firebase_sign_in_too(functions_host, api):
    account = new_account(api)
    uid = account["user"]["id"]
    id_token = firebase.sign_in(functions_host, account["firebaseToken"])
    room_id = _ok(firebase.call(functions_host, "createRoom", {"name": "Mine"}, id_token))
    db = firebase.UserFirestore(functions_host, id_token)
    _post(db, uid, room_id)

    _wait_for_the_next_second()
    first = api.post("/refresh", json={"refreshToken": account["refreshToken"]}).json()
    assert api.post("/refresh", json={"refreshToken": first["refreshToken"]}).status_code == 200
    reused = api.post("/refresh", json={"refreshToken": account["refreshToken"]})
    assert reused.status_code == 401, reused.text  # someone copied it: the session dies

    response = firebase.call(functions_host, "listMyRooms", {}, id_token)
    assert response.status_code == 401, response.text
    with pytest.raises(exceptions.PermissionDenied):
        _post(db, uid, room_id, "from a copied session")
