"""Logins are compared and throttled by one normalised form of the identifier (NFKC,
case-folded, trimmed): another spelling of the same login, or the email instead of the
username, gets no fresh counter, and a spelling that is not the same finds no account."""

from __future__ import annotations

import uuid

import httpx

from tests.support.accounts import new_account

WRONG = "wrong guess, again"


def _fail_five_times(functions_host, login: str) -> None:
    """Five failures, each from another address, so only the account counters fill."""
    for attempt in range(5):
        with httpx.Client(
            base_url=functions_host.functions_url(),
            headers={"X-Forwarded-For": f"127.{uuid.uuid4().int % 250}.8.{attempt + 1}"},
        ) as other:
            response = other.post("/login", json={"login": login, "password": WRONG})
            assert response.status_code == 401, response.text


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_failures_by_username_throttle_logins_by_email(api, functions_host):
    account = new_account(api)
    _fail_five_times(functions_host, account["user"]["username"])
    response = api.post(
        "/login", json={"login": account["user"]["email"].upper(), "password": account["password"]}
    )
    assert response.status_code == 429, response.text


def test_failures_by_email_throttle_logins_by_username(api, functions_host):
    account = new_account(api)
    _fail_five_times(functions_host, account["user"]["email"])
    response = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    )
    assert response.status_code == 429, response.text


def test_a_dotted_capital_i_is_another_login_not_a_fresh_counter(api, functions_host):
    account = new_account(api, username=f"alice{uuid.uuid4().hex[:8]}")
    username = account["user"]["username"]
    dotted = username.replace("i", "\u0130", 1)
    _fail_five_times(functions_host, username)
    response = api.post("/login", json={"login": dotted, "password": account["password"]})
    assert response.status_code == 401, response.text  # it does not find alice's account


def test_a_compatibility_spelling_finds_the_account_and_shares_its_counter(api, functions_host):
    account = new_account(api)
    username = account["user"]["username"]
    wide = _fullwidth(username.upper())
    ok = api.post("/login", json={"login": wide, "password": account["password"]})
    assert ok.status_code == 200, ok.text
    _fail_five_times(functions_host, wide)
    throttled = api.post("/login", json={"login": username, "password": account["password"]})
    assert throttled.status_code == 429, throttled.text


def test_a_compatibility_spelling_of_a_taken_email_is_taken(api):
    account = new_account(api)
    local, domain = account["user"]["email"].split("@")
    response = api.post(
        "/register",
        json={
            "email": f"{_fullwidth(local)}@{domain}",
            "username": f"other{uuid.uuid4().hex[:8]}",
            "password": "horse battery staple 42",
            "displayName": "Copy",
        },
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"]["message"] == "email: is already taken"


def test_a_key_the_migration_folded_otherwise_is_corrected_at_login(api, db):
    """Migration 0006 keyed existing rows with SQL lower(), which keeps 'ß'; identifier_key
    folds it to 'ss'. Logging in by username stores the right key, and the email works."""
    suffix = uuid.uuid4().hex[:8]
    account = new_account(api, email=f"straße{suffix}@example.com")
    db.execute("UPDATE users SET email_key = lower(email) WHERE id = %s", (account["user"]["id"],))
    by_email = {"login": f"STRASSE{suffix}@example.com", "password": account["password"]}
    assert api.post("/login", json=by_email).status_code == 401
    by_username = {"login": account["user"]["username"], "password": account["password"]}
    assert api.post("/login", json=by_username).status_code == 200
    assert api.post("/login", json=by_email).status_code == 200
