"""me, updateProfile, getProfile."""

from __future__ import annotations

import uuid

import pytest

from tests.support.accounts import new_account


def _auth(account: dict) -> dict:
    return {"Authorization": f"Bearer {account['accessToken']}"}


def test_me_shows_the_private_profile(api):
    account = new_account(api)
    response = api.get("/me", headers=_auth(account))
    assert response.status_code == 200
    assert response.json()["user"] == account["user"]


def test_update_profile_changes_only_what_is_given(api):
    account = new_account(api)
    response = api.post(
        "/updateProfile",
        headers=_auth(account),
        json={
            "displayName": " Grace  Hopper ",
            "bio": "Compilers.\nCOBOL.",
            "avatarUrl": "https://res.cloudinary.com/x/a.png",
        },
    )
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert (user["displayName"], user["bio"], user["avatarUrl"]) == (
        "Grace Hopper",
        "Compilers.\nCOBOL.",
        "https://res.cloudinary.com/x/a.png",
    )
    again = api.patch(
        "/updateProfile", headers=_auth(account), json={"bio": None, "avatarUrl": None}
    )
    assert again.status_code == 200
    user = again.json()["user"]
    assert (user["displayName"], user["bio"], user["avatarUrl"]) == ("Grace Hopper", "", None)
    assert api.get("/me", headers=_auth(account)).json()["user"] == user


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"displayName": ""}, "displayName: must not be empty"),
        ({"displayName": None}, "displayName: must not be null"),
        ({"bio": "x" * 501}, "bio: must be at most 500 characters"),
        ({"avatarUrl": "javascript:alert(1)"}, "avatarUrl: must be an http(s) URL"),
        ({"displayName": 7}, "displayName: input should be a valid string"),
    ],
)
def test_bad_profile_changes_are_refused(api, body, message):
    account = new_account(api)
    response = api.post("/updateProfile", headers=_auth(account), json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert api.get("/me", headers=_auth(account)).json()["user"] == account["user"]


def test_get_profile_shows_public_fields_by_uid_or_username(api):
    viewer = new_account(api)
    subject = new_account(api)["user"]
    public = {k: v for k, v in subject.items() if k not in ("email", "emailVerified")}  # owner-only
    by_uid = api.post("/getProfile", headers=_auth(viewer), json={"uid": subject["id"]})
    assert by_uid.status_code == 200
    assert by_uid.json()["user"] == public
    by_name = api.get(
        "/getProfile", headers=_auth(viewer), params={"username": subject["username"].upper()}
    )
    assert by_name.json()["user"] == public


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"uid": str(uuid.uuid4())}, 404),
        ({"uid": "not-a-uuid"}, 404),
        ({"username": "nobody_here_at_all"}, 404),
        ({}, 400),
        ({"uid": "a", "username": "b"}, 400),
    ],
)
def test_get_profile_errors(api, body, status):
    viewer = new_account(api)
    response = api.post("/getProfile", headers=_auth(viewer), json=body)
    assert response.status_code == status


def test_profiles_need_a_signed_in_caller(api):
    assert api.get("/me").status_code == 401
    assert api.post("/updateProfile", json={"bio": "x"}).status_code == 401
    assert api.post("/getProfile", json={"username": "x"}).status_code == 401
