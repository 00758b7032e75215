"""The Firebase side of an account, through our Auth emulator: the custom token signs in,
the resulting ID token is accepted by the functions, and logout revokes it."""

from __future__ import annotations

import time

import httpx
import pytest

from emulators import registry
from tests.support.accounts import new_account

pytestmark = pytest.mark.skipif(
    "auth" not in registry.available(), reason="the Auth emulator is not part of this tree"
)


def _sign_in(functions_host, custom_token: str) -> str:
    response = httpx.post(
        f"{functions_host.url('auth')}/identitytoolkit.googleapis.com/v1/"
        "accounts:signInWithCustomToken?key=fake-api-key",
        json={"token": custom_token, "returnSecureToken": True},
    )
    assert response.status_code == 200, response.text
    return response.json()["idToken"]


def test_firebase_id_token_from_the_custom_token_works_for_profiles(api, functions_host):
    account = new_account(api)
    id_token = _sign_in(functions_host, account["firebaseToken"])
    response = api.get("/me", headers={"Authorization": f"Bearer {id_token}"})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == account["user"]["id"]


def test_logout_revokes_the_users_firebase_tokens(api, functions_host):
    account = new_account(api)
    id_token = _sign_in(functions_host, account["firebaseToken"])
    assert api.get("/me", headers={"Authorization": f"Bearer {id_token}"}).status_code == 200
    time.sleep(1.1)  # revocation has one-second resolution: tokens issued before it die
    logout = api.post("/logout", headers={"Authorization": f"Bearer {account['accessToken']}"})
    assert logout.status_code == 204
    assert api.get("/me", headers={"Authorization": f"Bearer {id_token}"}).status_code == 401
    fresh = _sign_in(functions_host, new_account(api)["firebaseToken"])
    assert api.get("/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_made_up_id_token_is_refused(api):
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJub2JvZHkifQ."
    assert api.get("/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
