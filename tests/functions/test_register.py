"""register: the account is created once, with a good hash, and bad input is refused."""

from __future__ import annotations

import hashlib
import threading
import uuid

import jwt
import pytest

from tests.conftest import JWT_SECRET
from tests.support.accounts import new_account


def test_register_returns_the_user_and_three_tokens(api, db):
    suffix = uuid.uuid4().hex[:8]
    response = api.post(
        "/register",
        json={
            "email": f"  Ada.{suffix}@Example.COM ",
            "username": f"Ada_{suffix}",
            "password": "analytical engine 1843",
            "displayName": "  Ada   Lovelace ",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    user = body["user"]
    assert user["email"] == f"ada.{suffix}@example.com"
    assert user["username"] == f"Ada_{suffix}"
    assert user["displayName"] == "Ada Lovelace"
    assert set(user) == {
        "id",
        "email",
        "username",
        "displayName",
        "avatarUrl",
        "bio",
        "createdAt",
        "emailVerified",
    }
    assert user["emailVerified"] is False  # a confirmation link is mailed (tests/account)
    assert body["expiresIn"] == 15 * 60

    claims = jwt.decode(
        body["accessToken"],
        JWT_SECRET,
        algorithms=["HS256"],
        audience="flowchat-api",
        issuer="flowchat",
    )
    assert claims["sub"] == user["id"]
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["sid"]

    firebase_claims = jwt.decode(body["firebaseToken"], options={"verify_signature": False})
    assert firebase_claims["uid"] == user["id"]
    assert firebase_claims["aud"].endswith("google.identity.identitytoolkit.v1.IdentityToolkit")

    stored = db.execute("SELECT password_hash FROM users WHERE id = %s", (user["id"],)).fetchone()
    # OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane.
    assert stored["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "analytical" not in stored["password_hash"]
    refresh_rows = db.execute(
        "SELECT t.token_hash FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
        "WHERE s.user_id = %s",
        (user["id"],),
    ).fetchall()
    assert len(refresh_rows) == 1
    # Stored as its SHA-256 only, never the token itself.
    token_digest = hashlib.sha256(body["refreshToken"].encode()).digest()
    assert bytes(refresh_rows[0]["token_hash"]) == token_digest


def test_email_and_username_are_unique_ignoring_case(api):
    account = new_account(api)
    user = account["user"]
    same_email = api.post(
        "/register",
        json={
            "email": user["email"].upper(),
            "username": f"other{uuid.uuid4().hex[:8]}",
            "password": "a long enough passphrase",
            "displayName": "Other",
        },
    )
    assert same_email.status_code == 409
    assert same_email.json()["error"] == {
        "status": "ALREADY_EXISTS",
        "message": "email: is already taken",
    }
    same_username = api.post(
        "/register",
        json={
            "email": f"x{uuid.uuid4().hex[:8]}@example.com",
            "username": user["username"].upper(),
            "password": "a long enough passphrase",
            "displayName": "Other",
        },
    )
    assert same_username.status_code == 409
    assert same_username.json()["error"]["message"] == "username: is already taken"


def test_concurrent_registrations_of_one_username_have_exactly_one_winner(api, db):
    username = f"race{uuid.uuid4().hex[:8]}"
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def register(i: int) -> None:
        barrier.wait()
        response = api.post(
            "/register",
            json={
                "email": f"{username}.{i}@example.com",
                "username": username,
                "password": "a long enough passphrase",
                "displayName": "Racer",
            },
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 7
    count = db.execute("SELECT count(*) AS n FROM users WHERE lower(username) = %s", (username,))
    assert count.fetchone()["n"] == 1


def _valid_body() -> dict:
    suffix = uuid.uuid4().hex[:8]
    return {
        "email": f"v{suffix}@example.com",
        "username": f"v{suffix}",
        "password": "a long enough passphrase",
        "displayName": "Valid",
    }


@pytest.mark.parametrize("field", ["email", "username", "password", "displayName"])
def test_a_missing_field_is_named(api, field):
    body = _valid_body()
    del body[field]
    response = api.post("/register", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "status": "INVALID_ARGUMENT",
        "message": f"{field}: field required",
    }


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("email", "not-an-address", "is not a valid email address"),
        ("email", 42, "input should be a valid string"),
        ("username", "a", "must be 3-30 letters"),
        ("username", "has space", "must be 3-30 letters"),
        ("username", "x" * 31, "must be 3-30 letters"),
        ("displayName", "   ", "must not be empty"),
        ("displayName", "x" * 65, "must be at most 64 characters"),
        ("password", "short", "must be at least 8 characters"),
        ("password", "x" * 129, "must be at most 128 characters"),
        ("password", "Password123", "is one of the most common passwords"),
        ("password", None, "input should be a valid string"),
    ],
)
def test_invalid_fields_are_refused_with_the_field_named(api, db, field, value, problem):
    body = {**_valid_body(), field: value}
    users_before = db.execute("SELECT count(*) AS n FROM users").fetchone()["n"]
    response = api.post("/register", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith(f"{field}: {problem}")
    assert db.execute("SELECT count(*) AS n FROM users").fetchone()["n"] == users_before


def test_password_equal_to_the_username_is_refused(api):
    body = _valid_body()
    body["username"] += "long"
    body["password"] = body["username"].upper()
    response = api.post("/register", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "password: must not be your email or username"


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b'{"email": "a@example.com"', "application/json", "body: is not valid JSON"),
        (b'["a", "list"]', "application/json", "body: must be a JSON object"),
        (b'{"email": "a@example.com"}', "text/plain", "Content-Type: must be application/json"),
        (b"email=a@example.com", "application/x-www-form-urlencoded", "Content-Type: must be"),
        (
            b'{"pad": "' + b"x" * 70_000 + b'"}',
            "application/json",
            "body: must be at most 65536 bytes",
        ),
    ],
)
def test_malformed_bodies_are_refused(api, content, content_type, message):
    response = api.post("/register", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


def test_wrong_method_is_refused_without_a_stack_trace(api):
    response = api.get("/register")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"]["status"] == "METHOD_NOT_ALLOWED"
    assert "Traceback" not in response.text


def test_unknown_function_is_a_json_404(api):
    response = api.post("/noSuchFunction", json={})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"
