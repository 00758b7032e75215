"""The local stack refuses the tokens production refuses (issue 13, hole 5), and profiles
cannot be listed (hole 6); admin credentials keep working."""

from __future__ import annotations

import time

import pytest
from google.api_core import exceptions

from tests.security.support import put_presence, reissued
from tests.support import firebase
from tests.support.accounts import new_account


@pytest.fixture
def account(api, functions_host) -> dict:
    created = new_account(api)
    created["idToken"] = firebase.sign_in(functions_host, created["firebaseToken"])
    created["uid"] = created["user"]["id"]
    return created


def _unusable_tokens(account: dict) -> dict[str, str]:
    now = int(time.time())
    return {
        "a FlowChat access token": account["accessToken"],
        "an ID token for another project": reissued(
            account["idToken"],
            aud="someone-elses-project",
            iss="https://securetoken.google.com/someone-elses-project",
        ),
        "an expired ID token": reissued(account["idToken"], iat=now - 7200, exp=now - 3600),
        "an ID token issued in the future": reissued(account["idToken"], iat=now + 600),
    }


def test_firestore_refuses_what_production_refuses(functions_host, account):
    profile = f"users/{account['uid']}"
    assert firebase.UserFirestore(functions_host, account["idToken"]).document(profile).get().exists
    for name, token in _unusable_tokens(account).items():
        client = firebase.UserFirestore(functions_host, token)
        with pytest.raises(exceptions.Unauthenticated):
            client.document(profile).get()
            pytest.fail(f"{name} was accepted")


def test_the_realtime_database_refuses_what_production_refuses(functions_host, account):
    assert put_presence(functions_host, account["uid"], account["idToken"]) == 200
    for name, token in _unusable_tokens(account).items():
        assert put_presence(functions_host, account["uid"], token, "c2") == 401, name


def test_functions_refuse_what_production_refuses(functions_host, api, account):
    assert firebase.call(functions_host, "listMyRooms", {}, account["idToken"]).status_code == 200
    for name, token in _unusable_tokens(account).items():
        response = firebase.call(functions_host, "listMyRooms", {}, token)
        assert response.status_code == 401, f"{name}: {response.text}"
        if name != "a FlowChat access token":  # which /me accepts, as documented
            me = api.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 401, f"{name}: {me.text}"


def test_admin_credentials_keep_working(functions_host, admin_db, account):
    # google-cloud-firestore's emulator credential (Bearer owner) bypasses the rules ...
    assert admin_db.document(f"revocations/{account['uid']}").get() is not None
    assert admin_db.document(f"users/{account['uid']}").get().exists
    # ... and so does the Database's "owner".
    assert put_presence(functions_host, account["uid"], "owner", "admin") == 200


def test_profiles_are_read_one_at_a_time_never_listed(functions_host, account):
    client = firebase.UserFirestore(functions_host, account["idToken"])
    assert client.document(f"users/{account['uid']}").get().exists
    with pytest.raises(exceptions.PermissionDenied):
        list(client.collection("users").limit(10).stream())
