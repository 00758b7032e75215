"""Property-based fuzzing of every HTTP function and callable that functions/main.py
declares, against the real functions host: arbitrary JSON (keys drawn from the handlers'
own request fields, so requests get past the first check), text with control characters
and unpaired surrogates, huge and non-finite numbers, malformed bodies, query strings.

The property: never a 5xx, and a refused request (4xx) writes nothing to PostgreSQL (the
login throttle's own counters aside).

The fuzz gets a database and functions host of its own, so that triggers of other tests
cannot change the tables between a request and the check. Examples are bounded per
function (``FUZZ_EXAMPLES``, default 25) so the suite stays fast.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.input.catalog import declared_functions, foreign_id_token, request_fields
from tests.support import emulators, firebase
from tests.support.database import fresh_database
from tests.support.emulators import EmulatorProcess

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# The throttle writes on refusal; the scheduled reconcile slice (applyOutbox, every minute)
# records how far it got on its own clock, whatever the requests do.
UNCOUNTED_TABLES = ("login_failures", "schema_migrations", "reconcile_progress")
# Mail is delivered in the background after the request that queued it answered, so its
# delivery columns may change during a later request; which mails exist is what counts.
COUNTED_COLUMNS = {"mail_outbox": "t.id, t.recipient, t.template, t.created_at"}


HTTP_FUNCTIONS, CALLABLES = declared_functions()


def test_every_function_is_fuzzed():
    assert {"login", "register", "getProfile", "checkPermission"} <= set(HTTP_FUNCTIONS)
    assert {"createRoom", "inviteMember", "signUpload"} <= set(CALLABLES)


@dataclass
class Fuzzing:
    host: EmulatorProcess
    conn: psycopg.Connection
    known_strings: list[str]

    def settle(self, timeout: float = 15) -> None:
        """Wait for the work functions do after answering (a data export being prepared,
        mail being sent), so that it does not land during the next request."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = self.conn.execute(
                """SELECT (SELECT count(*) FROM data_exports
                           WHERE ready_at IS NULL AND attempts < 5)
                        + (SELECT count(*) FROM mail_outbox
                           WHERE sent_at IS NULL AND given_up_at IS NULL
                             AND next_attempt_at <= now())"""
            ).fetchone()[0]
            if not pending:
                return
            time.sleep(0.05)

    def fingerprint(self) -> dict[str, str]:
        """A digest of every table's rows (they are few here)."""
        tables = [
            row[0]
            for row in self.conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> ALL(%s) ORDER BY tablename",
                (list(UNCOUNTED_TABLES),),
            )
        ]
        digests = " UNION ALL ".join(
            f"SELECT '{table}', md5(coalesce(string_agg(({COUNTED_COLUMNS.get(table, 't')})::text,"
            f" '|' ORDER BY t::text), '')) FROM {table} t"
            for table in tables
        )
        return dict(self.conn.execute(digests).fetchall())


@pytest.fixture(scope="module")
def fuzzing(functions_host, tmp_path_factory) -> Iterator[Fuzzing]:
    state = tmp_path_factory.mktemp("fuzz")
    with fresh_database(state) as url:
        host = emulators.start(
            state / "host",
            ["auth", "firestore", "database", "cloudinary", "mail", "functions"],
            env={**functions_host.env, "DATABASE_URL": url},
        )
        try:
            # Someone to name in requests (ids, username); the actor signs in per test.
            target = _register(host, "target")
            with psycopg.connect(url, autocommit=True) as conn:
                yield Fuzzing(host, conn, [target["user"]["id"], target["user"]["username"]])
        finally:
            host.stop()


@dataclass
class Actor:
    access_token: str
    id_token: str


@pytest.fixture
def actor(fuzzing: Fuzzing) -> Actor:
    """A fresh account with a room of its own, whose ids join the known strings."""
    account = _register(fuzzing.host, "actor")
    id_token = firebase.sign_in(fuzzing.host, account["firebaseToken"])
    room = firebase.call(fuzzing.host, "createRoom", {"name": "Fuzz"}, id_token)
    assert room.status_code == 200, room.text
    fuzzing.known_strings.append(room.json()["result"]["roomId"])
    return Actor(account["accessToken"], id_token)


def _register(host: EmulatorProcess, name: str) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:10]
    response = httpx.post(
        host.functions_url("register"),
        json={
            "email": f"{name}{suffix}@example.com",
            "username": f"{name}{suffix}",
            "password": f"horse battery {suffix}",
            "displayName": name,
        },
        headers={"X-Forwarded-For": _address()},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _address() -> str:
    """Each request from its own address, so the per-address throttle does not decide."""
    n = uuid.uuid4().int
    return f"127.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


# What goes into requests.

SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\ud83d",
    "\u0130",
    "ﬁ",
    "\u202e",
    "\r\n",
    "\t",
    "\x7f",
    "%00",
    "../..",
    "' OR 1=1 --",
    "a" * 300,
    "0",
    "-1",
    "true",
    "null",
    "00000000-0000-0000-0000-000000000000",
]
texts = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),  # surrogates included
    st.text(st.characters(max_codepoint=0x20), max_size=8),  # control characters
    st.sampled_from(SPECIAL_TEXT),
)
numbers = st.one_of(
    st.integers(),
    st.sampled_from([2**53, -(2**53), 2**63, 2**64, 10**30, -1, 0]),
    st.floats(),  # NaN and infinities included; sent as NaN / Infinity tokens
)
FIELDS = request_fields()


def _json_values(known: list[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), numbers, texts, st.sampled_from(known) if known else texts
    )
    keys = st.one_of(st.sampled_from(FIELDS), texts)

    def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
        )

    return st.recursive(scalars, containers, max_leaves=12)


def _objects(known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects whose keys are the handlers' fields: the requests that get furthest."""
    return st.dictionaries(st.sampled_from(FIELDS), _json_values(known), max_size=6)


RAW_BODIES = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"",
            b"{",
            b'{"data": ',
            b"[" * 20_000 + b"]" * 20_000,
            b'{"data": NaN}',
            b'{"data": 1' + b"0" * 5000 + b"}",
            b"\xff\xfe",
            b'{"data": "\\ud800"}',
        ]
    ),
)


def _encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _check(fuzzing: Fuzzing, send) -> None:
    fuzzing.settle()
    before = fuzzing.fingerprint()
    response: httpx.Response = send()
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        assert fuzzing.fingerprint() == before, f"refused ({response.status_code}) yet wrote"


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", HTTP_FUNCTIONS)
def test_http_functions_never_fail_and_refusals_write_nothing(fuzzing, actor, name):
    url = fuzzing.host.functions_url(name)
    tokens = st.sampled_from(
        [actor.access_token, actor.id_token, foreign_id_token(), None, "x.y.z"]
    )

    @FUZZ
    @given(
        method=st.sampled_from(["POST", "GET", "PATCH"]),
        body=st.one_of(
            _objects(fuzzing.known_strings).map(_encode),
            _json_values(fuzzing.known_strings).map(_encode),
            RAW_BODIES,
        ),
        query=st.dictionaries(st.sampled_from(FIELDS) | texts, texts, max_size=3),
        token=tokens,
        json_type=st.booleans(),
    )
    def run(method, body, query, token, json_type):
        headers = {"X-Forwarded-For": _address()}
        if json_type:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        params = {
            key.encode("utf-8", "surrogatepass"): value.encode("utf-8", "surrogatepass")
            for key, value in query.items()
        }
        _check(
            fuzzing,
            lambda: httpx.request(
                method,
                url,
                content=None if method == "GET" else body,
                params=params,
                headers=headers,
                timeout=30,
            ),
        )

    run()


@pytest.mark.parametrize("name", CALLABLES)
def test_callables_never_fail_and_refusals_write_nothing(fuzzing, actor, name):
    url = fuzzing.host.functions_url(name)

    @FUZZ
    @given(
        body=st.one_of(
            _objects(fuzzing.known_strings).map(lambda data: _encode({"data": data})),
            _json_values(fuzzing.known_strings).map(lambda data: _encode({"data": data})),
            _json_values(fuzzing.known_strings).map(_encode),
            RAW_BODIES,
        ),
        token=st.sampled_from([actor.id_token, foreign_id_token(), None, "x.y.z"]),
    )
    def run(body, token):
        headers = {"Content-Type": "application/json", "X-Forwarded-For": _address()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        _check(fuzzing, lambda: httpx.post(url, content=body, headers=headers, timeout=30))

    run()
