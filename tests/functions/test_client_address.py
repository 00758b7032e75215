"""The address the per-address login throttle counts: X-Forwarded-For is trusted only as
far as TRUSTED_PROXY_HOPS proxies, so a client cannot pick its own address. Header text the
functions store (the address, the User-Agent) has its control characters dropped."""

from __future__ import annotations

import pytest
from dotenv import dotenv_values
from flask import Request
from werkzeug.test import EnvironBuilder

from handlers.http import client_address, header_text
from tests.support.emulators import PROJECT, ROOT

PEER = "10.1.2.3"


def _request(forwarded: str | None) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    builder = EnvironBuilder(path="/login", headers=headers, environ_base={"REMOTE_ADDR": PEER})
    return Request(builder.get_environ())


@pytest.mark.parametrize(
    ("hops", "forwarded", "address"),
    [
        # No proxies trusted: whatever the client wrote is ignored.
        (0, "203.0.113.7", PEER),
        (0, None, PEER),
        # Google's front end appends the address it saw; earlier entries are the client's.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (1, None, PEER),
        # A load balancer in front of the front end: two entries are ours.
        (2, "6.6.6.6, 203.0.113.7, 198.51.100.1", "203.0.113.7"),
        # Fewer entries than proxies: the request did not come through them.
        (2, "203.0.113.7", PEER),
        (1, " , ", PEER),
    ],
)
def test_forwarded_entries_are_trusted_only_as_far_as_our_proxies(
    monkeypatch, hops, forwarded, address
):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", str(hops))
    assert client_address(_request(forwarded)) == address


def test_production_trusts_the_one_entry_googles_front_end_appends(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    assert client_address(_request("6.6.6.6, 203.0.113.7")) == "203.0.113.7"


def test_the_local_demo_project_trusts_no_forwarded_header():
    """The emulators load ``functions/.env.<project>``; the demo project is never deployed."""
    demo = dotenv_values(ROOT / "functions" / f".env.{PROJECT}")
    assert demo["TRUSTED_PROXY_HOPS"] == "0"


def test_control_characters_in_stored_header_text_are_dropped(monkeypatch):
    """A NUL, which PostgreSQL cannot store: the local host's server refuses such a request
    before any function (tests/input/test_bad_input.py), but a server in front of the
    functions in production need not, so the functions drop them themselves."""
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    builder = EnvironBuilder(
        path="/register",
        headers={"User-Agent": "agent\x00x\x07", "X-Forwarded-For": "127.0.0.1\x00"},
        environ_base={"REMOTE_ADDR": PEER},
    )
    request = Request(builder.get_environ())
    assert header_text(request, "User-Agent", limit=512) == "agentx"
    assert client_address(request) == "127.0.0.1"
