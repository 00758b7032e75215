"""Who may write what under FlowChat's database.rules.json: every client-writable path and
field with its bounds, the function-owned revocation times, and logout reaching the
Realtime Database. Decided by our rules engine used as a library (the targaryen
conformance suite in tests/emulators/database checks the engine itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulators.database import paths
from emulators.database.engine import DatabaseEngine
from emulators.database.rules.ruleset import Auth, Ruleset

ROOT = Path(__file__).resolve().parents[2]
RULES = Ruleset(json.loads((ROOT / "database.rules.json").read_text()))
NOW_MS = 1_764_000_000_000
LOGGED_OUT_AT = NOW_MS // 1000 - 1800
SIGNED_IN_AT = NOW_MS // 1000 - 600
BEFORE_LOGOUT = LOGGED_OUT_AT - 3600
SERVER_TIME = {".sv": "timestamp"}
ONLINE = {"state": "online", "lastChanged": SERVER_TIME}

DATA = {
    "status": {"carol": {"c1": {"state": "online", "lastChanged": NOW_MS - 5000}}},
    "revocations": {"carol": {"revokedAt": LOGGED_OUT_AT}},
}
ROOT_NODE = DatabaseEngine._apply_set(None, (), DATA, NOW_MS)[0]


def auth(uid: str, auth_time: int = SIGNED_IN_AT) -> Auth:
    return Auth(
        False, {"uid": uid, "provider": "custom", "token": {"sub": uid, "auth_time": auth_time}}
    )


def can_write(who: Auth | None, path: str, value: Any) -> bool:
    location = paths.parse(path)
    new_root, _ = DatabaseEngine._apply_set(ROOT_NODE, location, value, NOW_MS)
    return RULES.can_write([location], ROOT_NODE, new_root, who or Auth(), NOW_MS)


def can_read(who: Auth | None, path: str) -> bool:
    return RULES.can_read(paths.parse(path), ROOT_NODE, who or Auth(), NOW_MS)


CASES = [
    # (description, who, path, value, allowed)
    ("own connection online", auth("carol"), "/status/carol/c2", ONLINE, True),
    ("own connection away", auth("carol"), "/status/carol/c2", {**ONLINE, "state": "away"}, True),
    ("own connection removed", auth("carol"), "/status/carol/c1", None, True),
    ("another's connection", auth("bob"), "/status/carol/c2", ONLINE, False),
    ("signed out", None, "/status/carol/c2", ONLINE, False),
    ("connection key of 32", auth("carol"), "/status/carol/" + "k" * 32, ONLINE, True),
    ("connection key of 33", auth("carol"), "/status/carol/" + "k" * 33, ONLINE, False),
    ("connection key of 700", auth("carol"), "/status/carol/" + "k" * 700, ONLINE, False),
    ("state unknown", auth("carol"), "/status/carol/c2", {**ONLINE, "state": "busy"}, False),
    ("state not a string", auth("carol"), "/status/carol/c2", {**ONLINE, "state": 1}, False),
    (
        "state of 10,000 characters",
        auth("carol"),
        "/status/carol/c2",
        {**ONLINE, "state": "o" * 10_000},
        False,
    ),
    (
        "lastChanged from the client clock",
        auth("carol"),
        "/status/carol/c2",
        {**ONLINE, "lastChanged": 5},
        False,
    ),
    ("lastChanged missing", auth("carol"), "/status/carol/c2", {"state": "online"}, False),
    ("extra field", auth("carol"), "/status/carol/c2", {**ONLINE, "note": "x" * 100}, False),
    (
        "a nested extra field",
        auth("carol"),
        "/status/carol/c2",
        {**ONLINE, "deep": {"a": 1}},
        False,
    ),
    # The room a connection has open and focused (the notifier pushes nothing for it): the
    # person's own, apart from presence so that nobody else can read it.
    ("focused room", auth("carol"), "/focus/carol/c2", "r1", True),
    ("focused room of 128", auth("carol"), "/focus/carol/c2", "r" * 128, True),
    ("focused room of 129", auth("carol"), "/focus/carol/c2", "r" * 129, False),
    ("focused room empty", auth("carol"), "/focus/carol/c2", "", False),
    ("focused room a number", auth("carol"), "/focus/carol/c2", 7, False),
    ("focused room a map", auth("carol"), "/focus/carol/c2", {"room": "r1"}, False),
    ("focus cleared", auth("carol"), "/focus/carol/c2", None, True),
    ("focus key of 33", auth("carol"), "/focus/carol/" + "k" * 33, "r1", False),
    ("focus of another", auth("bob"), "/focus/carol/c2", "r1", False),
    ("focus signed out", None, "/focus/carol/c2", "r1", False),
    ("focus after logout", auth("carol", BEFORE_LOGOUT), "/focus/carol/c2", "r1", False),
    (
        "presence carries no focus",
        auth("carol"),
        "/status/carol/c2",
        {**ONLINE, "focusRoom": "r1"},
        False,
    ),
    ("the whole status node", auth("carol"), "/status/carol", {"c2": ONLINE}, False),
    ("a sign-in ended by logout", auth("carol", BEFORE_LOGOUT), "/status/carol/c2", ONLINE, False),
    (
        "a sign-in in the logout's second",
        auth("carol", LOGGED_OUT_AT),
        "/status/carol/c2",
        ONLINE,
        True,
    ),
    # A sign-in ended by logout may still go away: its onDisconnect runs with its auth.
    ("a logged-out token removes", auth("carol", BEFORE_LOGOUT), "/status/carol/c1", None, True),
    (
        "a logged-out token goes offline",
        auth("carol", BEFORE_LOGOUT),
        "/status/carol/c1",
        {**ONLINE, "state": "offline"},
        True,
    ),
    (
        "a logged-out token goes away",
        auth("carol", BEFORE_LOGOUT),
        "/status/carol/c1",
        {**ONLINE, "state": "away"},
        False,
    ),
    ("a person never logged out", auth("bob", BEFORE_LOGOUT), "/status/bob/c1", ONLINE, True),
    ("own revocation time", auth("carol"), "/revocations/carol", {"revokedAt": 0}, False),
    ("own revocation removed", auth("carol"), "/revocations/carol", None, False),
    ("another's revocation time", auth("bob"), "/revocations/carol/revokedAt", 0, False),
    ("anything else", auth("carol"), "/other", 1, False),
]


@pytest.mark.parametrize(
    ("who", "path", "value", "allowed"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_writes(who, path, value, allowed):
    assert can_write(who, path, value) is allowed


def test_reads():
    assert can_read(auth("bob"), "/status/carol") is True
    assert can_read(None, "/status/carol") is False
    assert can_read(auth("bob"), "/status") is False
    assert can_read(auth("carol"), "/revocations/carol") is False
    # Which room someone has open is for the functions only, the person included.
    assert can_read(auth("bob"), "/focus/carol") is False
    assert can_read(auth("carol"), "/focus/carol") is False
