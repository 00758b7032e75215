"""firebase_admin against the Auth emulator: custom tokens, ID tokens, account admin."""

from __future__ import annotations

import base64
import json
import time

import firebase_admin
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import auth

SIGN_IN = "/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=fake-api-key"
LOOKUP = "/identitytoolkit.googleapis.com/v1/accounts:lookup?key=fake-api-key"
REFRESH = "/securetoken.googleapis.com/v1/token?key=fake-api-key"


def sign_in(http: httpx.Client, custom_token: bytes | str) -> dict:
    token = custom_token.decode() if isinstance(custom_token, bytes) else custom_token
    response = http.post(SIGN_IN, json={"token": token, "returnSecureToken": True})
    assert response.status_code == 200, response.text
    return response.json()


def refresh(http: httpx.Client, refresh_token: str) -> httpx.Response:
    return http.post(
        REFRESH,
        content=f"grant_type=refresh_token&refresh_token={refresh_token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def error_message(response: httpx.Response) -> str:
    return response.json()["error"]["message"]


def jwt_part(token: str, index: int) -> dict:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_custom_token_sign_in_gives_an_id_token_firebase_admin_accepts(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    custom = auth.create_custom_token("alice", {"role": "moderator"}, app=admin_app)
    assert jwt_part(custom.decode(), 0)["alg"] == "none"  # emulator-mode signing

    body = sign_in(http, custom)
    assert body["isNewUser"] is True
    assert body["expiresIn"] == "3600"
    assert body["refreshToken"]

    header = jwt_part(body["idToken"], 0)
    assert header["alg"] == "none"
    assert body["idToken"].endswith(".")  # unsigned: empty signature

    claims = auth.verify_id_token(body["idToken"], check_revoked=True, app=admin_app)
    assert claims["uid"] == claims["sub"] == claims["user_id"] == "alice"
    assert claims["iss"] == "https://securetoken.google.com/demo-flowchat"
    assert claims["aud"] == "demo-flowchat"
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["auth_time"] - time.time()) < 5
    assert claims["firebase"] == {"identities": {}, "sign_in_provider": "custom"}
    assert claims["role"] == "moderator"

    again = sign_in(http, auth.create_custom_token("alice", app=admin_app))
    assert again["isNewUser"] is False


def test_signed_custom_tokens_are_accepted_without_a_signature_check(
    http: httpx.Client, admin_app: firebase_admin.App
) -> None:
    """A token signed with a (locally generated) service-account key, as production mints
    them, is read like Google's emulator reads it: claims yes, signature unchecked."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "sa@demo-flowchat.iam.gserviceaccount.com",
            "sub": "sa@demo-flowchat.iam.gserviceaccount.com",
            "aud": "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit",
            "uid": "signed-user",
            "iat": now,
            "exp": now + 3600,
            "claims": {"plan": "pro"},
        },
        pem,
        algorithm="RS256",
    )
    body = sign_in(http, token)
    claims = auth.verify_id_token(body["idToken"], app=admin_app)
    assert claims["uid"] == "signed-user"
    assert claims["plan"] == "pro"


def test_custom_claims_reach_refreshed_tokens(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    body = sign_in(http, auth.create_custom_token("bob", {"fromToken": 1}, app=admin_app))
    auth.set_custom_user_claims("bob", {"admin": True, "level": 3}, app=admin_app)
    assert auth.get_user("bob", app=admin_app).custom_claims == {"admin": True, "level": 3}

    refreshed = refresh(http, body["refreshToken"])
    assert refreshed.status_code == 200, refreshed.text
    tokens = refreshed.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["user_id"] == "bob"
    assert tokens["expires_in"] == "3600"
    assert tokens["access_token"] == tokens["id_token"]
    claims = auth.verify_id_token(tokens["id_token"], check_revoked=True, app=admin_app)
    assert claims["admin"] is True
    assert claims["level"] == 3
    assert claims["fromToken"] == 1  # developer claims of the custom token survive refresh

    auth.set_custom_user_claims("bob", None, app=admin_app)
    assert auth.get_user("bob", app=admin_app).custom_claims is None
    claims = jwt_part(refresh(http, body["refreshToken"]).json()["id_token"], 1)
    assert "admin" not in claims


def test_revoked_tokens_are_refused_and_cannot_be_refreshed(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    body = sign_in(http, auth.create_custom_token("carol", app=admin_app))
    # validSince has one-second resolution and firebase_admin compares iat against it.
    time.sleep(1.1)
    auth.revoke_refresh_tokens("carol", app=admin_app)
    user = auth.get_user("carol", app=admin_app)
    assert user.tokens_valid_after_timestamp // 1000 == int(time.time()) or (
        user.tokens_valid_after_timestamp // 1000 == int(time.time()) - 1
    )

    with pytest.raises(auth.RevokedIdTokenError):
        auth.verify_id_token(body["idToken"], check_revoked=True, app=admin_app)
    # Without check_revoked nothing is looked up, as in production.
    assert auth.verify_id_token(body["idToken"], app=admin_app)["uid"] == "carol"

    refused = refresh(http, body["refreshToken"])
    assert refused.status_code == 400
    assert error_message(refused) == "TOKEN_EXPIRED"

    lookup = http.post(LOOKUP, json={"idToken": body["idToken"]})
    assert lookup.status_code == 400
    assert error_message(lookup) == "TOKEN_EXPIRED"

    fresh = sign_in(http, auth.create_custom_token("carol", app=admin_app))
    assert auth.verify_id_token(fresh["idToken"], check_revoked=True, app=admin_app)
    assert refresh(http, fresh["refreshToken"]).status_code == 200


def test_revocation_in_the_same_second_still_cuts_refresh_tokens(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    body = sign_in(http, auth.create_custom_token("dave", app=admin_app))
    auth.revoke_refresh_tokens("dave", app=admin_app)
    refused = refresh(http, body["refreshToken"])
    assert refused.status_code == 400
    assert error_message(refused) == "TOKEN_EXPIRED"


def test_disabled_users_are_refused_everywhere(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    body = sign_in(http, auth.create_custom_token("erin", app=admin_app))
    auth.update_user("erin", disabled=True, app=admin_app)
    assert auth.get_user("erin", app=admin_app).disabled is True

    with pytest.raises(auth.UserDisabledError):
        auth.verify_id_token(body["idToken"], check_revoked=True, app=admin_app)
    assert error_message(refresh(http, body["refreshToken"])) == "USER_DISABLED"
    again = http.post(
        SIGN_IN, json={"token": auth.create_custom_token("erin", app=admin_app).decode()}
    )
    assert again.status_code == 400
    assert error_message(again) == "USER_DISABLED"

    auth.update_user("erin", disabled=False, app=admin_app)
    assert auth.verify_id_token(body["idToken"], check_revoked=True, app=admin_app)
    assert refresh(http, body["refreshToken"]).status_code == 200


def test_deleted_users_lose_their_tokens(admin_app: firebase_admin.App, http: httpx.Client) -> None:
    body = sign_in(http, auth.create_custom_token("frank", app=admin_app))
    auth.delete_user("frank", app=admin_app)

    with pytest.raises(auth.UserNotFoundError):
        auth.get_user("frank", app=admin_app)
    with pytest.raises(auth.UserNotFoundError):
        auth.verify_id_token(body["idToken"], check_revoked=True, app=admin_app)
    assert error_message(refresh(http, body["refreshToken"])) == "USER_NOT_FOUND"
    with pytest.raises(auth.UserNotFoundError):
        auth.delete_user("frank", app=admin_app)


def test_user_administration(admin_app: firebase_admin.App) -> None:
    created = auth.create_user(
        uid="grace",
        email="Grace@Example.com",
        display_name="Grace",
        photo_url="https://example.com/g.png",
        password="secret-pass",
        app=admin_app,
    )
    assert created.uid == "grace"
    assert created.email == "grace@example.com"
    assert created.display_name == "Grace"
    assert created.user_metadata.creation_timestamp > 0
    assert [p.provider_id for p in created.provider_data] == ["password"]
    assert auth.get_user_by_email("grace@example.com", app=admin_app).uid == "grace"

    with pytest.raises(auth.UidAlreadyExistsError):
        auth.create_user(uid="grace", app=admin_app)
    with pytest.raises(auth.EmailAlreadyExistsError):
        auth.create_user(email="grace@example.com", app=admin_app)

    generated = auth.create_user(app=admin_app)
    assert len(generated.uid) == 28

    updated = auth.update_user(
        "grace",
        display_name=auth.DELETE_ATTRIBUTE,
        photo_url="https://example.com/new.png",
        email_verified=True,
        app=admin_app,
    )
    assert updated.display_name is None
    assert updated.photo_url == "https://example.com/new.png"
    assert updated.email_verified is True

    wanted = [auth.UidIdentifier("grace"), auth.UidIdentifier("nobody")]
    found = auth.get_users(wanted, app=admin_app)
    assert [u.uid for u in found.users] == ["grace"]
    assert [i.uid for i in found.not_found] == ["nobody"]


def test_list_users_pages_through_every_account(admin_app: firebase_admin.App) -> None:
    uids = [f"user-{n:02d}" for n in range(7)]
    for uid in uids:
        auth.create_user(uid=uid, app=admin_app)
    first = auth.list_users(max_results=3, app=admin_app)
    assert [u.uid for u in first.users] == uids[:3]
    assert first.has_next_page
    listed = [u.uid for u in first.iterate_all()]
    assert listed == uids


def test_batch_delete_requires_disabled_accounts_unless_forced(
    admin_app: firebase_admin.App, http: httpx.Client
) -> None:
    auth.create_user(uid="x1", app=admin_app)
    auth.create_user(uid="x2", disabled=True, app=admin_app)
    # firebase_admin always forces; the unforced form is only reachable on the wire.
    response = http.post(
        "/identitytoolkit.googleapis.com/v1/projects/demo-flowchat/accounts:batchDelete",
        json={"localIds": ["x1", "x2"]},
        headers={"Authorization": "Bearer owner"},
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["index"] == 0
    assert response.json()["errors"][0]["message"].startswith("NOT_DISABLED")
    assert auth.get_user("x1", app=admin_app)
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user("x2", app=admin_app)

    result = auth.delete_users(["x1", "never-existed"], app=admin_app)
    assert result.success_count == 2
    assert result.failure_count == 0
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user("x1", app=admin_app)


def test_reset_removes_every_account(admin_app: firebase_admin.App, http: httpx.Client) -> None:
    auth.create_user(uid="temp-1", app=admin_app)
    body = sign_in(http, auth.create_custom_token("temp-2", app=admin_app))
    assert len(list(auth.list_users(app=admin_app).iterate_all())) == 2

    response = http.delete("/emulator/v1/projects/demo-flowchat/accounts")
    assert response.status_code == 200
    assert response.json() == {}
    assert list(auth.list_users(app=admin_app).iterate_all()) == []
    assert error_message(refresh(http, body["refreshToken"])) == "INVALID_REFRESH_TOKEN"
