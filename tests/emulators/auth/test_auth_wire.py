"""The Auth emulator's wire behaviour that the SDKs depend on: error shapes and codes,
bad input, CORS; and the in-process API other emulators use."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulators import config as config_module
from emulators.auth import idtokens
from emulators.auth.emulator import AuthEmulator
from emulators.auth.service import TokenStatus
from emulators.base import Hub
from tests.support import emulators

API = "/identitytoolkit.googleapis.com/v1"
ADMIN = f"{API}/projects/demo-flowchat"
CUSTOM_AUDIENCE = (
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
)
OWNER = {"Authorization": "Bearer owner"}


def unsigned(payload: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def claims_of(id_token: str) -> dict:
    return idtokens.decode_unverified(id_token)[1]


def custom_token(uid: str, **extra) -> str:
    now = int(time.time())
    return unsigned({"aud": CUSTOM_AUDIENCE, "uid": uid, "iat": now, "exp": now + 3600, **extra})


def sign_in(http: httpx.Client, token: str) -> httpx.Response:
    return http.post(f"{API}/accounts:signInWithCustomToken?key=k", json={"token": token})


def assert_error(response: httpx.Response, status: int, message: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status
    assert error["message"].startswith(message), error["message"]
    assert error["errors"][0]["domain"] == "global"
    assert error["errors"][0]["message"] == error["message"]
    return error


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not-a-jwt", "INVALID_CUSTOM_TOKEN"),
        ("a.b.c", "INVALID_CUSTOM_TOKEN"),
        (unsigned({"aud": "demo-flowchat", "uid": "u"}), "INVALID_CUSTOM_TOKEN"),
        (custom_token("u" * 129), "INVALID_CUSTOM_TOKEN"),
        (custom_token(""), "MISSING_IDENTIFIER"),
        (custom_token("u", exp=int(time.time()) - 10), "INVALID_CUSTOM_TOKEN"),
        (custom_token("u", claims={"sub": "other"}), "FORBIDDEN_CLAIM"),
        (custom_token("u", claims=["not", "a", "map"]), "INVALID_CLAIMS"),
        (custom_token("u", claims={"big": "x" * 1000}), "CLAIMS_TOO_LARGE"),
    ],
)
def test_bad_custom_tokens_are_refused(http: httpx.Client, token: str, code: str) -> None:
    assert_error(sign_in(http, token), 400, code)


def test_missing_token_and_bad_json(http: httpx.Client) -> None:
    assert_error(
        http.post(f"{API}/accounts:signInWithCustomToken", json={}), 400, "MISSING_CUSTOM_TOKEN"
    )
    response = http.post(
        f"{API}/accounts:signInWithCustomToken",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "Invalid JSON payload received. Expecting property name")
    assert error["status"] == "INVALID_ARGUMENT"


def test_uid_of_128_characters_is_accepted(http: httpx.Client) -> None:
    response = sign_in(http, custom_token("u" * 128))
    assert response.status_code == 200, response.text
    claims = claims_of(response.json()["idToken"])
    assert claims["sub"] == "u" * 128


def test_an_id_token_is_not_a_custom_token(http: httpx.Client) -> None:
    id_token = sign_in(http, custom_token("henry")).json()["idToken"]
    assert_error(sign_in(http, id_token), 400, "INVALID_CUSTOM_TOKEN")


def test_refresh_endpoint_errors(http: httpx.Client) -> None:
    url = "/securetoken.googleapis.com/v1/token?key=k"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_error(http.post(url, content="", headers=form), 400, "MISSING_GRANT_TYPE")
    assert_error(
        http.post(url, content="grant_type=password&refresh_token=x", headers=form),
        400,
        "INVALID_GRANT_TYPE",
    )
    assert_error(
        http.post(url, content="grant_type=refresh_token", headers=form),
        400,
        "MISSING_REFRESH_TOKEN",
    )
    assert_error(
        http.post(url, content="grant_type=refresh_token&refresh_token=nope", headers=form),
        400,
        "INVALID_REFRESH_TOKEN",
    )
    # JSON bodies with the camelCase names work too.
    refresh_token = sign_in(http, custom_token("ivy")).json()["refreshToken"]
    response = http.post(url, json={"grantType": "refresh_token", "refreshToken": refresh_token})
    assert response.status_code == 200
    assert response.json()["user_id"] == "ivy"


def test_client_updates_are_limited_to_the_own_profile(http: httpx.Client) -> None:
    id_token = sign_in(http, custom_token("jack")).json()["idToken"]
    update = f"{API}/accounts:update?key=k"
    assert_error(
        http.post(update, json={"idToken": id_token, "disableUser": True}),
        400,
        "OPERATION_NOT_ALLOWED",
    )
    assert_error(
        http.post(update, json={"idToken": id_token, "customAttributes": '{"admin":true}'}),
        400,
        "INSUFFICIENT_PERMISSION",
    )
    assert_error(http.post(update, json={"localId": "jack"}), 400, "INVALID_REQ_TYPE")
    assert_error(
        http.post(update, json={"idToken": id_token, "displayName": 5}), 400, "Invalid value"
    )
    assert_error(http.post(update, json={"idToken": "garbage"}), 400, "INVALID_ID_TOKEN")

    response = http.post(update, json={"idToken": id_token, "displayName": "Jack"})
    assert response.status_code == 200
    assert response.json()["displayName"] == "Jack"
    assert "idToken" not in response.json()  # profile changes keep the session

    cleared = http.post(update, json={"idToken": id_token, "displayName": ""})
    assert "displayName" not in cleared.json()
    untouched = http.post(update, json={"idToken": id_token, "displayName": None})
    assert "displayName" not in untouched.json()


def test_client_password_change_signs_out_other_sessions(http: httpx.Client) -> None:
    first = sign_in(http, custom_token("nina")).json()
    time.sleep(1.1)  # validSince has one-second resolution
    second = sign_in(http, custom_token("nina")).json()
    changed = http.post(
        f"{API}/accounts:update?key=k",
        json={"idToken": second["idToken"], "password": "new password", "returnSecureToken": True},
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    assert fresh["idToken"] and fresh["refreshToken"]
    assert claims_of(fresh["idToken"])["firebase"]["sign_in_provider"] == "custom"

    refresh = "/securetoken.googleapis.com/v1/token?key=k"
    for old in (first, second):
        refused = http.post(
            refresh, json={"grantType": "refresh_token", "refreshToken": old["refreshToken"]}
        )
        assert_error(refused, 400, "TOKEN_EXPIRED")
    assert_error(
        http.post(f"{API}/accounts:lookup?key=k", json={"idToken": first["idToken"]}),
        400,
        "TOKEN_EXPIRED",
    )
    renewed = http.post(
        refresh, json={"grantType": "refresh_token", "refreshToken": fresh["refreshToken"]}
    )
    assert renewed.status_code == 200


def test_admin_endpoints_need_admin_credentials(http: httpx.Client) -> None:
    error = assert_error(http.get(f"{ADMIN}/accounts:batchGet"), 401, "Request is missing")
    assert error["status"] == "UNAUTHENTICATED"
    assert_error(
        http.post(f"{ADMIN}/accounts", json={}, headers={"Authorization": "Bearer nonsense"}),
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token "
        "('Bearer owner' in the emulator).",
    )
    assert_error(
        http.post(f"{ADMIN}/accounts", json={"localId": "x" * 129}, headers=OWNER),
        400,
        "INVALID_ID",
    )
    assert_error(
        http.post(f"{ADMIN}/accounts", json={"email": "no-at-sign"}, headers=OWNER),
        400,
        "INVALID_EMAIL",
    )
    assert_error(
        http.post(f"{ADMIN}/accounts", json={"password": "123"}, headers=OWNER),
        400,
        "WEAK_PASSWORD",
    )
    assert_error(
        http.post(f"{ADMIN}/accounts:update", json={"localId": "ghost"}, headers=OWNER),
        400,
        "USER_NOT_FOUND",
    )
    assert_error(
        http.get(f"{ADMIN}/accounts:batchGet?maxResults=5000", headers=OWNER),
        400,
        "INVALID_PAGE_SIZE",
    )


def test_unknown_paths_and_methods(http: httpx.Client) -> None:
    error = assert_error(http.post(f"{API}/accounts:nope"), 404, "No such endpoint")
    assert error["status"] == "NOT_FOUND"
    assert_error(http.get(f"{API}/accounts:lookup"), 405, "Method Not Allowed")


def test_cors_preflight_and_response_headers(http: httpx.Client) -> None:
    preflight = http.options(
        f"{API}/accounts:signInWithCustomToken",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-client-version,x-firebase-gmpid",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "x-firebase-gmpid" in preflight.headers["access-control-allow-headers"]
    response = http.post(
        f"{API}/accounts:signInWithCustomToken",
        json={"token": custom_token("kim")},
        headers={"Origin": "http://localhost:5173"},
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_password_sign_in_for_admin_created_users(http: httpx.Client) -> None:
    created = http.post(
        f"{ADMIN}/accounts",
        json={"localId": "lee", "email": "lee@example.com", "password": "correct horse"},
        headers=OWNER,
    )
    assert created.status_code == 200
    url = f"{API}/accounts:signInWithPassword?key=k"
    ok = http.post(url, json={"email": "LEE@example.com", "password": "correct horse"})
    assert ok.status_code == 200
    claims = claims_of(ok.json()["idToken"])
    assert claims["firebase"]["sign_in_provider"] == "password"
    assert claims["email"] == "lee@example.com"
    assert_error(
        http.post(url, json={"email": "lee@example.com", "password": "wrong horse"}),
        400,
        "INVALID_LOGIN_CREDENTIALS",
    )


# --- the in-process API ------------------------------------------------------------------


@pytest.fixture
def in_process(tmp_path: Path) -> Iterator[tuple[AuthEmulator, httpx.Client]]:
    config_path, _ports = emulators.write_config(tmp_path, ["auth"])
    config = config_module.load(config_path, "demo-flowchat")
    emulator = AuthEmulator(config, Hub(config))
    emulator.start()
    try:
        with httpx.Client(base_url=f"http://{emulator.address}", timeout=10) as client:
            yield emulator, client
    finally:
        emulator.stop()


def test_in_process_token_checks(in_process: tuple[AuthEmulator, httpx.Client]) -> None:
    emulator, http = in_process
    assert emulator.environment() == {"FIREBASE_AUTH_EMULATOR_HOST": str(emulator.address)}
    id_token = sign_in(http, custom_token("mia")).json()["idToken"]
    claims = claims_of(id_token)
    assert emulator.is_token_valid(claims)
    assert emulator.verify_id_token(id_token)["uid"] == "mia"
    assert emulator.get_user("mia").custom_auth is True

    expired = {**claims, "exp": int(time.time()) - 1}
    assert emulator.token_status(expired) is TokenStatus.EXPIRED
    stranger = {**claims, "user_id": "nobody", "sub": "nobody"}
    assert emulator.token_status(stranger) is TokenStatus.USER_NOT_FOUND
    other_project = {**claims, "aud": "someone-elses-project"}
    assert emulator.token_status(other_project) is TokenStatus.USER_NOT_FOUND

    update = f"{ADMIN}/accounts:update"
    http.post(update, json={"localId": "mia", "disableUser": True}, headers=OWNER)
    assert emulator.token_status(claims) is TokenStatus.USER_DISABLED
    with pytest.raises(idtokens.InvalidIdToken, match="user-disabled"):
        emulator.verify_id_token(id_token)

    http.post(update, json={"localId": "mia", "disableUser": False}, headers=OWNER)
    revoked_at = claims["iat"] + 1
    http.post(update, json={"localId": "mia", "validSince": str(revoked_at)}, headers=OWNER)
    assert emulator.token_status(claims) is TokenStatus.REVOKED
    assert not emulator.is_token_valid(claims)

    http.post(f"{ADMIN}/accounts:delete", json={"localId": "mia"}, headers=OWNER)
    assert emulator.token_status(claims) is TokenStatus.USER_NOT_FOUND
