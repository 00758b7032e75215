"""``python -m emulators start --only mail``: SMTP on ``smtpPort``, Mailpit's API on ``port``.

The functions find it through ``MAIL_EMULATOR_HOST``, set by the functions host.
"""

from __future__ import annotations

from emulators.base import Emulator
from emulators.mail.routes import create_app
from emulators.mail.smtp import SmtpServer
from emulators.mail.store import MailStore
from emulators.serving import BackgroundServer


class MailEmulator(Emulator):
    name = "mail"

    def start(self) -> None:
        self.store = MailStore()
        self.smtp = SmtpServer(self.store, self.config.smtp_address)
        self.smtp.start()
        self.server = BackgroundServer(create_app(self.store), self.address, name=self.name)
        try:
            self.server.start()
        except BaseException:
            self.smtp.stop()
            raise

    def stop(self) -> None:
        self.server.stop()
        self.smtp.stop()
