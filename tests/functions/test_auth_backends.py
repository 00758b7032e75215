"""Where our Auth emulator and Google's (firebase-tools) answer differently, each test says
what it expects from whom; docs/emulators/auth.md lists the same differences. Production
behaves as ours does in each case (firebase.google.com/docs/auth/admin/manage-sessions,
/docs/auth/admin/create-custom-tokens)."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt

from tests.support.accounts import new_account

SERVICE_ACCOUNT = "firebase-adminsdk@demo-flowchat.iam.gserviceaccount.com"
AUDIENCE = (
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
)


def sign_in(functions_host, custom_token: str) -> httpx.Response:
    return httpx.post(
        f"{functions_host.url('auth')}/identitytoolkit.googleapis.com/v1/"
        "accounts:signInWithCustomToken?key=fake-api-key",
        json={"token": custom_token, "returnSecureToken": True},
    )


def refresh(functions_host, refresh_token: str) -> httpx.Response:
    return httpx.post(
        f"{functions_host.url('auth')}/securetoken.googleapis.com/v1/token?key=fake-api-key",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
    )


def unsigned_custom_token(uid: str, issued: int) -> str:
    """A custom token as firebase_admin makes one for an emulator (unsigned)."""
    claims = {
        "iss": SERVICE_ACCOUNT,
        "sub": SERVICE_ACCOUNT,
        "aud": AUDIENCE,
        "uid": uid,
        "iat": issued,
        "exp": issued + 3600,
    }
    return jwt.encode(claims, key=None, algorithm="none")


def error_message(response: httpx.Response) -> str:
    return response.json()["error"]["message"]


def test_after_logout_firebase_refresh(api, functions_host, auth_backend):
    """Logout revokes the user's Firebase refresh tokens. On both emulators the ID token from
    before logout is refused by the functions. Ours, like production, then refuses to
    refresh. Google's emulator still refreshes; the new ID token is refused all the same,
    because the functions judge revocation on the sign-in time (``auth_time``, which a
    refresh keeps) rather than on the issue time (``iat``, which firebase_admin's
    check_revoked compares and which a refresh renews)."""
    account = new_account(api)
    signed_in = sign_in(functions_host, account["firebaseToken"]).json()
    before = {"Authorization": f"Bearer {signed_in['idToken']}"}
    assert api.get("/me", headers=before).status_code == 200
    time.sleep(1.1)  # revocation has one-second resolution
    logout = api.post("/logout", headers={"Authorization": f"Bearer {account['accessToken']}"})
    assert logout.status_code == 204
    assert api.get("/me", headers=before).status_code == 401

    refreshed = refresh(functions_host, signed_in["refreshToken"])
    if auth_backend == "ours":
        assert refreshed.status_code == 400
        assert error_message(refreshed) == "TOKEN_EXPIRED"
        return
    assert refreshed.status_code == 200, refreshed.text
    after = {"Authorization": f"Bearer {refreshed.json()['id_token']}"}
    assert api.get("/me", headers=after).status_code == 401


def test_refresh_for_a_deleted_user(functions_host, auth_backend):
    """Ours answers USER_NOT_FOUND, as production documents; Google's emulator answers
    INVALID_REFRESH_TOKEN. Either way the refresh fails with 400."""
    uid = f"gone-{uuid.uuid4().hex[:8]}"
    signed_in = sign_in(functions_host, unsigned_custom_token(uid, int(time.time()))).json()
    deleted = httpx.post(
        f"{functions_host.url('auth')}/identitytoolkit.googleapis.com/v1/projects/"
        f"{functions_host.project}/accounts:delete",
        json={"localId": uid},
        headers={"Authorization": "Bearer owner"},
    )
    assert deleted.status_code == 200, deleted.text

    refreshed = refresh(functions_host, signed_in["refreshToken"])
    assert refreshed.status_code == 400
    expected = {"ours": "USER_NOT_FOUND", "google": "INVALID_REFRESH_TOKEN"}[auth_backend]
    assert error_message(refreshed) == expected


def test_an_expired_custom_token(functions_host, auth_backend):
    """A custom token lives one hour. Ours refuses an expired one as production does;
    Google's emulator signs it in anyway. (FlowChat's client exchanges the token it gets at
    login or refresh at once, so it does not depend on either answer.)"""
    stale = unsigned_custom_token(f"late-{uuid.uuid4().hex[:8]}", int(time.time()) - 7200)
    response = sign_in(functions_host, stale)
    if auth_backend == "ours":
        assert response.status_code == 400
        assert error_message(response).startswith("INVALID_CUSTOM_TOKEN")
    else:
        assert response.status_code == 200, response.text


def test_a_uid_over_128_characters(functions_host, auth_backend):
    """Production limits uids to 128 characters; ours refuses a longer one, Google's
    emulator accepts it. FlowChat's uids are 36-character UUIDs."""
    response = sign_in(functions_host, unsigned_custom_token("u" * 129, int(time.time())))
    if auth_backend == "ours":
        assert response.status_code == 400
        assert error_message(response).startswith("INVALID_CUSTOM_TOKEN")
    else:
        assert response.status_code == 200, response.text
