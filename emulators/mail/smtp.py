"""The SMTP side: aiosmtpd in its own thread, every accepted message handed to the store."""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from emulators.config import Address
from emulators.mail.store import MailStore

log = logging.getLogger(__name__)
# aiosmtpd logs every SMTP command at INFO; one line per caught mail (below) is enough.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Catcher:
    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        message = self.store.add(content, envelope.mail_from or "", list(envelope.rcpt_tos))
        recipients = ", ".join(envelope.rcpt_tos)
        log.info("caught mail %s to %s: %s", message.id, recipients, message.subject)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, store: MailStore, address: Address) -> None:
        # Any address may send and any recipient is accepted: it is a catcher, not a relay.
        self._controller = Controller(
            _Catcher(store), hostname=address.host, port=address.port, ready_timeout=10
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
