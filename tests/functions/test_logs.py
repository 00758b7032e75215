"""Structured logs (functions/logs.py): the JSON lines themselves, and the lines the
functions host prints for real requests, as Cloud Logging would read them from stdout."""

from __future__ import annotations

import json
import uuid

import pytest

import logs
from tests.conftest import JWT_SECRET
from tests.support.accounts import new_account
from tests.support.firebase import call, eventually, sign_in

TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def lines(capsys):
    """What FlowChat logs to stdout while the test runs, parsed (all of it so far)."""
    logs.setup()
    seen: list[dict] = []

    def read() -> list[dict]:
        seen.extend(json.loads(line) for line in capsys.readouterr().out.splitlines())
        return list(seen)

    return read


def test_a_line_is_one_json_object_with_severity_message_and_logger(lines):
    logs.get("rooms").warning("room %s is %s", "r1", "archived")
    [line] = lines()
    assert line == {
        "severity": "WARNING",
        "message": "room r1 is archived",
        "logger": "flowchat.rooms",
    }


def test_a_request_line_carries_function_trace_outcome_and_duration(lines, monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "flowchat-prod")
    headers = {"X-Cloud-Trace-Context": f"{TRACE}/12345;o=1"}
    with logs.request("createRoom", headers) as outcome:
        logs.get("rooms").info("inside")
        outcome.fields["uid"] = "u1"
    inside, done = lines()
    trace = f"projects/flowchat-prod/traces/{TRACE}"
    assert inside["function"] == "createRoom"
    assert inside[logs.TRACE_KEY] == trace
    assert inside[logs.SPAN_KEY] == "12345"
    assert done["severity"] == "INFO"
    assert done["logger"] == "flowchat.requests"
    assert done["function"] == "createRoom"
    assert done[logs.TRACE_KEY] == trace
    assert done["outcome"] == "ok"
    assert done["uid"] == "u1"
    assert isinstance(done["durationMs"], float)
    assert done["message"] == f"createRoom ok in {done['durationMs']:.1f} ms"
    # Outside a request, lines carry no request fields.
    logs.get("rooms").info("after")
    assert "function" not in lines()[-1]


def test_traceparent_is_read_and_a_request_without_trace_gets_its_own(lines):
    with logs.request("me", {"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}):
        pass
    with logs.request("me", {}):
        pass
    with logs.request("me", {}):
        pass
    first, second, third = (line[logs.TRACE_KEY] for line in lines())
    assert first.endswith(f"/traces/{TRACE}")
    assert second != third


def test_a_crash_is_one_error_line_with_its_stack_trace(lines):
    with pytest.raises(ZeroDivisionError), logs.request("applyOutbox"):
        1 / 0  # noqa: B018
    [line] = lines()
    assert line["severity"] == "ERROR"
    assert line["outcome"] == "INTERNAL"
    assert line["message"].startswith("applyOutbox INTERNAL in ")
    assert "Traceback (most recent call last)" in line["message"]
    assert "ZeroDivisionError" in line["message"]


def test_a_refusal_raised_to_answer_the_client_is_not_a_crash(lines):
    with pytest.raises(PermissionError), logs.request("createRoom") as outcome:
        outcome.failed("PERMISSION_DENIED")
        raise PermissionError("not a member")
    [line] = lines()
    assert line["severity"] == "INFO"
    assert line["outcome"] == "PERMISSION_DENIED"
    assert "Traceback" not in line["message"]


def test_secrets_urls_and_tokens_never_reach_a_line(lines, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret")
    logs.get("x").error(
        "failed: key=%s url=%s header=%s",
        "s3cret-s3cret-s3cret-s3cret-s3cret",
        "postgresql://flowchat:hunter2hunter2@db.example/flowchat",
        "Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl",
    )
    [line] = lines()
    assert line["message"] == (
        "failed: key=[JWT_SECRET] url=postgresql://flowchat:[redacted]@db.example/flowchat "
        "header=Bearer [redacted]"
    )


def test_function_names_follow_main_py():
    assert logs.function_name("update_profile") == "updateProfile"
    assert logs.function_name("register_device_token") == "registerDeviceToken"
    assert logs.function_name("me") == "me"


def request_lines(functions_host, function: str) -> list[dict]:
    found = []
    for text in functions_host.log().splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            if line.get("logger") == "flowchat.requests" and line.get("function") == function:
                found.append(line)
    return found


def test_the_functions_host_prints_one_line_per_request(api, functions_host):
    account = new_account(api)
    trace = uuid.uuid4().hex
    wrong = api.post(
        "/login",
        json={"login": account["user"]["username"], "password": "not the password"},
        headers={"X-Cloud-Trace-Context": f"{trace}/1;o=1"},
    )
    assert wrong.status_code == 401

    def login_line():
        return [line for line in request_lines(functions_host, "login") if trace in str(line)]

    [line] = eventually(login_line)
    assert line["severity"] == "INFO"
    assert line["outcome"] == "UNAUTHENTICATED"
    assert line["status"] == 401
    assert line[logs.TRACE_KEY] == f"projects/{functions_host.project}/traces/{trace}"
    assert line["durationMs"] > 0

    signed_in = api.post(
        "/login", json={"login": account["user"]["username"], "password": account["password"]}
    )
    id_token = sign_in(functions_host, signed_in.json()["firebaseToken"])
    created = call(functions_host, "createRoom", {"name": f"logs {trace[:6]}"}, id_token)
    assert created.status_code == 200, created.text
    uid = account["user"]["id"]
    [room_line] = eventually(
        lambda: [ln for ln in request_lines(functions_host, "createRoom") if ln.get("uid") == uid]
    )
    assert room_line["outcome"] == "ok"

    # A callable refused for want of a sign-in: the client's error, not ours.
    refused = call(functions_host, "createRoom", {"name": f"logs {trace[6:12]}"}, None)
    assert refused.status_code == 401
    [refused_line] = eventually(
        lambda: [
            ln
            for ln in request_lines(functions_host, "createRoom")
            if ln.get("outcome") != "ok" and "uid" not in ln
        ]
    )
    assert refused_line["outcome"] == "UNAUTHENTICATED"
    assert refused_line["severity"] == "INFO"
    assert "Traceback" not in refused_line["message"]

    printed = functions_host.log()
    for secret in (account["password"], JWT_SECRET, signed_in.json()["refreshToken"], id_token):
        assert secret not in printed
