"""The one ID-token verifier every emulator uses (emulators/auth/idtokens.py): production's
checks, signatures aside."""

from __future__ import annotations

import time

import jwt
import pytest

from emulators.auth import idtokens

PROJECT = "demo-flowchat"


def claims_for(uid: str = "alice", project: str = PROJECT, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": idtokens.issuer(project),
        "aud": project,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        **overrides,
    }


def test_an_auth_emulator_token_gives_its_claims():
    token = idtokens.encode_unsigned(claims_for(admin=True))
    claims = idtokens.verify(token, PROJECT)
    assert (claims["uid"], claims["user_id"], claims["admin"]) == ("alice", "alice", True)


def test_an_expired_token_is_refused():
    now = int(time.time())
    token = idtokens.encode_unsigned(claims_for(iat=now - 7200, exp=now - 3600))
    with pytest.raises(idtokens.InvalidIdToken, match="expired"):
        idtokens.verify(token, PROJECT)


def test_a_token_for_another_project_is_refused():
    token = idtokens.encode_unsigned(claims_for(project="someone-elses-project"))
    with pytest.raises(idtokens.InvalidIdToken, match="audience"):
        idtokens.verify(token, PROJECT)


def test_a_token_with_the_right_audience_but_another_issuer_is_refused():
    token = idtokens.encode_unsigned(claims_for(iss="https://securetoken.google.com/other"))
    with pytest.raises(idtokens.InvalidIdToken, match="issuer"):
        idtokens.verify(token, PROJECT)


def test_a_flowchat_access_token_is_refused():
    # The shape of functions/accounts/tokens.py's access token: HS256, its own iss/aud.
    now = int(time.time())
    access = jwt.encode(
        {
            "iss": "flowchat",
            "aud": "flowchat",
            "sub": "alice",
            "sid": "s",
            "iat": now,
            "exp": now + 900,
        },
        "x" * 32,
        algorithm="HS256",
    )
    with pytest.raises(idtokens.InvalidIdToken, match="algorithm"):
        idtokens.verify(access, PROJECT)


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"iat": int(time.time()) + 600}, "future"),
        ({"auth_time": int(time.time()) + 600}, "auth_time"),
        ({"sub": ""}, "sub"),
        ({"sub": "u" * 129}, "sub"),
        ({"exp": "soon"}, "numeric"),
    ],
)
def test_claims_production_refuses_are_refused(overrides, reason):
    with pytest.raises(idtokens.InvalidIdToken, match=reason):
        idtokens.verify(idtokens.encode_unsigned(claims_for(**overrides)), PROJECT)


def test_a_mock_user_token_is_accepted_as_googles_emulators_do():
    # What connectFirestoreEmulator(db, host, port, {mockUserToken: {user_id: "bob"}}) sends.
    token = idtokens.encode_unsigned(claims_for("bob", iat=0, exp=3600, auth_time=0))
    assert idtokens.verify(token, PROJECT, accept_mock_user_tokens=True)["uid"] == "bob"
    with pytest.raises(idtokens.InvalidIdToken, match="expired"):
        idtokens.verify(token, PROJECT)  # the functions host and the Auth emulator refuse it


def test_a_mock_user_token_for_another_project_is_refused():
    token = idtokens.encode_unsigned(claims_for("bob", project="other", iat=0, exp=3600))
    with pytest.raises(idtokens.InvalidIdToken, match="audience"):
        idtokens.verify(token, PROJECT, accept_mock_user_tokens=True)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b", idtokens.encode_unsigned({"iat": 1}), None, 42],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(idtokens.InvalidIdToken):
        idtokens.verify(token, PROJECT)
