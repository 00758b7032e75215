"""refresh and logout: rotation, reuse detection, revocation, token checks."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import JWT_SECRET, new_account


def _me(api, token: str):
    return api.get("/me", headers={"Authorization": f"Bearer {token}"})


def test_register_login_refresh_reuse_logout_cycle(api, db):
    account = new_account(api)
    login = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    ).json()
    assert _me(api, login["accessToken"]).status_code == 200

    first = api.post("/refresh", json={"refreshToken": login["refreshToken"]})
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"accessToken", "refreshToken", "firebaseToken", "expiresIn"}
    assert rotated["refreshToken"] != login["refreshToken"]
    assert _me(api, rotated["accessToken"]).status_code == 200

    # The spent token comes back: someone copied it. The whole session dies.
    reused = api.post("/refresh", json={"refreshToken": login["refreshToken"]})
    assert reused.status_code == 401
    assert "already used" in reused.json()["error"]["message"]
    assert api.post("/refresh", json={"refreshToken": rotated["refreshToken"]}).status_code == 401
    assert _me(api, rotated["accessToken"]).status_code == 401
    sid = jwt.decode(rotated["accessToken"], options={"verify_signature": False})["sid"]
    row = db.execute("SELECT revoked_reason FROM sessions WHERE id = %s", (sid,)).fetchone()
    assert row["revoked_reason"] == "refresh token reused"

    # The session from registration is separate and still alive; log it out.
    assert _me(api, account["accessToken"]).status_code == 200
    out = api.post("/logout", headers={"Authorization": f"Bearer {account['accessToken']}"})
    assert out.status_code == 204
    assert _me(api, account["accessToken"]).status_code == 401
    assert api.post("/refresh", json={"refreshToken": account["refreshToken"]}).status_code == 401


def test_refresh_keeps_working_along_the_chain(api):
    tokens = new_account(api)
    for _ in range(3):
        response = api.post("/refresh", json={"refreshToken": tokens["refreshToken"]})
        assert response.status_code == 200
        tokens = response.json()
    assert _me(api, tokens["accessToken"]).status_code == 200


@pytest.mark.parametrize("token", ["", "garbage", "x" * 43])
def test_unknown_refresh_tokens_are_refused(api, token):
    response = api.post("/refresh", json={"refreshToken": token})
    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_logout_needs_a_valid_access_token(api):
    assert api.post("/logout").status_code == 401
    assert api.post("/logout", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def _forge(claims: dict, key: str = JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_access_tokens_are_checked_strictly(api):
    account = new_account(api)
    good = jwt.decode(
        account["accessToken"], JWT_SECRET, algorithms=["HS256"], audience="flowchat-api"
    )
    now = int(time.time())
    forged = {
        "expired": _forge({**good, "iat": now - 3600, "exp": now - 60}),
        "wrong audience": _forge({**good, "aud": "someone-else"}),
        "wrong issuer": _forge({**good, "iss": "evil"}),
        "wrong key": _forge(good, key="k" * 48),
        "no session": _forge({k: v for k, v in good.items() if k != "sid"}),
        "unknown session": _forge({**good, "sid": "00000000-0000-0000-0000-000000000000"}),
        "alg none": jwt.encode(good, None, algorithm="none"),
        "other user's session": _forge({**good, "sub": new_account(api)["user"]["id"]}),
    }
    for name, token in forged.items():
        response = _me(api, token)
        assert response.status_code == 401, name
        assert response.json()["error"]["status"] == "UNAUTHENTICATED", name
