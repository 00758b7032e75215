"""Hands one mail to an SMTP server.

Production reads ``SMTP_URL``: ``smtps://USER:PASSWORD@HOST[:465]`` speaks TLS from the
first byte, ``smtp://USER:PASSWORD@HOST[:587]`` must upgrade with STARTTLS (a server that
does not offer it is refused: credentials and reset links never cross the network in the
clear). Under the emulators, ``MAIL_EMULATOR_HOST`` names the mail emulator, reached in
plain SMTP on the loopback, and wins over ``SMTP_URL`` as the other emulator hosts do.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import settings

TIMEOUT_SECONDS = 15


class PermanentFailure(Exception):
    """The server refused the mail for good (bad recipient, bad configuration)."""


@dataclass(frozen=True)
class Outgoing:
    mail_id: int
    recipient: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)  # List-Unsubscribe ...


def build(mail: Outgoing) -> EmailMessage:
    message = EmailMessage()
    sender = settings.MAIL_FROM.value
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    # The same id on every attempt: a receiver that got a mail whose acknowledgement was
    # lost can tell the retry is the same message.
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "flowchat.invalid"
    message["Message-ID"] = f"<mail-{mail.mail_id}@{domain}>"
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send(mail: Outgoing) -> None:
    message = build(mail)
    try:
        with _connect() as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipient refused: {exc.recipients}") from None
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError):
            raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from None
        raise


def _connect() -> smtplib.SMTP:
    emulator = os.environ.get("MAIL_EMULATOR_HOST")
    if emulator:
        host, _, port = emulator.rpartition(":")
        return smtplib.SMTP(host, int(port), timeout=TIMEOUT_SECONDS)
    url = urlsplit(settings.SMTP_URL.value or "")
    if url.scheme not in ("smtps", "smtp") or not url.hostname:
        raise PermanentFailure(
            "SMTP_URL must be smtps://USER:PASSWORD@HOST or smtp://... (STARTTLS)"
        )
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            url.hostname, url.port or 465, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(url.hostname, url.port or 587, timeout=TIMEOUT_SECONDS)
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            smtp.close()
            raise PermanentFailure(f"{url.hostname} does not offer STARTTLS; refusing to send")
        smtp.starttls(context=context)
        smtp.ehlo()
    if url.username:
        smtp.login(unquote(url.username), unquote(url.password or ""))
    return smtp
