"""Rule cases evaluated by our engine and by targaryen (npm), the offline reference
evaluator: both must give the same allow/deny answer, and the answer we expect.

Our side goes through the same code the server runs (Ruleset checks on the trees that
DatabaseEngine builds, server timestamps resolved at the same ``now``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from emulators.database import paths
from emulators.database.engine import DatabaseEngine
from emulators.database.query import (
    KEY_INDEX,
    PRIORITY_INDEX,
    VALUE_INDEX,
    Bound,
    QuerySpec,
)
from emulators.database.rules.ruleset import Auth, Ruleset, query_variable

REPO = Path(__file__).resolve().parents[3]
NOW = 1_700_000_000_000
TIMESTAMP = {".sv": "timestamp"}

ALICE = {
    "uid": "alice",
    "provider": "custom",
    "token": {"sub": "alice", "admin": True, "email_verified": True},
}
BOB = {"uid": "bob", "provider": "custom", "token": {"sub": "bob", "email_verified": False}}
CAROL = {"uid": "carol", "provider": "password", "token": {"sub": "carol", "admin": True}}

DATA = {
    "users": {
        "alice": {"name": "Alice", "age": 30, "role": "admin"},
        "bob": {"name": "Bob", "age": 17},
    },
    "rooms": {
        "r1": {
            "owner": "alice",
            "members": {"alice": True, "bob": True},
            "title": "General",
            "messages": {"m1": {"from": "bob", "text": "hi", "at": 1000}},
        },
        "r2": {"owner": "bob", "members": {"bob": True}},
    },
    "status": {"alice": {"c1": {"state": "online", "lastChanged": 1000}}},
    "counters": {"n": 5},
    "public": {"news": "hello", "secret": {"code": 42}},
    "prio": {"item": {".value": "x", ".priority": 5}},
}

FEATURES = {
    "rules": {
        "users": {
            "$uid": {
                ".read": "auth != null",
                ".write": "auth != null && auth.uid == $uid",
                ".validate": "newData.hasChildren(['name'])",
                "name": {
                    ".validate": "newData.isString() && newData.val().length > 0 "
                    "&& newData.val().length <= 10"
                },
                "age": {
                    ".validate": "newData.isNumber() && newData.val() >= 0 && newData.val() < 150"
                },
                "email": {".validate": "newData.val().matches(/^[a-z0-9.]+@[a-z]+\\.[a-z]+$/i)"},
                "role": {
                    ".validate": "root.child('users').child(auth.uid).child('role').val() "
                    "== 'admin'"
                    " || (!data.exists() && newData.val() == 'member')"
                },
                "nick": {
                    ".validate": "newData.val().toLowerCase() == newData.val() "
                    "&& !newData.val().contains(' ')"
                },
                "site": {
                    ".validate": "newData.val().beginsWith('https://') "
                    "&& newData.val().endsWith('.com')"
                },
                "slug": {".validate": "newData.val().replace('-', '').length == 6"},
                "shout": {".validate": "newData.val() == newData.val().toUpperCase()"},
                "flag": {".validate": "newData.isBoolean()"},
                "$other": {".validate": False},
            }
        },
        "rooms": {
            "$room": {
                ".read": "auth != null && data.child('members').hasChild(auth.uid)",
                ".write": "auth != null "
                "&& (!data.exists() || data.child('owner').val() == auth.uid)",
                ".validate": "newData.hasChildren(['owner', 'members'])",
                "title": {".validate": "newData.isString()"},
                "members": {"$member": {".validate": "newData.isBoolean()"}},
                "messages": {
                    "$msg": {
                        ".write": "auth != null && data.parent().parent().child('members')"
                        ".child(auth.uid).val() == true "
                        "&& (!data.exists() || data.child('from').val() == auth.uid)",
                        ".validate": "newData.child('from').val() == auth.uid "
                        "&& newData.child('at').val() <= now && newData.child('text').isString()",
                    }
                },
            }
        },
        "counters": {
            "$c": {
                ".read": True,
                ".write": "auth != null",
                ".validate": "newData.isNumber() "
                "&& (!data.exists() || newData.val() == data.val() + 1)",
            }
        },
        "admin": {
            ".read": "auth != null && auth.token.admin === true",
            ".write": "auth.token.admin === true && auth.token.email_verified == true",
        },
        "ternary": {".write": "auth != null ? auth.uid == 'alice' : false"},
        "math": {
            "$n": {
                ".write": "newData.val() % 2 == 0 && newData.val() * 2 - 1 > 5 "
                "&& newData.val() / 2 < 100 && ($n + '-x') == 'k-x'"
            }
        },
        "public": {".read": True, "secret": {".read": False}},
        "cascade": {".write": True, "locked": {".write": False}},
        "deep": {"$a": {"$b": {".read": "$a == auth.uid && $b.beginsWith('x')"}}},
        "prio": {
            "$item": {".read": "data.getPriority() == 5", ".write": "auth.provider == 'password'"}
        },
        "typed": {
            ".write": True,
            "$k": {".validate": "newData.val() > 3"},
        },
        "strict": {".write": "auth.uid === 'alice' || auth.token.sub === 'bob'"},
        "noauth": {".read": "auth === null", ".write": "auth == null && newData.val() == 'anon'"},
    }
}


QUERIES = {
    "rules": {
        "scores": {
            ".read": "auth != null && query.orderByChild == 'score' && query.limitToFirst <= 10",
        },
        "recent": {".read": "query.orderByKey == true && query.limitToLast <= 3"},
        "adults": {".read": "query.orderByChild == 'age' && query.startAt >= 18"},
        "named": {".read": "query.orderByChild == 'name' && query.endAt == 'm'"},
        "byValue": {".read": "query.orderByValue == true || query.orderByPriority == true"},
    }
}


def presence_rules() -> dict:
    return json.loads((REPO / "database.rules.json").read_text())


ONLINE = {"state": "online", "lastChanged": TIMESTAMP}

F, P, Q = "features", "presence", "queries"
A, B, C = ALICE, BOB, CAROL
R, W, U, QR = "read", "write", "update", "query"

# (ruleset, auth, op, path, value, expected)
CASES = [
    # --- presence (database.rules.json) ---
    (P, A, W, "/status/alice/c2", ONLINE, True),
    (
        "presence",
        ALICE,
        "write",
        "/status/alice/c2",
        {"state": "away", "lastChanged": TIMESTAMP},
        True,
    ),
    (
        "presence",
        ALICE,
        "write",
        "/status/alice/c2",
        {"state": "offline", "lastChanged": TIMESTAMP},
        True,
    ),
    (P, B, W, "/status/alice/c2", ONLINE, False),
    (P, None, W, "/status/alice/c2", ONLINE, False),
    (
        "presence",
        ALICE,
        "write",
        "/status/alice/c2",
        {"state": "busy", "lastChanged": TIMESTAMP},
        False,
    ),
    (P, A, W, "/status/alice/c2", {"state": "online", "lastChanged": 5}, False),
    (P, A, W, "/status/alice/c2", {"state": "online"}, False),
    (P, A, W, "/status/alice/c2", {**ONLINE, "extra": 1}, False),
    (P, A, W, "/status/alice/c2", {"state": 1, "lastChanged": TIMESTAMP}, False),
    (P, A, W, "/status/alice/c1", None, True),
    (P, B, W, "/status/alice/c1", None, False),
    (P, A, W, "/status/alice/c1/state", "away", False),
    (
        "presence",
        ALICE,
        "update",
        "/status/alice/c1",
        {"state": "away", "lastChanged": TIMESTAMP},
        True,
    ),
    (P, A, U, "/", {"status/alice/c3": ONLINE, "status/bob/c3": ONLINE}, False),
    (P, A, U, "/status/alice", {"c3": ONLINE, "c4": ONLINE}, True),
    (P, A, W, "/status/alice", {"c1": ONLINE}, False),
    (P, A, W, "/other", 1, False),
    (P, A, R, "/status/alice", None, True),
    (P, B, R, "/status/alice", None, True),
    (P, B, R, "/status/alice/c1", None, True),
    (P, None, R, "/status/alice", None, False),
    (P, A, R, "/status", None, False),
    (P, A, R, "/", None, False),
    # --- $variables, auth, root/data/newData, cascading ---
    (F, A, W, "/users/alice", {"name": "Alicia", "age": 31}, True),
    (F, B, W, "/users/alice", {"name": "Alicia"}, False),
    (F, A, W, "/users/alice", {"age": 31}, False),
    (F, A, W, "/users/alice/name", "A name too long", False),
    (F, A, W, "/users/alice/name", "", False),
    (F, A, W, "/users/alice/age", 200, False),
    (F, A, W, "/users/alice/age", "31", False),
    (F, A, W, "/users/alice/unknown", 1, False),
    (F, A, W, "/users/alice/email", "Alice.B@Example.com", True),
    (F, A, W, "/users/alice/email", "not an email", False),
    (F, A, W, "/users/alice/role", "owner", True),
    (F, B, W, "/users/bob/role", "owner", False),
    (F, B, W, "/users/bob/role", "member", True),
    (F, A, W, "/users/alice/nick", "ali", True),
    (F, A, W, "/users/alice/nick", "Ali", False),
    (F, A, W, "/users/alice/nick", "a b", False),
    (F, A, W, "/users/alice/site", "https://alice.com", True),
    (F, A, W, "/users/alice/site", "http://alice.com", False),
    (F, A, W, "/users/alice/site", "https://alice.org", False),
    (F, A, W, "/users/alice/slug", "ab-cd-ef", True),
    (F, A, W, "/users/alice/slug", "abc", False),
    (F, A, W, "/users/alice/shout", "HEY", True),
    (F, A, W, "/users/alice/shout", "hey", False),
    (F, A, W, "/users/alice/flag", True, True),
    (F, A, W, "/users/alice/flag", "true", False),
    (F, A, W, "/users/alice", None, True),
    (F, B, R, "/users/alice", None, True),
    (F, None, R, "/users/alice", None, False),
    (F, A, R, "/users", None, False),
    (F, B, R, "/rooms/r1", None, True),
    (F, A, R, "/rooms/r2", None, False),
    (F, B, R, "/rooms/r1/title", None, True),
    (F, A, W, "/rooms/r1/title", "Lobby", True),
    (F, B, W, "/rooms/r1/title", "Lobby", False),
    (F, B, W, "/rooms/r3", {"owner": "bob", "members": {"bob": True}}, True),
    (F, B, W, "/rooms/r3", {"owner": "bob"}, False),
    (F, A, W, "/rooms/r1/members/carol", "yes", False),
    (F, A, W, "/rooms/r1/members/carol", True, True),
    (
        "features",
        BOB,
        "write",
        "/rooms/r1/messages/m2",
        {"from": "bob", "text": "yo", "at": TIMESTAMP},
        True,
    ),
    (
        "features",
        BOB,
        "write",
        "/rooms/r1/messages/m2",
        {"from": "alice", "text": "yo", "at": TIMESTAMP},
        False,
    ),
    (
        "features",
        BOB,
        "write",
        "/rooms/r1/messages/m2",
        {"from": "bob", "text": "yo", "at": NOW + 10},
        False,
    ),
    (
        "features",
        CAROL,
        "write",
        "/rooms/r1/messages/m2",
        {"from": "carol", "text": "x", "at": 1},
        False,
    ),
    (
        "features",
        ALICE,
        "write",
        "/rooms/r1/messages/m1",
        {"from": "alice", "text": "x", "at": 1},
        True,
    ),
    (F, B, W, "/rooms/r2/messages/m9", {"from": "bob", "text": 5, "at": 1}, False),
    (F, A, U, "/rooms/r1", {"title": "New", "members/carol": True}, True),
    (F, B, U, "/rooms", {"r1/title": "x", "r2/title": "y"}, False),
    (F, B, U, "/rooms", {"r2/title": "y", "r2/members/alice": True}, True),
    (F, B, W, "/counters/n", 6, True),
    (F, B, W, "/counters/n", 7, False),
    (F, B, W, "/counters/fresh", 42, True),
    (F, None, W, "/counters/n", 6, False),
    (F, None, R, "/counters/n", None, True),
    (F, A, R, "/admin", None, True),
    (F, B, R, "/admin", None, False),
    (F, A, W, "/admin/x", 1, True),
    (F, C, W, "/admin/x", 1, False),
    (F, None, W, "/admin/x", 1, False),
    (F, A, W, "/ternary", 1, True),
    (F, B, W, "/ternary", 1, False),
    (F, None, W, "/ternary", 1, False),
    (F, A, W, "/math/k", 4, True),
    (F, A, W, "/math/k", 5, False),
    (F, A, W, "/math/k", 2, False),
    (F, A, W, "/math/k", 400, False),
    (F, A, W, "/math/j", 4, False),
    (F, A, W, "/math/k", "4", False),
    (F, None, R, "/public", None, True),
    (F, None, R, "/public/secret", None, True),  # a parent's grant cascades
    (F, None, R, "/public/news", None, True),
    (F, None, W, "/cascade/locked/x", 1, True),  # .write cascades the same way
    (F, None, W, "/cascade", {"locked": 2}, True),
    (F, A, R, "/deep/alice/xyz", None, True),
    (F, A, R, "/deep/alice/abc", None, False),
    (F, B, R, "/deep/alice/xyz", None, False),
    (F, A, R, "/deep/alice", None, False),
    (F, None, R, "/prio/item", None, True),
    (F, None, R, "/prio/other", None, False),
    (F, C, W, "/prio/item", 1, True),
    (F, A, W, "/prio/item", 1, False),
    (F, None, W, "/typed/a", 4, True),
    (F, None, W, "/typed/a", 2, False),
    (F, None, W, "/typed/a", "abc", False),  # string > number is an error
    (F, None, W, "/typed", {"a": 4, "b": 5}, True),
    (F, None, W, "/typed", {"a": 4, "b": 1}, False),
    (F, None, W, "/typed/a", None, True),
    (F, A, W, "/strict", 1, True),
    (F, B, W, "/strict", 1, True),
    (F, C, W, "/strict", 1, False),
    (F, None, W, "/strict", 1, False),
    (F, None, R, "/noauth", None, True),
    (F, A, R, "/noauth", None, False),
    (F, None, W, "/noauth", "anon", True),
    (F, None, W, "/noauth", "x", False),
    (F, None, W, "/nothing/here", 1, False),
    # --- the query variable of read rules ---
    (Q, A, QR, "/scores", {"orderByChild": "score", "limitToFirst": 5}, True),
    (Q, A, QR, "/scores", {"orderByChild": "score", "limitToFirst": 10}, True),
    (Q, A, QR, "/scores", {"orderByChild": "score", "limitToFirst": 50}, False),
    (Q, A, QR, "/scores", {"orderByChild": "score", "limitToLast": 5}, False),
    (Q, A, QR, "/scores", {"orderByChild": "name", "limitToFirst": 5}, False),
    (Q, None, QR, "/scores", {"orderByChild": "score", "limitToFirst": 5}, False),
    (Q, A, QR, "/scores", {"orderByKey": True, "limitToFirst": 5}, False),
    (Q, B, QR, "/recent", {"orderByKey": True, "limitToLast": 3}, True),
    (Q, B, QR, "/recent", {"orderByKey": True, "limitToLast": 4}, False),
    (Q, B, QR, "/recent", {"orderByChild": "at", "limitToLast": 3}, False),
    (Q, B, QR, "/adults", {"orderByChild": "age", "startAt": 21}, True),
    (Q, B, QR, "/adults", {"orderByChild": "age", "startAt": 18}, True),
    (Q, B, QR, "/adults", {"orderByChild": "age", "startAt": 10}, False),
    (Q, B, QR, "/adults", {"orderByChild": "age", "endAt": 30}, False),
    (Q, B, QR, "/named", {"orderByChild": "name", "endAt": "m"}, True),
    (Q, B, QR, "/named", {"orderByChild": "name", "endAt": "z"}, False),
    (Q, B, QR, "/byValue", {"orderByValue": True, "limitToFirst": 1}, True),
    (Q, B, QR, "/byValue", {"orderByPriority": True, "limitToFirst": 2}, True),
    (Q, B, QR, "/byValue", {"orderByChild": "v"}, False),
]


def ours(rulesets: dict[str, Ruleset], ruleset, auth, op, path, value) -> bool:
    rules = rulesets[ruleset]
    who = Auth(admin=False, variable=auth)
    root = DATA_NODE
    location = paths.parse(path)
    if op == "read":
        return rules.can_read(location, root, who, NOW)
    if op == "query":
        return rules.can_read(location, root, who, NOW, query_variable(query_spec(value)))
    if op == "write":
        new_root, _ = DatabaseEngine._apply_set(root, location, value, NOW)
        return rules.can_write([location], root, new_root, who, NOW)
    new_root, written = DatabaseEngine.prepare_update(root, location, value, NOW)
    return rules.can_write(written, root, new_root, who, NOW)


DATA_NODE = DatabaseEngine._apply_set(None, (), DATA, NOW)[0]


def query_spec(options: dict) -> QuerySpec:
    """The QuerySpec a client would send for targaryen's query options."""
    index = PRIORITY_INDEX
    if options.get("orderByKey"):
        index = KEY_INDEX
    elif options.get("orderByValue"):
        index = VALUE_INDEX
    elif "orderByChild" in options:
        index = options["orderByChild"]
    start = Bound(options["startAt"], None, True) if "startAt" in options else None
    end = Bound(options["endAt"], None, True) if "endAt" in options else None
    limit = options.get("limitToFirst", options.get("limitToLast"))
    return QuerySpec(index, start, end, limit, "limitToLast" not in options)


def targaryen(rulesets: dict[str, dict]) -> list[dict]:
    payload = {
        "rulesets": rulesets,
        "data": DATA,
        "now": NOW,
        "cases": [
            {"ruleset": r, "auth": a, "op": op, "path": p, "value": v}
            for r, a, op, p, v, _ in CASES
        ],
    }
    completed = subprocess.run(
        ["node", "rules_conformance.mjs"],
        cwd=REPO / "tests" / "node",
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)


@pytest.mark.node
def test_rules_engine_agrees_with_targaryen():
    definitions = {"presence": presence_rules(), "features": FEATURES, "queries": QUERIES}
    rulesets = {name: Ruleset(definition) for name, definition in definitions.items()}
    reference = targaryen(definitions)
    assert len(reference) == len(CASES) >= 100
    disagreements = []
    for case, answer in zip(CASES, reference, strict=True):
        ruleset, auth, op, path, value, expected = case
        mine = ours(rulesets, ruleset, auth, op, path, value)
        who = auth["uid"] if auth else None
        label = f"{ruleset} {who} {op} {path} {json.dumps(value)}"
        if "error" in answer:
            disagreements.append(f"{label}: targaryen error {answer['error']}")
        elif answer["allowed"] != mine or mine != expected:
            disagreements.append(
                f"{label}: ours={mine} targaryen={answer['allowed']} expected={expected}"
            )
    assert not disagreements, "\n".join(disagreements)
    answers = [case[-1] for case in CASES]
    assert answers.count(True) > 30 and answers.count(False) > 30
