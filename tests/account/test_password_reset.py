"""requestPasswordReset and resetPassword, through the functions host and the mail emulator."""

from __future__ import annotations

import statistics
import time
import uuid

from tests.account.conftest import bearer, token_in
from tests.support.accounts import new_account

SAME_ANSWER = {
    "ok": True,
    "message": "If an account uses this address, a reset link is on its way.",
}


def ask_reset(api, email: str):
    return api.post("/requestPasswordReset", json={"email": email})


def test_forgot_password_from_mail_to_login_ends_every_session(api, mailbox, db):
    account = new_account(api)
    email = account["user"]["email"]
    old_access = account["accessToken"]

    answer = ask_reset(api, email.upper())  # addresses compare as identifier keys
    assert answer.status_code == 202 and answer.json() == SAME_ANSWER
    [mail] = [m for m in mailbox.wait_for(email, count=2) if "Reset" in m["Subject"]]
    assert mail["Subject"] == "Reset your FlowChat password"
    assert mail["From"]["Address"] == "no-reply@flowchat.example"
    assert account["user"]["displayName"] in mail["Text"]
    assert "/reset-password?token=" in mail["Text"] and "30 minutes" in mail["Text"]
    token = token_in(mail)
    # Stored hashed: the raw token appears nowhere in PostgreSQL once the mail is sent.
    leaked = db.execute(
        "SELECT count(*) AS n FROM mail_outbox WHERE body_text LIKE %s", (f"%{token}%",)
    ).fetchone()
    assert leaked["n"] == 0

    new_password = f"a brand new secret {uuid.uuid4().hex[:6]}"
    done = api.post("/resetPassword", json={"token": token, "password": new_password})
    assert done.status_code == 200, done.text

    # Every session ended, the old password is gone, the new one works.
    assert api.get("/me", headers=bearer(old_access)).status_code == 401
    assert api.post("/refresh", json={"refreshToken": account["refreshToken"]}).status_code == 401
    old_login = api.post("/login", json={"login": email, "password": account["password"]})
    assert old_login.status_code == 401
    assert api.post("/login", json={"login": email, "password": new_password}).status_code == 200
    notices = [m for m in mailbox.wait_for(email, count=3) if "was changed" in m["Subject"]]
    assert len(notices) == 1
    revoked = db.execute(
        "SELECT revoked_at FROM token_revocations WHERE user_id = %s", (account["user"]["id"],)
    ).fetchone()
    assert revoked is not None


def test_a_reset_link_works_once(api, mailbox):
    account = new_account(api)
    email = account["user"]["email"]
    ask_reset(api, email)
    token = token_in(next(m for m in mailbox.wait_for(email, count=2) if "Reset" in m["Subject"]))
    first = api.post("/resetPassword", json={"token": token, "password": "first new secret 1"})
    assert first.status_code == 200
    again = api.post("/resetPassword", json={"token": token, "password": "second new secret 2"})
    assert again.status_code == 400
    assert "invalid, used or expired" in again.json()["error"]["message"]
    login = api.post("/login", json={"login": email, "password": "first new secret 1"})
    assert login.status_code == 200


def test_an_expired_link_is_refused(api, mailbox, db):
    account = new_account(api)
    email = account["user"]["email"]
    ask_reset(api, email)
    token = token_in(next(m for m in mailbox.wait_for(email, count=2) if "Reset" in m["Subject"]))
    db.execute(
        """UPDATE mail_tokens SET expires_at = now() - interval '1 second'
           WHERE user_id = %s AND purpose = 'reset_password'""",
        (account["user"]["id"],),
    )
    expired = api.post("/resetPassword", json={"token": token, "password": "too late secret 1"})
    assert expired.status_code == 400
    assert api.post("/login", json={"login": email, "password": account["password"]}).is_success


def test_a_weak_password_is_refused_and_the_link_stays_usable(api, mailbox):
    account = new_account(api)
    email = account["user"]["email"]
    ask_reset(api, email)
    token = token_in(next(m for m in mailbox.wait_for(email, count=2) if "Reset" in m["Subject"]))
    weak = api.post("/resetPassword", json={"token": token, "password": "short"})
    assert weak.status_code == 400 and weak.json()["error"]["message"].startswith("password:")
    good = api.post("/resetPassword", json={"token": token, "password": "a much better one 9"})
    assert good.status_code == 200


def test_unknown_and_made_up_tokens_are_refused(api):
    for token in ("x", "A" * 43, "no such token at all"):
        response = api.post("/resetPassword", json={"token": token, "password": "fine secret 12"})
        assert response.status_code == 400, token
    too_long = api.post("/resetPassword", json={"token": "x" * 500, "password": "fine secret 12"})
    assert too_long.status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(api, mailbox, db):
    nobody = f"nobody{uuid.uuid4().hex[:8]}@example.com"
    answer = ask_reset(api, nobody)
    assert answer.status_code == 202 and answer.json() == SAME_ANSWER
    time.sleep(1)
    assert mailbox.to(nobody) == []
    queued = db.execute(
        "SELECT count(*) AS n FROM mail_outbox WHERE recipient = %s", (nobody,)
    ).fetchone()
    assert queued["n"] == 0


def test_requests_are_throttled_per_address_with_or_without_an_account(api, mailbox):
    account = new_account(api)
    for email in (account["user"]["email"], f"ghost{uuid.uuid4().hex[:8]}@example.com"):
        answers = [ask_reset(api, email).status_code for _ in range(4)]
        assert answers == [202, 202, 202, 429], email
    # Three reset mails reached the real address (plus the sign-up mail), not a fourth.
    time.sleep(1)
    resets = [m for m in mailbox.to(account["user"]["email"]) if "Reset" in m["Subject"]]
    assert len(resets) == 3


def test_requests_are_throttled_per_client(api):
    statuses = [
        ask_reset(api, f"spray{n}{uuid.uuid4().hex[:6]}@example.com").status_code for n in range(21)
    ]
    assert statuses[:20] == [202] * 20 and statuses[20] == 429


def test_answer_time_does_not_tell_whether_the_address_has_an_account(functions_host, db):
    """The mail goes out after the answer; both kinds of address do the same work before.
    Medians of interleaved requests from fresh client addresses (so the per-client throttle
    never answers instead)."""
    import httpx

    account_emails = []
    with httpx.Client(base_url=functions_host.functions_url(), timeout=30) as client:
        for _ in range(12):
            suffix = uuid.uuid4().hex[:10]
            body = {
                "email": f"timing{suffix}@example.com",
                "username": f"timing{suffix}",
                "password": f"horse battery {suffix}",
                "displayName": "Timing",
            }
            assert client.post("/register", json=body).status_code == 201
            account_emails.append(body["email"])
        known, unknown = [], []
        for n, email in enumerate(account_emails):
            for target, times in (
                (email, known),
                (f"ghost{n}{uuid.uuid4().hex}@example.com", unknown),
            ):
                headers = {"X-Forwarded-For": f"10.9.{n}.{len(times) + len(known)}"}
                start = time.perf_counter()
                response = client.post(
                    "/requestPasswordReset", json={"email": target}, headers=headers
                )
                times.append(time.perf_counter() - start)
                assert response.status_code == 202
    difference = abs(statistics.median(known) - statistics.median(unknown))
    # A lookup that answered early for unknown addresses, or waited for the SMTP server for
    # known ones, differs by far more than this (one mail to the emulator takes ~10 ms+).
    assert difference < 0.02, (statistics.median(known), statistics.median(unknown))
