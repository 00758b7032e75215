"""login: one generic error for bad credentials, throttling, rehashing, disabled accounts."""

from __future__ import annotations

import uuid

import httpx
from argon2 import PasswordHasher

from tests.support.accounts import new_account


def test_login_by_username_or_email_in_any_case(api):
    account = new_account(api)
    user = account["user"]
    for login in (user["username"], user["username"].upper(), user["email"].upper()):
        response = api.post("/login", json={"login": login, "password": account["password"]})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"] == user
        assert {"accessToken", "refreshToken", "firebaseToken", "expiresIn"} <= set(body)


def test_wrong_password_and_unknown_user_look_the_same(api):
    account = new_account(api)
    wrong = api.post(
        "/login", json={"login": account["user"]["username"], "password": "nope nope nope"}
    )
    unknown = api.post(
        "/login", json={"login": f"ghost{uuid.uuid4().hex[:8]}", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"status": "UNAUTHENTICATED", "message": "invalid login or password"}}
    )


def test_repeated_failures_throttle_the_account_even_from_new_addresses(api, functions_host):
    account = new_account(api)
    login = account["user"]["username"]
    for attempt in range(5):
        with httpx.Client(
            base_url=functions_host.functions_url(),
            headers={"X-Forwarded-For": f"127.9.9.{attempt + 1}"},
        ) as other:
            assert (
                other.post("/login", json={"login": login, "password": "wrong guess!"}).status_code
                == 401
            )
    blocked = api.post(
        "/login",
        json={"login": login, "password": account["password"]},
        headers={"Origin": "http://127.0.0.1:5173"},
    )
    assert blocked.status_code == 429
    assert blocked.headers["Access-Control-Allow-Origin"] in ("*", "http://127.0.0.1:5173")
    assert blocked.headers["Access-Control-Expose-Headers"] == "Retry-After"
    assert blocked.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60


def test_repeated_failures_from_one_address_throttle_that_address(api):
    account = new_account(api)
    for i in range(30):
        response = api.post(
            "/login", json={"login": f"nobody{i}{uuid.uuid4().hex[:6]}", "password": "wrong guess!"}
        )
        assert response.status_code == 401
    blocked = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_a_successful_login_clears_the_account_failures(api):
    account = new_account(api)
    login = account["user"]["username"]
    # Two rounds of 4 failures: the second would hit the limit of 5 had the success between
    # them not cleared the first.
    for _ in range(2):
        for _ in range(4):
            assert (
                api.post("/login", json={"login": login, "password": "wrong guess!"}).status_code
                == 401
            )
        assert (
            api.post("/login", json={"login": login, "password": account["password"]}).status_code
            == 200
        )


def test_login_rehashes_a_password_stored_with_old_parameters(api, db):
    account = new_account(api)
    user_id = account["user"]["id"]
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
        account["password"]
    )
    db.execute("UPDATE users SET password_hash = %s WHERE id = %s", (weak, user_id))
    response = api.post(
        "/login", json={"login": account["user"]["email"], "password": account["password"]}
    )
    assert response.status_code == 200
    stored = db.execute("SELECT password_hash FROM users WHERE id = %s", (user_id,)).fetchone()
    assert stored["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_disabled_account_cannot_log_in(api, db):
    account = new_account(api)
    db.execute("UPDATE users SET disabled = true WHERE id = %s", (account["user"]["id"],))
    response = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_login_needs_both_fields(api):
    response = api.post("/login", json={"login": "someone"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "password: field required"
