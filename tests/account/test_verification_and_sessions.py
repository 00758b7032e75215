"""Email verification, change password and the session list, through the functions host."""

from __future__ import annotations

import time

from tests.account.conftest import bearer, token_in
from tests.support.accounts import new_account

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.0.0 Safari/537.36"
)
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0"


def me(api, access: str) -> dict:
    response = api.get("/me", headers=bearer(access))
    assert response.status_code == 200, response.text
    return response.json()["user"]


def test_sign_up_mails_a_link_that_verifies_the_address_once(api, mailbox):
    account = new_account(api)
    email, access = account["user"]["email"], account["accessToken"]
    assert account["user"]["emailVerified"] is False
    [mail] = mailbox.wait_for(email)
    assert mail["Subject"] == "Confirm your email address for FlowChat"
    token = token_in(mail)
    assert "/verify-email?token=" in mail["Text"]

    verified = api.post("/verifyEmail", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["emailVerified"] is True
    assert me(api, access)["emailVerified"] is True
    assert api.post("/verifyEmail", json={"token": token}).status_code == 400
    # Verified people are not sent more links.
    again = api.post("/requestEmailVerification", headers=bearer(access))
    assert again.status_code == 400


def test_verification_on_request_is_rate_limited(api, mailbox):
    account = new_account(api)
    access = account["accessToken"]
    statuses = [
        api.post("/requestEmailVerification", headers=bearer(access)).status_code for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
    mails = mailbox.wait_for(account["user"]["email"], count=4)  # sign-up + three requests
    # Any unspent link works; the newest one here.
    assert api.post("/verifyEmail", json={"token": token_in(mails[0])}).status_code == 200
    assert api.post("/requestEmailVerification").status_code == 401


def test_a_reset_token_does_not_verify_an_address(api, mailbox):
    account = new_account(api)
    email = account["user"]["email"]
    api.post("/requestPasswordReset", json={"email": email})
    reset = next(m for m in mailbox.wait_for(email, count=2) if "Reset" in m["Subject"])
    assert api.post("/verifyEmail", json={"token": token_in(reset)}).status_code == 400


def test_change_password_needs_the_current_one_and_ends_the_other_sessions(api, mailbox):
    account = new_account(api)
    email = account["user"]["email"]
    other = api.post("/login", json={"login": email, "password": account["password"]}).json()

    wrong = api.post(
        "/changePassword",
        json={"currentPassword": "not it at all", "newPassword": "a new good secret 1"},
        headers=bearer(account["accessToken"]),
    )
    assert wrong.status_code == 403
    changed = api.post(
        "/changePassword",
        json={"currentPassword": account["password"], "newPassword": "a new good secret 1"},
        headers=bearer(account["accessToken"]),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["firebaseToken"]
    assert me(api, account["accessToken"])["id"] == account["user"]["id"]  # this one kept
    assert api.get("/me", headers=bearer(other["accessToken"])).status_code == 401
    assert api.post("/refresh", json={"refreshToken": other["refreshToken"]}).status_code == 401
    login = api.post("/login", json={"login": email, "password": "a new good secret 1"})
    assert login.status_code == 200
    assert any("was changed" in m["Subject"] for m in mailbox.wait_for(email, count=2))


def test_change_password_guesses_are_throttled(api):
    account = new_account(api)
    statuses = [
        api.post(
            "/changePassword",
            json={"currentPassword": f"guess number {n}", "newPassword": "a new good secret 1"},
            headers=bearer(account["accessToken"]),
        ).status_code
        for n in range(6)
    ]
    assert statuses == [403] * 5 + [429]


def test_sessions_list_marks_this_one_and_names_devices(api):
    account = new_account(api)
    email, password = account["user"]["email"], account["password"]
    phone = api.post(
        "/login",
        json={"login": email, "password": password},
        headers={"User-Agent": FIREFOX_ANDROID},
    ).json()
    desk = api.post(
        "/login", json={"login": email, "password": password}, headers={"User-Agent": CHROME}
    ).json()
    time.sleep(0.01)

    listed = api.get("/listSessions", headers=bearer(desk["accessToken"]))
    assert listed.status_code == 200
    sessions = listed.json()["sessions"]
    assert len(sessions) == 3
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1 and current[0]["device"] == "Chrome on Windows"
    assert any(s["device"] == "Firefox Mobile on Android" for s in sessions)
    assert all(s["createdAt"] and s["lastUsedAt"] for s in sessions)

    phone_id = next(s["id"] for s in sessions if "Android" in s["device"])
    ended = api.post(
        "/revokeSession", json={"sessionId": phone_id}, headers=bearer(desk["accessToken"])
    )
    assert ended.status_code == 200
    assert api.get("/me", headers=bearer(phone["accessToken"])).status_code == 401

    others = api.post("/revokeOtherSessions", headers=bearer(desk["accessToken"]))
    assert others.status_code == 200 and others.json()["ended"] == 1
    assert api.get("/me", headers=bearer(account["accessToken"])).status_code == 401
    [left] = api.get("/listSessions", headers=bearer(desk["accessToken"])).json()["sessions"]
    assert left["current"] is True


def test_nobody_can_end_someone_elses_session(api):
    alice, bob = new_account(api), new_account(api)
    bob_sessions = api.get("/listSessions", headers=bearer(bob["accessToken"])).json()["sessions"]
    response = api.post(
        "/revokeSession",
        json={"sessionId": bob_sessions[0]["id"]},
        headers=bearer(alice["accessToken"]),
    )
    assert response.status_code == 404
    assert api.get("/me", headers=bearer(bob["accessToken"])).status_code == 200
    bad = api.post(
        "/revokeSession", json={"sessionId": "nope"}, headers=bearer(alice["accessToken"])
    )
    assert bad.status_code == 400


def test_a_new_address_replaces_the_old_only_once_confirmed_and_the_old_is_told(api, mailbox):
    account = new_account(api)
    old, access = account["user"]["email"], account["accessToken"]
    new = f"moved.{old}"
    wrong = api.post(
        "/requestEmailChange",
        json={"newEmail": new, "password": "not my password"},
        headers=bearer(access),
    )
    assert wrong.status_code == 403
    asked = api.post(
        "/requestEmailChange",
        json={"newEmail": new, "password": account["password"]},
        headers=bearer(access),
    )
    assert asked.status_code == 202, asked.text
    assert me(api, access)["email"] == old  # nothing changes before the link is opened
    [mail] = mailbox.wait_for(new)
    assert mail["Subject"] == "Confirm your new email address for FlowChat"

    confirmed = api.post("/verifyEmail", json={"token": token_in(mail)})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["user"]["email"] == new
    assert confirmed.json()["user"]["emailVerified"] is True
    notices = [m for m in mailbox.wait_for(old, count=2) if "was changed" in m["Subject"]]
    assert len(notices) == 1 and new in notices[0]["Text"]
    assert (
        api.post("/login", json={"login": old, "password": account["password"]}).status_code == 401
    )
    assert api.post("/login", json={"login": new, "password": account["password"]}).is_success


def test_an_address_in_use_cannot_be_asked_for_nor_confirmed_once_taken(api, mailbox):
    alice, bob = new_account(api), new_account(api)
    taken = api.post(
        "/requestEmailChange",
        json={"newEmail": bob["user"]["email"], "password": alice["password"]},
        headers=bearer(alice["accessToken"]),
    )
    assert taken.status_code == 409
    wanted = f"wanted.{alice['user']['email']}"
    api.post(
        "/requestEmailChange",
        json={"newEmail": wanted, "password": alice["password"]},
        headers=bearer(alice["accessToken"]),
    )
    [mail] = mailbox.wait_for(wanted)
    # Bob takes the address first; Alice's link then cannot take it from him.
    api.post(
        "/requestEmailChange",
        json={"newEmail": wanted, "password": bob["password"]},
        headers=bearer(bob["accessToken"]),
    )
    bobs = mailbox.wait_for(wanted, count=2)[0]
    assert api.post("/verifyEmail", json={"token": token_in(bobs)}).status_code == 200
    late = api.post("/verifyEmail", json={"token": token_in(mail)})
    assert late.status_code == 409
    assert me(api, alice["accessToken"])["email"] == alice["user"]["email"]
