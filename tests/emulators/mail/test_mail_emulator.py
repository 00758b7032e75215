"""``python -m emulators start --only mail``: real SMTP in, Mailpit's HTTP API out."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest

from tests.support import emulators
from tests.support.mail import Mailbox


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulators.EmulatorProcess]:
    process = emulators.start(tmp_path_factory.mktemp("mail"), ["mail"])
    yield process
    process.stop()


@pytest.fixture
def mailbox(running: emulators.EmulatorProcess) -> Mailbox:
    box = Mailbox(running.url("mail"))
    box.clear()
    return box


def send(running: emulators.EmulatorProcess, message: EmailMessage, **kwargs) -> None:
    with smtplib.SMTP("127.0.0.1", running.ports[emulators.SMTP], timeout=10) as smtp:
        smtp.send_message(message, **kwargs)


def mail(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "FlowChat <no-reply@flowchat.test>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@flowchat.test>"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def test_a_sent_message_is_listed_and_read_back_with_both_parts(running, mailbox):
    send(running, mail("Ada <ada@example.com>", "Reset your password", "Hi Ada\n", "<p>Hi Ada</p>"))

    listing = httpx.get(f"{running.url('mail')}/api/v1/messages").json()
    assert listing["total"] == 1 and listing["unread"] == 1 and listing["count"] == 1
    summary = listing["messages"][0]
    assert summary["From"] == {"Name": "FlowChat", "Address": "no-reply@flowchat.test"}
    assert summary["To"] == [{"Name": "Ada", "Address": "ada@example.com"}]
    assert summary["Subject"] == "Reset your password"
    assert summary["MessageID"] == "Reset-your-password@flowchat.test"
    assert summary["Snippet"] == "Hi Ada"
    assert summary["Created"].endswith("Z")

    detail = mailbox.message(summary["ID"])
    assert detail["Text"] == "Hi Ada\n"
    assert detail["HTML"].strip() == "<p>Hi Ada</p>"
    assert detail["ReturnPath"] == "no-reply@flowchat.test"
    assert httpx.get(f"{running.url('mail')}/api/v1/messages").json()["unread"] == 0


def test_every_message_is_kept_newest_first_and_latest_is_the_newest(running, mailbox):
    for n in range(3):
        send(running, mail(f"u{n}@example.com", f"mail {n}", f"body {n}"))
    subjects = [m["Subject"] for m in mailbox.messages()]
    assert subjects == ["mail 2", "mail 1", "mail 0"]
    assert mailbox.message("latest")["Subject"] == "mail 2"
    page = httpx.get(f"{running.url('mail')}/api/v1/messages?start=1&limit=1").json()
    assert [m["Subject"] for m in page["messages"]] == ["mail 1"]
    assert page["total"] == 3 and page["start"] == 1


def test_envelope_only_recipients_show_as_bcc(running, mailbox):
    send(
        running,
        mail("ada@example.com", "copy", "x"),
        to_addrs=["ada@example.com", "hidden@example.com"],
    )
    [summary] = mailbox.messages()
    assert summary["Bcc"] == [{"Name": "", "Address": "hidden@example.com"}]


def test_delete_some_then_all(running, mailbox):
    for n in range(3):
        send(running, mail("ada@example.com", f"m{n}", "x"))
    first = mailbox.messages()[-1]["ID"]
    response = httpx.request(
        "DELETE", f"{running.url('mail')}/api/v1/messages", json={"IDs": [first]}
    )
    assert response.status_code == 200
    assert [m["Subject"] for m in mailbox.messages()] == ["m2", "m1"]
    mailbox.clear()
    assert mailbox.messages() == []


def test_bad_requests_get_clear_errors(running, mailbox):
    base = running.url("mail")
    assert httpx.get(f"{base}/api/v1/message/nosuch").status_code == 404
    assert httpx.get(f"{base}/api/v1/messages?limit=abc").status_code == 400
    bad_ids = httpx.request("DELETE", f"{base}/api/v1/messages", json={"IDs": "all"})
    assert bad_ids.status_code == 400
    not_json = httpx.request("DELETE", f"{base}/api/v1/messages", content=b"{")
    assert not_json.status_code == 400


def test_inbox_page_lists_messages_and_shows_html_sandboxed(running, mailbox):
    send(running, mail("ada@example.com", "Verify <you>", "plain", "<script>x()</script><b>hi</b>"))
    page = httpx.get(f"{running.url('mail')}/")
    assert page.status_code == 200
    assert "Verify &lt;you&gt;" in page.text and "ada@example.com" in page.text
    [summary] = mailbox.messages()
    view = httpx.get(f"{running.url('mail')}/view/{summary['ID']}")
    assert view.status_code == 200
    assert "<iframe sandbox srcdoc=" in view.text
    assert "<script>" not in view.text  # escaped into the sandboxed frame's srcdoc
