"""Account lifecycle tests: the real functions host, reading mail from the mail emulator."""

from __future__ import annotations

import re

import pytest

from tests.chat.conftest import admin_db  # noqa: F401  (a fixture the deletion tests use)
from tests.support import emulators
from tests.support.mail import Mailbox

LINK = re.compile(r"https?://\S+?\?token=([A-Za-z0-9_\-%]+)")


@pytest.fixture
def mailbox(functions_host: emulators.EmulatorProcess) -> Mailbox:
    return Mailbox(functions_host.url("mail"))


def token_in(mail: dict) -> str:
    """The token of the one link a mail's text carries (the HTML carries the same link)."""
    found = LINK.findall(mail["Text"])
    assert len(found) == 1, mail["Text"]
    assert found[0] in mail["HTML"]
    return found[0]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
