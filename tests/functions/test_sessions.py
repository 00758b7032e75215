"""refresh and logout: rotation, reuse detection, revocation, token checks."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import JWT_SECRET
from tests.support.accounts import new_account


def _me(api, token: str):
    return api.get("/me", headers={"Authorization": f"Bearer {token}"})


def _sid(access_token: str) -> str:
    return jwt.decode(access_token, options={"verify_signature": False})["sid"]


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

    # Its successor is used...
    second = api.post("/refresh", json={"refreshToken": rotated["refreshToken"]})
    assert second.status_code == 200
    rotated = second.json()
    # ...then the first token comes back: someone copied it. The whole session dies.
    reused = api.post("/refresh", json={"refreshToken": login["refreshToken"]})
    assert reused.status_code == 401
    assert "already used" in reused.json()["error"]["message"]
    assert api.post("/refresh", json={"refreshToken": rotated["refreshToken"]}).status_code == 401
    assert _me(api, rotated["accessToken"]).status_code == 401
    row = db.execute(
        "SELECT revoked_reason FROM sessions WHERE id = %s", (_sid(rotated["accessToken"]),)
    ).fetchone()
    assert row["revoked_reason"] == "refresh token reused"

    # The session from registration is separate and still alive; log it out.
    assert _me(api, account["accessToken"]).status_code == 200
    out = api.post("/logout", headers={"Authorization": f"Bearer {account['accessToken']}"})
    assert out.status_code == 204
    assert _me(api, account["accessToken"]).status_code == 401
    assert api.post("/refresh", json={"refreshToken": account["refreshToken"]}).status_code == 401


def test_a_lost_answer_can_be_asked_for_again_while_its_token_is_unused(api, db):
    """The client never got the answer to a refresh (dropped connection, reload): it
    presents the same token again and gets new tokens; the ones it never saw are void."""
    account = new_account(api)
    lost = api.post("/refresh", json={"refreshToken": account["refreshToken"]}).json()

    retry = api.post("/refresh", json={"refreshToken": account["refreshToken"]})
    assert retry.status_code == 200
    again = api.post("/refresh", json={"refreshToken": account["refreshToken"]})
    assert again.status_code == 200, "the retry's own answer may be lost too"
    tokens = again.json()
    assert len({lost["refreshToken"], retry.json()["refreshToken"], tokens["refreshToken"]}) == 3

    chain = api.post("/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert chain.status_code == 200
    assert _me(api, chain.json()["accessToken"]).status_code == 200

    # A token that was handed out but cancelled is a stolen copy when it shows up.
    stolen = api.post("/refresh", json={"refreshToken": lost["refreshToken"]})
    assert stolen.status_code == 401
    assert "already used" in stolen.json()["error"]["message"]
    row = db.execute(
        "SELECT revoked_reason FROM sessions WHERE id = %s", (_sid(tokens["accessToken"]),)
    ).fetchone()
    assert row["revoked_reason"] == "refresh token reused"


def test_a_spent_token_is_reuse_once_its_successor_was_used(api):
    account = new_account(api)
    rotated = api.post("/refresh", json={"refreshToken": account["refreshToken"]}).json()
    assert api.post("/refresh", json={"refreshToken": rotated["refreshToken"]}).status_code == 200

    late = api.post("/refresh", json={"refreshToken": account["refreshToken"]})
    assert late.status_code == 401
    assert "already used" in late.json()["error"]["message"]


def test_a_spent_token_is_reuse_after_the_retry_window(api, db):
    account = new_account(api)
    rotated = api.post("/refresh", json={"refreshToken": account["refreshToken"]}).json()
    # As if the default 60-second window had passed.
    db.execute(
        """UPDATE refresh_tokens SET spent_at = now() - interval '61 seconds'
           WHERE session_id = %s AND spent_at IS NOT NULL""",
        (_sid(rotated["accessToken"]),),
    )

    late = api.post("/refresh", json={"refreshToken": account["refreshToken"]})
    assert late.status_code == 401
    assert "already used" in late.json()["error"]["message"]
    assert api.post("/refresh", json={"refreshToken": rotated["refreshToken"]}).status_code == 401


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


def test_a_token_the_functions_verified_before_is_still_refused_once_it_expires(api):
    """Each instance remembers the access tokens it verified (tokens.verify_access_token);
    a remembered token counts only until its "exp", as PyJWT counts it."""
    account = new_account(api)
    good = jwt.decode(
        account["accessToken"], JWT_SECRET, algorithms=["HS256"], audience="flowchat-api"
    )
    expires = int(time.time()) + 3
    short_lived = _forge({**good, "exp": expires})
    assert _me(api, short_lived).status_code == 200
    assert _me(api, short_lived).status_code == 200  # now from what the instance remembers
    time.sleep(max(expires - time.time(), 0) + 0.2)
    refused = _me(api, short_lived)
    assert refused.status_code == 401
    assert refused.json()["error"]["status"] == "UNAUTHENTICATED"
    assert _me(api, account["accessToken"]).status_code == 200


def test_an_access_token_stops_working_when_its_account_is_disabled(api, db):
    account = new_account(api)
    assert _me(api, account["accessToken"]).status_code == 200
    db.execute("UPDATE users SET disabled = true WHERE id = %s", (account["user"]["id"],))
    refused = _me(api, account["accessToken"])
    assert refused.status_code == 401
    assert refused.json()["error"]["status"] == "UNAUTHENTICATED"
