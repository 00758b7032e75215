"""How the Firestore and Database emulators read ID tokens (emulators/auth/idtokens.py)."""

from __future__ import annotations

import time

import pytest

from emulators.auth import idtokens


def test_an_auth_emulator_token_gives_its_claims():
    now = int(time.time())
    token = idtokens.encode_unsigned({"sub": "alice", "iat": now, "exp": now + 3600, "admin": True})
    claims = idtokens.decode(token)
    assert (claims["uid"], claims["user_id"], claims["admin"]) == ("alice", "alice", True)


def test_an_expired_token_is_refused():
    now = int(time.time())
    token = idtokens.encode_unsigned({"sub": "alice", "iat": now - 7200, "exp": now - 3600})
    with pytest.raises(idtokens.InvalidIdToken, match="expired"):
        idtokens.decode(token)


def test_a_mock_user_token_is_accepted_as_googles_emulators_do():
    # What connectFirestoreEmulator(db, host, port, {mockUserToken: {user_id: "bob"}}) sends.
    token = idtokens.encode_unsigned(
        {
            "iat": 0,
            "exp": 3600,
            "auth_time": 0,
            "sub": "bob",
            "user_id": "bob",
            "aud": "demo-flowchat",
            "iss": "https://securetoken.google.com/demo-flowchat",
        }
    )
    assert idtokens.decode(token)["uid"] == "bob"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", idtokens.encode_unsigned({"iat": 1})])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(idtokens.InvalidIdToken):
        idtokens.decode(token)
