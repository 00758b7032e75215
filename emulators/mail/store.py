"""The caught messages, parsed once on arrival and kept in arrival order."""

from __future__ import annotations

import email.policy
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

SNIPPET_LENGTH = 250


@dataclass(frozen=True)
class Address:
    name: str
    address: str

    def as_json(self) -> dict[str, str]:
        return {"Name": self.name, "Address": self.address}


@dataclass
class Message:
    id: str
    raw: bytes
    created: datetime
    envelope_from: str
    envelope_to: list[str]
    message_id: str
    sender: Address | None
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    subject: str
    date: str
    text: str
    html: str
    read: bool = field(default=False)

    def _headers(self) -> dict:
        """What the list and the detail views share."""
        return {
            "ID": self.id,
            "MessageID": self.message_id,
            "From": self.sender.as_json() if self.sender else None,
            "To": [a.as_json() for a in self.to],
            "Cc": [a.as_json() for a in self.cc],
            "Bcc": [a.as_json() for a in self.bcc],
            "ReplyTo": [a.as_json() for a in self.reply_to],
            "Subject": self.subject,
            "Tags": [],
            "Size": len(self.raw),
        }

    def summary(self) -> dict:
        """One entry of ``GET /api/v1/messages``, in Mailpit's shape."""
        return {
            **self._headers(),
            "Read": self.read,
            "Created": _iso(self.created),
            "Attachments": 0,
            "Snippet": " ".join(self.text.split())[:SNIPPET_LENGTH],
        }

    def detail(self) -> dict:
        """``GET /api/v1/message/{id}``, in Mailpit's shape."""
        return {
            **self._headers(),
            "ReturnPath": self.envelope_from,
            "Date": self.date or _iso(self.created),
            "Text": self.text,
            "HTML": self.html,
            "Inline": [],
            "Attachments": [],
        }

    @property
    def bcc(self) -> list[Address]:
        """Envelope recipients named in no header: how Bcc shows at the receiving end."""
        shown = {a.address.lower() for a in [*self.to, *self.cc]}
        return [Address("", r) for r in self.envelope_to if r.lower() not in shown]


class MailStore:
    """Thread-safe: the SMTP server adds from its loop, HTTP handlers read from theirs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    def add(self, raw: bytes, envelope_from: str, envelope_to: list[str]) -> Message:
        message = parse(raw, envelope_from, envelope_to)
        with self._lock:
            self._messages.append(message)
        return message

    def newest_first(self) -> list[Message]:
        with self._lock:
            return list(reversed(self._messages))

    def get(self, message_id: str) -> Message | None:
        with self._lock:
            if message_id == "latest":
                return self._messages[-1] if self._messages else None
            return next((m for m in self._messages if m.id == message_id), None)

    def mark_read(self, message: Message) -> None:
        with self._lock:
            message.read = True

    def delete(self, ids: list[str] | None = None) -> None:
        """Delete the messages named, or every message when ``ids`` is empty or None."""
        with self._lock:
            if not ids:
                self._messages.clear()
            else:
                wanted = set(ids)
                self._messages = [m for m in self._messages if m.id not in wanted]


def parse(raw: bytes, envelope_from: str, envelope_to: list[str]) -> Message:
    parsed: EmailMessage = BytesParser(policy=email.policy.default).parsebytes(raw)
    senders = _addresses(parsed, "from")
    return Message(
        id=uuid.uuid4().hex,
        raw=raw,
        created=datetime.now(UTC),
        envelope_from=envelope_from,
        envelope_to=list(envelope_to),
        message_id=str(parsed.get("message-id", "")).strip().strip("<>"),
        sender=senders[0] if senders else None,
        to=_addresses(parsed, "to"),
        cc=_addresses(parsed, "cc"),
        reply_to=_addresses(parsed, "reply-to"),
        subject=str(parsed.get("subject", "")),
        date=str(parsed.get("date", "")),
        text=_body(parsed, "plain"),
        html=_body(parsed, "html"),
    )


def _addresses(parsed: EmailMessage, header: str) -> list[Address]:
    values = [str(v) for v in parsed.get_all(header, [])]
    return [Address(name, address) for name, address in getaddresses(values) if address]


def _body(parsed: EmailMessage, subtype: str) -> str:
    part = parsed.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    return content.replace("\r\n", "\n")  # SMTP's line ends, as the sender wrote them


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
